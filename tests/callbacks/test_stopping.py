import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import skscratch
from skscratch import MLPFromScratch, Network
from skscratch.callbacks import (
    EarlyStopping,
    ModelCheckpoint,
    PlateauStopping,
    ReduceLROnPlateau,
)
from skscratch.layers import Dense
from tests.callbacks.conftest import quiet_fit


def test_early_stopping_restores_the_best_epoch_as_its_checkpoint_saved_it(digits, tmp_path):
    X, y = digits
    stopper = EarlyStopping("validation_score", patience=3, restore_best_weights=True)
    checkpoint = ModelCheckpoint(tmp_path / "best.npz", monitor="validation_score",
                                 save_best_only=True)
    est = MLPFromScratch((32,), max_iter=60, early_stopping=True, n_iter_no_change=1000,
                         learning_rate_init=0.01, callbacks=[stopper, checkpoint],
                         random_state=0)
    quiet_fit(est, X, y)
    assert stopper.stopped_epoch + 1 == est.n_iter_ < 60      # Keras counts from 0
    assert stopper.best_epoch == checkpoint.saved[-1][0] < est.n_iter_ - 1
    assert est.validation_scores_[stopper.best_epoch] == max(est.validation_scores_)
    best = skscratch.load(tmp_path / "best.npz")
    np.testing.assert_array_equal(best.predict_proba(X), est.predict_proba(X))
    assert best.n_iter_ == stopper.best_epoch + 1


def test_early_stopping_on_the_training_loss_with_patience(digits):
    X, y = digits[0][:400], digits[1][:400]
    stopper = EarlyStopping("loss", patience=2, min_delta=0.05)
    est = quiet_fit(MLPFromScratch((16,), max_iter=200, callbacks=[stopper], random_state=0),
                    X, y)
    curve = est.loss_curve_
    assert est.n_iter_ < 200 and stopper.stopped_epoch + 1 == est.n_iter_
    # the last two epochs did not beat the best by min_delta; the one before did
    best = min(curve[:-2])
    assert min(curve[-2:]) > best - 0.05


def test_a_missing_validation_monitor_falls_back_to_the_training_loss_once(digits):
    X, y = digits[0][:200], digits[1][:200]
    for monitor in ("validation_score", "val_loss"):
        stopper = EarlyStopping(monitor, patience=2, min_delta=100.0)
        est = MLPFromScratch((4,), max_iter=9, callbacks=[stopper], random_state=0)
        with pytest.warns(UserWarning, match=f"monitors '{monitor}'.*watches 'loss'") as seen:
            quiet_fit(est, X, y)
        assert len([w for w in seen if "watches" in str(w.message)]) == 1
        assert est.n_iter_ == 3 and stopper.best_epoch == 0     # lower loss is better


def test_early_stopping_names_what_it_cannot_monitor(digits):
    X, y = digits[0][:200], digits[1][:200]
    est = MLPFromScratch((4,), max_iter=3, callbacks=[EarlyStopping("val_acuracy")])
    with pytest.raises(ValueError, match="'val_acuracy', which this fit does not record"):
        quiet_fit(est, X, y)
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_early_stopping_with_validation_data_in_model_fit(digits):
    X, y = digits
    net = Network([Dense(32, "relu"), Dense(10)])
    stopper = EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    net.fit(X[:1200], y[:1200], loss="log_loss", optimizer="adam", learning_rate=0.05,
            epochs=100, validation_data=(X[1200:], y[1200:]), callbacks=[stopper],
            random_state=0)
    val = net.history["val_loss"]
    assert len(val) < 100 and stopper.best_epoch == int(np.argmin(val))
    logits = net.predict(X[1200:])
    from skscratch.losses import SoftmaxCrossEntropy, one_hot
    restored = SoftmaxCrossEntropy()(logits, one_hot(y[1200:], 10))[0]
    assert restored == pytest.approx(min(val), rel=1e-12)


