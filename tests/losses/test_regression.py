import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, mean_poisson_deviance, mean_squared_error

from skscratch.losses import AbsoluteError, HalfPoissonDeviance, Huber, SquaredError
from skscratch.losses.regression import exp_excess


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


# ------------------------------------------------------------------------ poisson
def _half_deviance(z, y):
    """Half the Poisson deviance of exp(z) and its gradient, from the inputs' exact values."""
    from decimal import Decimal, localcontext
    with localcontext() as context:
        context.prec = 400          # exp(1e-150) - 1 - 1e-150 needs 300 digits
        z, y = Decimal(float(z)), Decimal(float(y))
        mu = z.exp()
        value = mu if y == 0 else y * (y.ln() - z) - y + mu
        return float(value), float(mu - y)


@pytest.mark.parametrize("z, y", [
    (np.log(3.0) + 1e-9, 3.0),      # a near-perfect fit: the loss is ~1.5e-18 of 3
    (np.log(3.0) - 2e-5, 3.0),
    (0.4, 1.0), (-0.45, 1.0), (0.7, 2.0), (-3.0, 2.5), (5.0, 0.25),
    (-700.0, 2.0),                  # a prediction that underflows to 0 in scikit-learn's form
    (600.0, 7.0), (12.0, 1e-300),   # mu far above y
    (-2.0, 0.0), (650.0, 0.0),      # y = 0: the loss is mu
    (30.0, 1e13), (np.log(1e13) + 1e-7, 1e13),
])
def test_poisson_deviance_and_gradient_are_exact(z, y):
    # against 400-digit arithmetic: relative errors of a few ulps wherever the value is,
    # with no cancellation near a perfect fit (where y log(y/mu) - y + mu would lose
    # every digit) and no overflow or log(0) for extreme predictions
    loss, grad = HalfPoissonDeviance()._per_sample(np.array([[z]]), np.array([[y]]))
    expected_loss, expected_grad = _half_deviance(z, y)
    # z - log(y) is rounded (log(y) is not exact): allow its rounding, relative to |r|
    r = abs(z - np.log(y)) if y > 0 else 1.0
    slack = 4e-16 * (1 + abs(np.log(y) if y > 0 else 0) / max(r, 1e-300))
    assert loss[0] == pytest.approx(expected_loss, rel=max(1e-14, 2 * slack), abs=0)
    assert grad[0, 0] == pytest.approx(expected_grad, rel=max(1e-14, slack), abs=0)


def test_poisson_equals_scikit_learns_mean_poisson_deviance(rng):
    # half of scikit-learn's deviance for one output, weighted by samples; summed over
    # outputs (MLPRegressor's poisson_loss sums each output's mean)
    z = rng.normal(size=(40, 2))
    y = rng.poisson(np.exp(z + 0.3)).astype(float)
    w = rng.uniform(0.5, 2, 40)
    loss = HalfPoissonDeviance()
    for k in (0, 1):
        expected = mean_poisson_deviance(y[:, k], np.exp(z[:, k]), sample_weight=w) / 2
        assert loss(z[:, k:k + 1], y[:, k:k + 1], w)[0] == pytest.approx(expected, rel=1e-12)
    both = sum(mean_poisson_deviance(y[:, k], np.exp(z[:, k])) / 2 for k in (0, 1))
    assert loss(z, y)[0] == pytest.approx(both, rel=1e-12)
    np.testing.assert_allclose(loss(z, y)[1], (np.exp(z) - y) / 40, rtol=1e-13)


def test_poisson_predicts_exp_and_refuses_negative_targets(rng):
    loss = HalfPoissonDeviance()
    assert loss.output_activation == "exp"
    z = np.array([[-800.0], [0.0], [2.0], [800.0]])
    np.testing.assert_array_equal(loss.predict(z), [[0.0], [1.0], [np.exp(2.0)], [np.inf]])
    assert loss.encode_target([0, 2.5, 7], 1).shape == (3, 1)
    with pytest.raises(ValueError, match=r"requires non-negative y .* down to -0\.5"):
        loss.encode_target([[1.0], [-0.5]], 1)


def test_poisson_keeps_float32_outputs_float32(rng):
    z = rng.normal(size=(6, 2)).astype(np.float32)
    y = rng.poisson(2.0, (6, 2)).astype(np.float32)
    value, grad = HalfPoissonDeviance()(z, y)
    assert grad.dtype == np.float32 and np.isfinite(value)
    np.testing.assert_allclose(grad, (np.exp(z.astype(float)) - y) / 6, rtol=1e-5)


def test_exp_excess_series_meets_expm1_where_they_hand_over():
    # both forms agree to rounding at |r| = 1/2 and the series is exact for tiny r
    r = np.array([-0.5, 0.5, np.nextafter(0.5, 1), 1e-150, -1e-8, 0.0])
    expected = [float(_half_deviance(x, 1.0)[0]) for x in r]   # y = 1: exp(r) - 1 - r
    np.testing.assert_allclose(exp_excess(r), expected, rtol=4e-16, atol=0)
