import numpy as np
import pytest

from skscratch import MLPFromScratch
from skscratch.callbacks import LearningRateScheduler, ReduceLROnPlateau
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