@pytest.mark.parametrize("adaptive", [False, True])
def test_plateau_rule_counts_like_scikit_learn(adaptive):
    rule = PlateauStopping(tol=0.1, n_iter_no_change=2, adaptive=adaptive)
    rule.trainer = SimpleNamespace(state=skscratch.training.TrainingState())
    rule.model = SimpleNamespace(optimizer=skscratch.optimizers.SGD(1e-5), stop_training=False)

    def stops(losses):
        result = []
        for loss in losses:
            rule.on_epoch_end(0, {"loss": loss})
            result.append(rule.model.stop_training)
        return result

    # 1.0 improves on inf; 0.95, 0.93, 0.92 do not improve by tol: count 1, 2, 3 > 2
    if not adaptive:
        assert stops([1.0, 0.95, 0.93, 0.92]) == [False, False, False, True]
        assert rule.trainer.state.stopped == "converged"
        return
    assert stops([1.0, 0.95, 0.93, 0.92]) == [False] * 4   # divided by 5 instead of stopping
    assert rule.model.optimizer.learning_rate == pytest.approx(2e-6)
    assert stops([0.92] * 6) == [False, False, False, False, False, True]   # 4e-7 <= 1e-6
    assert rule.model.optimizer.learning_rate == pytest.approx(4e-7)


def test_estimators_with_adaptive_sgd_divide_the_rate_by_five(digits):
    X, y = digits[0][:300], digits[1][:300]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPFromScratch((8,), solver="sgd", learning_rate="adaptive", tol=10.0,
                             n_iter_no_change=2, learning_rate_init=0.1, max_iter=30,
                             random_state=0).fit(X, y)
    rates = [r["learning_rate"] for r in est.history_]
    assert rates[:4] == [0.1] * 4
    assert rates[4] == pytest.approx(0.02) and rates[8] == pytest.approx(0.004)


def test_the_users_early_stopping_restore_wins_over_scikit_learns(digits, tmp_path):
    X, y = digits
    checkpoint = ModelCheckpoint(tmp_path / "best_loss.npz", monitor="loss",
                                 save_best_only=True)
    stopper = EarlyStopping("loss", patience=100, restore_best_weights=True)
    est = quiet_fit(MLPFromScratch((16,), max_iter=12, early_stopping=True, random_state=0,
                                   learning_rate_init=0.05, n_iter_no_change=100,
                                   callbacks=[stopper, checkpoint]), X, y)
    best_loss_epoch = int(np.argmin(est.loss_curve_))
    assert stopper.best_epoch == best_loss_epoch
    np.testing.assert_array_equal(skscratch.load(tmp_path / "best_loss.npz").predict_proba(X),
                                  est.predict_proba(X))


def test_patience_builds_up_across_partial_fit_calls(digits):
    X, y = digits[0][:200], digits[1][:200]
    stopper = EarlyStopping("loss", patience=2, min_delta=100.0)
    est = MLPFromScratch((4,), callbacks=[stopper], random_state=0)
    est.partial_fit(X, y, classes=np.arange(10))
    est.partial_fit(X, y)
    assert stopper.stopped_epoch == 0 and stopper.wait == 1     # Keras's 0: not stopped
    est.partial_fit(X, y)
    assert stopper.best_epoch == 0 and stopper.stopped_epoch == 2


def test_keras_counters_of_early_stopping_and_reduce_lr_on_plateau(digits):
    X, y = digits[0][:300], digits[1][:300]
    stop = EarlyStopping("loss", patience=50)
    reduce = ReduceLROnPlateau("loss", patience=50, cooldown=3)
    assert (stop.best, stop.wait, stop.stopped_epoch, reduce.best) == (np.inf, 0, 0, np.inf)
    assert EarlyStopping("val_accuracy").best == -np.inf          # higher is better
    net = Network([Dense(16, "relu"), Dense(10)])
    net.fit(X, y, loss="log_loss", epochs=6, callbacks=[stop, reduce], random_state=0)
    losses = net.history.history["loss"]
    assert stop.best == reduce.best == min(losses)
    assert stop.wait == reduce.wait == len(losses) - 1 - int(np.argmin(losses))
    assert stop.stopped_epoch == 0 and reduce.cooldown_counter == 0
