import numpy as np
import pytest

from skscratch import MLPFromScratch, Network
from skscratch.callbacks import (
    Callback,
    CosineDecay,
    LearningRateScheduler,
    OneCycle,
    ReduceLROnPlateau,
)
from skscratch.layers import Dense
from tests.callbacks.conftest import quiet_fit


def test_invscaling_keeps_scikit_learns_rate_per_epoch(digits):
    X, y = digits[0][:300], digits[1][:300]
    est = quiet_fit(MLPFromScratch((8,), solver="sgd", learning_rate="invscaling",
                                   learning_rate_init=0.5, power_t=0.5, max_iter=4,
                                   random_state=0), X, y)
    rates = [r["learning_rate"] for r in est.history_]
    # epoch k runs at initial / (t + 1) ** power_t with t = samples seen before it
    np.testing.assert_allclose(rates, [0.5 / (300 * k + 1) ** 0.5 for k in range(4)])
    est.partial_fit(X[:100], y[:100])            # t continues across partial_fit
    assert est.history_[-1]["learning_rate"] == pytest.approx(0.5 / (1200 + 1) ** 0.5)


def test_adam_ignores_the_sgd_schedules_as_in_scikit_learn(digits):
    X, y = digits[0][:300], digits[1][:300]
    est = quiet_fit(MLPFromScratch((8,), learning_rate="invscaling", max_iter=3,
                                   random_state=0), X, y)
    assert {r["learning_rate"] for r in est.history_} == {1e-3}


def _step_decay(epoch):
    return 0.01 * 0.5 ** (epoch // 2)


def _keras_style(epoch, rate):
    return rate * 0.9 if epoch else rate


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_learning_rate_scheduler_works_for_every_optimizer(solver, digits):
    X, y = digits[0][:300], digits[1][:300]
    est = quiet_fit(MLPFromScratch((8,), solver=solver, max_iter=5, random_state=0,
                                   callbacks=[LearningRateScheduler(_step_decay)]), X, y)
    assert [r["learning_rate"] for r in est.history_] == [0.01, 0.01, 0.005, 0.005, 0.0025]
    est = quiet_fit(MLPFromScratch((8,), solver=solver, max_iter=3, learning_rate_init=0.1,
                                   random_state=0,
                                   callbacks=[LearningRateScheduler(_keras_style)]), X, y)
    np.testing.assert_allclose([r["learning_rate"] for r in est.history_], [0.1, 0.09, 0.081])


def test_a_schedule_giving_a_bad_rate_is_refused(digits):
    X, y = digits[0][:100], digits[1][:100]
    est = MLPFromScratch((4,), max_iter=3, callbacks=[LearningRateScheduler(lambda e: -1.0)])
    with pytest.raises(ValueError, match="rates must be positive"):
        quiet_fit(est, X, y)


def test_adam_with_reduce_lr_on_plateau_lowers_its_rate_when_the_loss_stalls(digits):
    X, y = digits
    reducer = ReduceLROnPlateau("loss", factor=0.5, patience=2, min_delta=1e-3)
    est = quiet_fit(MLPFromScratch((64,), learning_rate_init=0.05, max_iter=60,
                                   n_iter_no_change=1000, callbacks=[reducer],
                                   random_state=0), X, y)
    rates = [r["learning_rate"] for r in est.history_]
    assert reducer.reductions, "the loss of a too-large rate stalls: the rate must fall"
    first_epoch, first_rate = reducer.reductions[0]
    first_epoch += 1                    # counted from 1, as history_ counts
    assert first_rate == pytest.approx(0.025)
    assert rates[first_epoch] == pytest.approx(0.025)        # the next epoch runs at it
    # the two epochs before the reduction did not beat the best loss by min_delta
    curve = est.loss_curve_
    assert min(curve[first_epoch - 2:first_epoch]) > min(curve[:first_epoch - 2]) - 1e-3
    assert rates == sorted(rates, reverse=True)
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=2)


