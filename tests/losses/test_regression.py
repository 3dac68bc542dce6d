import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, mean_squared_error

from skscratch.losses import AbsoluteError, Huber, SquaredError


def test_values_match_scikit_learn_metrics(rng):
    out, y = rng.standard_normal((30, 2)), rng.standard_normal((30, 2))
    w = rng.uniform(0.5, 2, 30)
    assert SquaredError()(out, y)[0] == pytest.approx(mean_squared_error(y, out))
    expected = mean_absolute_error(y, out, sample_weight=w)
    assert AbsoluteError()(out, y, w)[0] == pytest.approx(expected)


def test_huber_is_quadratic_then_linear():
    loss = Huber(delta=1.0)
    small, _ = loss(np.array([[0.5]]), np.array([[0.0]]))
    large, grad = loss(np.array([[3.0]]), np.array([[0.0]]))
    assert small == pytest.approx(0.125)
    assert large == pytest.approx(2.5)
    assert grad[0, 0] == pytest.approx(1.0)


@pytest.mark.parametrize("residual", [1e-12, -1e-3, 0.9, -1.1, 1e3, -1e12])
def test_huber_and_squared_errors_have_no_cancellation(residual):
    # the audit: each is one subtraction of the inputs, then products of it
    from decimal import Decimal, getcontext
    getcontext().prec = 60
    out, target = np.array([[residual + 2.0]]), np.array([[2.0]])
    r = Decimal(out[0, 0]) - 2           # the residual the float inputs really hold
    huber = r * r / 2 if abs(r) <= 1 else abs(r) - Decimal("0.5")
    loss, grad = Huber()._per_sample(out, target)
    assert loss[0] == pytest.approx(float(huber), rel=1e-15, abs=0)
    assert grad[0, 0] == float(max(min(r, Decimal(1)), Decimal(-1)))
    loss, grad = SquaredError()._per_sample(out, target)
    assert loss[0] == pytest.approx(float(r * r), rel=1e-15, abs=0)
    assert grad[0, 0] == float(2 * r)


def test_huber_with_a_numpy_delta_keeps_float32_outputs_float32(rng):
    # a NumPy scalar delta (from a grid) would promote a float32 network's loss
    # and gradient to float64
    output = rng.standard_normal((8, 2)).astype(np.float32)
    target = np.zeros_like(output)
    loss = Huber(delta=np.float64(0.5))
    assert type(loss.delta) is float
    _, grad = loss(output, target)
    assert grad.dtype == np.float32
