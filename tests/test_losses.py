"""Every loss: values against closed forms and scikit-learn's metrics, gradients
against central differences and exact references at any margin.
"""

import numpy as np
import pytest
from scipy.special import log_softmax, softmax
from sklearn.metrics import log_loss, mean_absolute_error, mean_poisson_deviance, mean_squared_error

from skscratch.gradcheck import check_loss_gradient
from skscratch.losses import (
    AbsoluteError,
    HalfPoissonDeviance,
    Huber,
    SigmoidCrossEntropy,
    SoftmaxCrossEntropy,
    SquaredError,
    exp_excess,
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


def test_regression_values_match_scikit_learn_metrics(rng):
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


def test_classification_values_match_scikit_learn_metrics(rng):
    w = rng.uniform(0.5, 2, 30)
    labels = rng.integers(0, 4, 30)
    logits = rng.standard_normal((30, 4))
    value = SoftmaxCrossEntropy()(logits, np.eye(4)[labels], w)[0]
    assert value == pytest.approx(log_loss(labels, softmax(logits, axis=1), sample_weight=w))
    binary = rng.integers(0, 2, 30)
    z = rng.standard_normal((30, 1))
    value = SigmoidCrossEntropy()(z, binary[:, None].astype(float))[0]
    assert value == pytest.approx(log_loss(binary, 1 / (1 + np.exp(-z[:, 0]))))


@pytest.mark.parametrize("loss", [SoftmaxCrossEntropy(), SigmoidCrossEntropy()],
                         ids=lambda loss: type(loss).__name__)
def test_cross_entropy_is_stable_at_huge_logits(loss):
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]])
    target = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = loss(logits, target)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    if isinstance(loss, SoftmaxCrossEntropy):
        # sample 0 puts all mass on the wrong class: loss 2e4, sample 1 is right: loss ~0
        assert value == pytest.approx(-log_softmax(logits, axis=1)[[0, 1], [1, 1]].mean())
        assert value == pytest.approx(1e4)


def _exact_sigmoid_loss(z, y):
    from decimal import Decimal, getcontext
    getcontext().prec = 400            # enough digits to hold 1 + exp(-700)
    z = Decimal(z)
    p_log = -(1 + (-z).exp()).ln()                 # log sigmoid(z)
    q_log = -(1 + z.exp()).ln()                    # log (1 - sigmoid(z))
    return float(-(y * p_log + (1 - y) * q_log))


def _exact_softmax_loss(z, label):
    from decimal import Decimal, getcontext
    getcontext().prec = 400            # enough digits to hold 1 + exp(-700)
    zs = [Decimal(v) for v in z]
    return float(sum((v - zs[label]).exp() for v in zs).ln())


@pytest.mark.parametrize("margin", [0.5, 5.0, 20.0, 30.0, 40.0, 100.0, 700.0, 1e4])
def test_cross_entropy_values_keep_full_precision_at_any_margin(margin):
    for z, y in [(margin, 1), (-margin, 0), (margin, 0), (-margin, 1)]:
        ours = SigmoidCrossEntropy()._per_sample(np.array([[z]]), np.array([[float(y)]]))[0][0]
        assert ours == pytest.approx(_exact_sigmoid_loss(z, y), rel=1e-13, abs=0)
    logits = np.array([[margin, 0.0, -1.0, -margin / 2]])
    for label in range(4):
        target = np.eye(4)[[label]]
        ours = SoftmaxCrossEntropy()._per_sample(logits, target)[0][0]
        assert ours == pytest.approx(_exact_softmax_loss(logits[0], label), rel=1e-13, abs=0)


def _exact_sigmoid_gradient(z, y):
    from decimal import Decimal, getcontext
    getcontext().prec = 400
    return float(1 / (1 + (-Decimal(z)).exp()) - y)


def _exact_softmax_gradient(z, label):
    from decimal import Decimal, getcontext
    getcontext().prec = 400
    zs = [Decimal(v) for v in z]
    total = sum((v - zs[0]).exp() for v in zs)
    return np.array([float((v - zs[0]).exp() / total - (j == label)) for j, v in enumerate(zs)])


@pytest.mark.parametrize("margin", [0.5, 5.0, 20.0, 30.0, 40.0, 100.0, 700.0, 1e4])
def test_cross_entropy_gradients_keep_full_precision_at_any_margin(margin):
    # sigmoid(z) - 1 and softmax(z)_top - 1 used to round a confident correct
    # prediction's tiny gradient to 0 (logit 40: 0 instead of -4.2e-18)
    for z, y in [(margin, 1), (-margin, 0), (margin, 0), (-margin, 1)]:
        ours = SigmoidCrossEntropy()._per_sample(np.array([[z]]), np.array([[float(y)]]))[1]
        assert ours[0, 0] == pytest.approx(_exact_sigmoid_gradient(z, y), rel=1e-13, abs=0)
    logits = np.array([[margin, 0.0, -1.0, -margin / 2]])
    for label in range(4):
        ours = SoftmaxCrossEntropy()._per_sample(logits, np.eye(4)[[label]])[1][0]
        np.testing.assert_allclose(ours, _exact_softmax_gradient(logits[0], label),
                                   rtol=1e-13, atol=0)
