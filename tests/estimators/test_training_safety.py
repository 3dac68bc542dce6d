"""Training never poisons or destroys a model; inference never touches training state."""

import threading
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch, Trainer
from skscratch.training import TrainingState


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


@pytest.mark.parametrize("solver, rate", [("sgd", 1e3), ("adam", 1e10)])
def test_a_finite_but_exploding_run_is_reported_not_converged(solver, rate, cancer):
    X, y = cancer
    good = _quiet(MLPFromScratch((16,), solver=solver, max_iter=20, random_state=0).fit, X, y)
    before, score = good.predict_proba(X), good.score(X, y)
    good.set_params(learning_rate_init=rate, warm_start=True)
    with pytest.raises(ValueError, match="Training diverged"), \
            np.errstate(over="ignore", invalid="ignore"):
        _quiet(good.fit, X, y)
    np.testing.assert_array_equal(good.predict_proba(X), before)   # nothing destroyed
    assert good.score(X, y) == score and len(good.loss_curve_) == good.n_iter_ == 20


@pytest.mark.parametrize("solver, rate", [("sgd", 1e3), ("adam", 1e10)])
def test_a_blow_up_within_the_first_epoch_is_reported(solver, rate):
    # unscaled data: the first epoch's loss is already astronomical (1e23), so only
    # the untrained network's loss shows how far it went; it used to "converge"
    # on a constant prediction
    X, y = load_breast_cancer(return_X_y=True)
    est = MLPFromScratch((16,), solver=solver, learning_rate_init=rate, max_iter=20,
                         random_state=0)
    with pytest.raises(ValueError, match="diverged at epoch 1: the loss grew to .* before"), \
            np.errstate(over="ignore", invalid="ignore"):
        _quiet(est.fit, X, y)
    assert not hasattr(est, "n_iter_")


def test_a_large_but_shrinking_loss_is_no_blow_up():
    # targets in the thousands: the loss starts near 1e7 and only comes down
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 4))
    y = 3e3 * X[:, 0] + 1e3
    est = _quiet(MLPFromScratch((16,), task="regression", learning_rate_init=0.1, max_iter=30,
                                random_state=0).fit, X, y)
    assert est.loss_curve_[-1] < est.loss_curve_[0] and est._fitted.training.start_loss > 1e5


def test_a_batch_of_huge_values_does_not_poison_adam(cancer):
    X, y = cancer
    est = MLPFromScratch((16,), random_state=0)
    for _ in range(3):
        est.partial_fit(X, y, classes=[0, 1])
    before = [m.copy() for m in est._fitted.optimizer.get_state()[1]]
    with pytest.raises(ValueError, match="diverged"), np.errstate(over="ignore"):
        est.partial_fit(X * 1e160, y)
    for m, b in zip(est._fitted.optimizer.get_state()[1], before):
        np.testing.assert_array_equal(m, b)                        # moments untouched
    loss = est.loss_curve_[-1]
    est.partial_fit(X, y)
    assert est.loss_curve_[-1] < loss                             # and it keeps learning


def test_ctrl_c_mid_epoch_restores_the_optimizer_with_the_weights(cancer, monkeypatch):
    X, y = cancer
    reference = MLPFromScratch((16,), batch_size=64, random_state=0)
    reference.partial_fit(X, y, classes=[0, 1])
    est = MLPFromScratch((16,), batch_size=64, random_state=0)
    est.partial_fit(X, y, classes=[0, 1])
    moments = [m.copy() for m in est._fitted.optimizer.get_state()[1]]
    steps = est._fitted.optimizer.t
    calls = {"n": 0}
    original = Trainer.train_batch

    def interrupted(self, *args):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(Trainer, "train_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        est.partial_fit(X, y)
    assert est._fitted.optimizer.t == steps                       # three steps undone
    for m, b in zip(est._fitted.optimizer.get_state()[1], moments):
        np.testing.assert_array_equal(m, b)
    np.testing.assert_array_equal(est.network_.flat_params, reference.network_.flat_params)
    monkeypatch.undo()                  # and the next call computes what it would have
    est.partial_fit(X, y)
    reference.partial_fit(X, y)
    np.testing.assert_array_equal(est.network_.flat_params, reference.network_.flat_params)
    assert est.loss_curve_ == reference.loss_curve_


def test_predict_while_another_thread_trains_changes_nothing():
    X, y = load_digits(return_X_y=True)
    X = X / 16

    def train(est, stop, errors=None):
        try:
            for _ in range(15):
                est.partial_fit(X, y)
        except Exception as exc:        # noqa: BLE001 - the main thread reports it
            errors.append(exc)
        finally:
            stop.set()

    quiet, busy = (MLPFromScratch((64,), dropout=0.2, random_state=0) for _ in range(2))
    for est in (quiet, busy):
        est.partial_fit(X, y, classes=np.arange(10))
    train(quiet, threading.Event())
    stop, errors = threading.Event(), []
    worker = threading.Thread(target=train, args=(busy, stop, errors))
    worker.start()
    while not stop.is_set():
        try:
            assert np.isfinite(busy.predict_proba(X[:300])).all()
        except Exception as exc:        # noqa: BLE001 - report whatever predict raised
            errors.append(exc)
            break
    worker.join()
    assert not errors
    np.testing.assert_array_equal(busy.network_.flat_params, quiet.network_.flat_params)


def test_the_plateau_rule_and_blow_up_check_do_not_misfire_on_a_good_run(cancer):
    X, y = cancer
    est = _quiet(MLPFromScratch((32,), solver="sgd", learning_rate_init=0.5, max_iter=50,
                                random_state=0).fit, X, y)
    assert est.score(X, y) > 0.97 and isinstance(est._fitted.training, TrainingState)
