import numpy as np
import pytest
from scipy.special import log_softmax, softmax
from sklearn.metrics import log_loss

from skscratch.losses import SigmoidCrossEntropy, SoftmaxCrossEntropy


def test_values_match_scikit_learn_metrics(rng):
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