def test_invscaling_warm_start_matches_scikit_learn_epoch_by_epoch(digits):
    from sklearn.neural_network import MLPClassifier
    X, y = digits[0][:300], digits[1][:300]
    settings = dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.1,
                    power_t=0.5, max_iter=3, warm_start=True, random_state=0)

    def rates(est):
        seen = []
        for _ in range(2):
            quiet_fit(est, X, y)
            seen += [r["learning_rate"] for r in est.history_[len(seen):]] if hasattr(
                est, "history_") else []
        return seen

    ours = rates(MLPFromScratch((8,), **settings))
    # scikit-learn's optimizer: lr_init for a fresh optimizer, then lr_init / (t + 1) ** p
    # after every epoch, t counting samples; a warm-start fit makes a fresh optimizer
    expected = [0.1, 0.1 / 301 ** 0.5, 0.1 / 601 ** 0.5, 0.1, 0.1 / 1201 ** 0.5,
                0.1 / 1501 ** 0.5]
    np.testing.assert_allclose(ours, expected)
    reference = MLPClassifier((8,), **settings)
    for _ in range(2):
        quiet_fit(reference, X, y)
    assert reference._optimizer.learning_rate == pytest.approx(0.1 / 1801 ** 0.5)


def test_schedules_with_defaults_are_called_with_the_epoch_only(digits):
    import functools

    def step(epoch, base=0.1):
        return base / (1 + epoch)

    X, y = digits[0][:100], digits[1][:100]
    est = quiet_fit(MLPFromScratch((4,), max_iter=3, random_state=0, callbacks=[
        LearningRateScheduler(functools.partial(step, base=0.2))]), X, y)
    np.testing.assert_allclose([r["learning_rate"] for r in est.history_], [0.2, 0.1, 0.2 / 3])


# ------------------------------------------------------------ per-step schedules
class StepRecorder(Callback):
    """The rate (and momentum) each gradient step runs at, read after the schedules."""

    def __init__(self):
        self.rates, self.momenta = [], []

    def on_train_batch_begin(self, batch, logs=None):
        self.rates.append(self.model.optimizer.learning_rate)
        self.momenta.append(getattr(self.model.optimizer, "momentum", None))


def _one_cycle_formula(steps, total, peak, pct=0.3, div=25.0, final_div=1e4,
                       momenta=(0.85, 0.95)):
    """PyTorch's OneCycleLR (two phases, cosine), written out with NumPy."""
    s = np.asarray(steps, dtype=float)
    w = pct * total - 1
    warm = s <= w
    f = np.where(warm, s / w, (s - w) / (total - 1 - w))
    start = np.where(warm, peak / div, peak)
    end = np.where(warm, peak, peak / div / final_div)
    low, high = momenta
    half = (1 + np.cos(np.pi * f)) / 2
    rates = end + (start - end) * half
    momentum = np.where(warm, low + (high - low) * half, high + (low - high) * half)
    return rates, momentum


def _cosine_formula(steps, total, peak, warmup, alpha):
    s = np.asarray(steps, dtype=float)
    w = round(warmup * total)
    decay = peak * (alpha + (1 - alpha) * (1 + np.cos(np.pi * (s - w) / (total - w))) / 2)
    return np.where(s < w, peak * (s + 1) / max(w, 1), decay)


def test_one_cycle_rates_and_momenta_follow_the_formula_step_by_step(digits):
    X, y = digits[0][:300], digits[1][:300]
    seen = StepRecorder()
    est = quiet_fit(MLPFromScratch((8,), solver="sgd", batch_size=64, max_iter=4,
                                   learning_rate_init=0.05, n_iter_no_change=1000,
                                   random_state=0, callbacks=[OneCycle(), seen]), X, y)
    total = 4 * 5                                    # 4 epochs of ceil(300 / 64) batches
    rates, momenta = _one_cycle_formula(np.arange(total), total, 0.05)
    np.testing.assert_allclose(seen.rates, rates, rtol=1e-12)
    np.testing.assert_allclose(seen.momenta, momenta, rtol=1e-12)
    assert max(seen.rates) == pytest.approx(0.05) and seen.rates[-1] < 0.05 / 25 / 1e3
    # each epoch's record shows the rate of its first step
    np.testing.assert_allclose([r["learning_rate"] for r in est.history_], rates[::5])


