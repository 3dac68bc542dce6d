"""The memory estimate is an upper bound of what training and prediction allocate."""

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import skscratch.container
from skscratch import ConvNetFromScratch, MLPFromScratch, Network
from skscratch.container import training_memory
from skscratch.layers import Conv2D, Dense, Flatten, MaxPool2D
from skscratch.layers.base import ZEROS_LIMIT


def _measured_and_estimated(estimator, X, y, monkeypatch):
    """Peak traced bytes of fit then predict (beyond X and y), and fit's own estimate."""
    estimates = []

    def recording(*args, **kwargs):
        estimates.append(training_memory(*args, **kwargs))
        return estimates[-1]

    monkeypatch.setattr(skscratch.container, "training_memory", recording)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tracemalloc.start()
        try:
            estimator.fit(X, y)
            estimator.predict(X)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert len(estimates) == 1
    return peak, estimates[0]


@pytest.mark.parametrize("make, shape, dtype", [
    # the last batch is smaller (its buffers come on top), dropout draws masks,
    # early stopping copies X, prediction runs in chunks
    pytest.param(lambda: MLPFromScratch((384, 192), dropout=0.2, early_stopping=True,
                                        max_iter=2, batch_size=110, random_state=0),
                 (200,), np.float64, id="mlp-float64-dropout-early-stopping"),
    pytest.param(lambda: MLPFromScratch((512,), activation="elu", solver="sgd", max_iter=1,
                                        random_state=0),
                 (300,), np.float32, id="mlp-float32-elu-sgd"),
    # full-batch L-BFGS: the whole set is one chunk, SciPy holds ~30 parameter copies
    pytest.param(lambda: MLPFromScratch((384, 192), solver="lbfgs", max_iter=3,
                                        random_state=0),
                 (200,), np.float64, id="mlp-float64-lbfgs"),
    pytest.param(lambda: MLPFromScratch((256,), solver="lbfgs", max_iter=3, random_state=0),
                 (300,), np.float32, id="mlp-float32-lbfgs"),
    # im2col rows dominate a ConvNet's memory: the old estimate (outputs only) was 0.45x
    pytest.param(lambda: ConvNetFromScratch((8, 16), batch_norm=True, dropout=0.3, max_iter=1,
                                            batch_size=120, random_state=0),
                 (16, 16, 3), np.float32, id="convnet-float32-batchnorm-dropout"),
    pytest.param(lambda: ConvNetFromScratch((16,), kernel_size=5, padding="same", max_iter=1,
                                            random_state=0),
                 (16, 16, 1), np.float64, id="convnet-float64-one-channel"),
])
def test_the_estimate_bounds_the_measured_peak_and_is_not_loose(make, shape, dtype, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, *shape)).astype(dtype)
    y = rng.integers(0, 4, 600)
    peak, estimate = _measured_and_estimated(make(), X, y, monkeypatch)
    assert peak <= estimate <= 3 * peak, (peak / 2**20, estimate / 2**20)


def test_continued_fits_stay_below_the_estimate_and_buffers_do_not_pile_up():
    # partial_fit on chunks of ever-new sizes used to keep one set of scratch buffers
    # per batch shape: 130 MiB after 60 sizes for a 1000-unit layer
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((500, 50)), rng.integers(0, 3, 500)
    est = MLPFromScratch((500,), random_state=0)
    est.partial_fit(X[:300], y[:300], classes=[0, 1, 2])
    tracemalloc.start()
    try:
        for k in range(12):
            est.partial_fit(X[:201 + 23 * k], y[:201 + 23 * k])
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    estimate = training_memory(est.network_, (50,), 200, np.float64, n_samples=500,
                               optimizer_slots=2, continued=True)
    assert peak <= estimate
    for layer in est.network_.leaf_layers():
        names = [name for name, _ in layer._buffers]
        assert all(names.count(name) <= 2 for name in names), layer
    # a few batch-sized buffers, not 12 sets (and the last epoch's shuffled copy of
    # the data, which small data sets get: skscratch.training.EPOCH_GATHER_BYTES; and
    # ReLU's block of ZEROS_LIMIT zeros)
    assert held < 4 * 200 * 500 * 8 + X.nbytes + ZEROS_LIMIT * 8


def test_convolution_workspace_counts_its_im2col_rows():
    conv = Conv2D(4, 3, padding="same")
    # 8x8 positions, each a 3x3x2 window plus the bias column, and 4 outputs; and the
    # padded 10x10x2 copy of the input the windows are read from
    assert conv.count_activations((8, 8, 2)) == 64 * (9 * 2 + 1 + 4) + 10 * 10 * 2
    net = Network([Conv2D(4, 3, padding="same"), Flatten(), Dense(3)])
    built = net.build((8, 8, 2), random_state=0)
    assert net.count_widest((8, 8, 2)) == built.elements_per_sample()


@pytest.mark.parametrize("layer, shape", [
    (lambda: Conv2D(4, 3, padding="same"), (8, 8, 2)),       # im2col row by row
    (lambda: Conv2D(6, 3, padding="same"), (10, 10, 5)),     # im2col by take, bias pixel
    (lambda: Conv2D(3, (2, 3), strides=2), (9, 11, 8)),
    (lambda: MaxPool2D(2), (8, 8, 6)),                       # the stack of windows kept
])
def test_a_training_forward_allocates_what_count_activations_says(layer, shape):
    # count_activations sizes the memory estimate and the prediction chunks: it must
    # count every array a training forward makes, and not much more
    layer = layer()
    layer.build(shape, rng=0)
    x = np.random.default_rng(0).standard_normal((16, *shape))
    tracemalloc.start()
    try:
        layer.forward(x, training=True)
        allocated = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    counted = 16 * layer.count_activations(shape) * 8
    # what is not counted: a few small index and scalar arrays
    assert allocated <= counted + 8192, (allocated, counted)
    assert counted <= 1.1 * allocated, (allocated, counted)
