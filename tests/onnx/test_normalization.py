"""BatchNorm exports in inference form: the running statistics of a fit."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skscratch import ConvNetFromScratch, Network
from skscratch.layers import BatchNorm, Conv2D, Dense, Flatten
from skscratch.onnx import to_onnx
from tests.onnx.runtime import (
    SKIP_REASON,
    assert_classifier_matches,
    assert_network_matches,
    fit,
)

pytest.importorskip("onnxruntime", reason=SKIP_REASON)

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
def test_convnet_with_batch_norm_after_training(dtype):
    X, y = load_digits(return_X_y=True)
    X = (X[:400] / 16).astype(dtype)
    model = fit(ConvNetFromScratch((4,), hidden_layer_sizes=(12,), batch_norm=True,
                                   max_iter=3, random_state=0), X, y[:400])
    norms = [layer for layer in model.network_.layers if isinstance(layer, BatchNorm)]
    assert len(norms) == 2
    for layer in norms:      # the fit moved the statistics away from their start (0 and 1)
        assert np.abs(layer.state["running_mean"]).min() > 1e-3
        assert np.abs(layer.state["running_var"] - 1).min() > 1e-3
    assert_classifier_matches(model, to_onnx(model), X)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_on_rows_and_on_channels_first_images(dtype):
    rng = np.random.default_rng(0)
    network = Network([Conv2D(3, 3, padding="same"), BatchNorm(), Flatten(), Dense(4),
                       BatchNorm(epsilon=0.1)]).build((5, 5, 2), random_state=0, dtype=dtype)
    for layer in network.layers[1::3]:
        size = layer.params["gamma"].shape
        layer.params["gamma"][:] = rng.uniform(0.5, 2, size)
        layer.params["beta"][:] = rng.standard_normal(size)
        layer.state["running_mean"][:] = rng.standard_normal(size)
        layer.state["running_var"][:] = rng.uniform(0.1, 3, size)
    assert_network_matches(network, rng.standard_normal((6, 5, 5, 2)).astype(dtype))