@pytest.mark.parametrize("warmup, alpha", [(0.0, 0.0), (0.25, 0.1)])
def test_cosine_decay_rates_follow_the_formula_step_by_step(digits, warmup, alpha):
    X, y = digits[0][:300], digits[1][:300]
    seen = StepRecorder()
    net = Network([Dense(8, "relu"), Dense(10)])
    net.fit(X, y, loss="log_loss", optimizer="adam", learning_rate=0.02, epochs=3,
            batch_size=100, random_state=0,
            callbacks=[CosineDecay(warmup=warmup, alpha=alpha), seen])
    np.testing.assert_allclose(seen.rates, _cosine_formula(np.arange(9), 9, 0.02, warmup,
                                                           alpha), rtol=1e-12)
    assert set(seen.momenta) == {None}               # Adam: no momentum to touch


def _warm_then_anneal(epoch):
    # OneCycle over 6 steps peaking at 0.01, one step per epoch, spelled out by hand
    return float(_one_cycle_formula([epoch], 6, 0.01)[0][0])


def test_a_one_cycle_fit_equals_the_fit_with_a_hand_written_scheduler(digits):
    X, y = digits[0][:200], digits[1][:200]
    settings = dict(batch_size=200, max_iter=6, n_iter_no_change=1000, random_state=0)
    cycled = quiet_fit(MLPFromScratch((8,), callbacks=[OneCycle(max_lr=0.01)], **settings),
                       X, y)
    by_hand = quiet_fit(MLPFromScratch((8,), callbacks=[
        LearningRateScheduler(_warm_then_anneal)], **settings), X, y)
    assert cycled.loss_curve_ == by_hand.loss_curve_
    for a, b in zip(cycled.coefs_ + cycled.intercepts_, by_hand.coefs_ + by_hand.intercepts_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("schedule", ["one_cycle", "cosine"])
def test_lbfgs_ignores_the_step_schedules_as_it_ignores_scikit_learns(schedule, digits):
    X, y = digits[0][:200], digits[1][:200]
    settings = dict(solver="lbfgs", max_iter=5, random_state=0)
    scheduled = quiet_fit(MLPFromScratch((8,), learning_rate=schedule, **settings), X, y)
    constant = quiet_fit(MLPFromScratch((8,), **settings), X, y)
    for a, b in zip(scheduled.coefs_, constant.coefs_):
        np.testing.assert_array_equal(a, b)

def test_a_continued_fit_carries_the_schedule_on_and_holds_its_last_rate(digits):
    X, y = digits[0][:100], digits[1][:100]
    schedule, seen = CosineDecay(total_steps=3, warmup=0.0), StepRecorder()
    est = MLPFromScratch((4,), batch_size=50, max_iter=1, learning_rate_init=0.1,
                         warm_start=True, random_state=0, callbacks=[schedule, seen])
    quiet_fit(est, X, y)
    quiet_fit(est, X, y)                  # steps 2 and 3: the end holds alpha * max_lr = 0
    np.testing.assert_allclose(seen.rates, _cosine_formula([0, 1, 2, 3], 3, 0.1, 0, 0)
                               .clip(min=0) * [1, 1, 1, 0], rtol=1e-12, atol=1e-17)


@pytest.mark.parametrize("make, error, match", [
    (lambda: OneCycle(max_lr=0), ValueError, "max_lr"),
    (lambda: OneCycle(max_lr=float("nan")), ValueError, "max_lr"),
    (lambda: OneCycle(max_lr="0.1"), TypeError, "max_lr"),
    (lambda: OneCycle(total_steps=0), ValueError, "total_steps"),
    (lambda: OneCycle(total_steps=2.5), TypeError, "total_steps"),
    (lambda: OneCycle(pct_start=1.0), ValueError, "pct_start"),
    (lambda: OneCycle(div_factor=0.5), ValueError, "div_factor"),
    (lambda: OneCycle(final_div_factor=-1), ValueError, "final_div_factor"),
    (lambda: OneCycle(cycle_momentum="yes"), TypeError, "cycle_momentum"),
    (lambda: OneCycle(base_momentum=0.96), ValueError, "base_momentum"),
    (lambda: OneCycle(max_momentum=1.5), ValueError, "max_momentum"),
    (lambda: CosineDecay(warmup=1.0), ValueError, "warmup"),
    (lambda: CosineDecay(alpha=-0.1), ValueError, "alpha"),
])
def test_schedules_refuse_bad_settings_where_they_are_written(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_schedule_asked_for_a_rate_before_it_knows_its_length_says_so():
    with pytest.raises(RuntimeError, match="total_steps"):
        OneCycle(max_lr=0.1).rate(0)
