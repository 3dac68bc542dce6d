import numpy as np
import pytest

from skscratch.gradcheck import check_loss_gradient
from skscratch.losses import (
    AbsoluteError,
    HalfPoissonDeviance,
    Huber,
    SigmoidCrossEntropy,
    SoftmaxCrossEntropy,
    SquaredError,
    get_loss,
)
from tests.conftest import TOL


def _case(loss, rng, n, k):
    output = rng.standard_normal((n, k)) * 3
    if isinstance(loss, SoftmaxCrossEntropy):
        target = np.eye(k)[rng.integers(0, k, n)]
    elif isinstance(loss, SigmoidCrossEntropy):
        target = rng.integers(0, 2, (n, k)).astype(float)
    elif isinstance(loss, HalfPoissonDeviance):      # counts (zeros among them) and rates
        target = np.where(rng.random((n, k)) < 0.5, rng.poisson(2.0, (n, k)),
                          rng.exponential(2.0, (n, k)))
    else:
        target = output + rng.standard_normal((n, k)) * 2
    return output, target


LOSSES = [SquaredError(), AbsoluteError(), Huber(), Huber(delta=0.3), SoftmaxCrossEntropy(),
          SigmoidCrossEntropy(), HalfPoissonDeviance()]


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: type(loss).__name__)
@pytest.mark.parametrize("n, k", [(1, 1), (5, 3), (20, 4)])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradients(loss, n, k, weighted, rng):
    if isinstance(loss, SoftmaxCrossEntropy) and k == 1:
        k = 2
    output, target = _case(loss, rng, n, k)
    w = rng.uniform(0.1, 3, n) if weighted else None
    assert check_loss_gradient(loss, output, target, w) < TOL


def test_sample_weights_match_repetition(rng):
    out, y = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    w = np.array([1.0, 2.0, 0.0, 3.0])
    repeat = np.repeat(np.arange(4), w.astype(int))
    weighted, _ = SquaredError()(out, y, w)
    repeated, _ = SquaredError()(out[repeat], y[repeat])
    assert weighted == pytest.approx(repeated)


def test_get_loss():
    assert isinstance(get_loss("mse"), SquaredError)
    loss = Huber()
    assert get_loss(loss) is loss
    with pytest.raises(ValueError, match="Unknown loss 'hinge'"):
        get_loss("hinge")
    with pytest.raises(ValueError, match="delta"):
        Huber(delta=0)
