"""Callback settings are checked where they are written, not epochs into training (issue 26, 6)."""

import numpy as np
import pytest

from skscratch import MLPFromScratch, Network
from skscratch.callbacks import (
    CosineDecay,
    CSVLogger,
    EarlyStopping,
    FunctionCallback,
    InvScaling,
    LearningRateScheduler,
    ModelCheckpoint,
    OneCycle,
    PlateauStopping,
    ProgressBar,
    ReduceLROnPlateau,
    TensorBoard,
)
from skscratch.layers import Dense
from skscratch.range_test import RangeTest
from tests.callbacks.conftest import quiet_fit

BAD_SETTINGS = [
    (lambda: EarlyStopping(patience="3"), TypeError, "EarlyStopping's patience must be an integer"),
    (lambda: EarlyStopping(patience=-1), ValueError, "patience must be at least 0"),
    (lambda: EarlyStopping(monitor=None), TypeError, "monitor must be the name"),
    (lambda: EarlyStopping(min_delta=float("nan")), ValueError,
     r"EarlyStopping's min_delta must lie in \[0, inf\)"),
    (lambda: EarlyStopping(mode="lowest"), ValueError, "mode must be"),
    (lambda: EarlyStopping(baseline="1"), TypeError, "baseline must be a number"),
    (lambda: EarlyStopping(start_from_epoch=1.5), TypeError, "start_from_epoch must be"),
    (lambda: EarlyStopping(verbose="x"), TypeError, "EarlyStopping's verbose"),
    # bool("no") is True: a string is no switch
    (lambda: EarlyStopping(restore_best_weights="no"), TypeError,
     "restore_best_weights must be True or False"),
    (lambda: ReduceLROnPlateau(patience=-1), ValueError, "patience must be at least 0"),
    (lambda: ReduceLROnPlateau(min_lr=float("nan")), ValueError, "min_lr must lie in"),
    (lambda: ReduceLROnPlateau(min_lr=-1e-3), ValueError, "min_lr must lie in"),
    (lambda: ReduceLROnPlateau(factor=1.0), ValueError, "factor must lie in"),
    (lambda: ReduceLROnPlateau(cooldown=None), TypeError, "cooldown must be an integer"),
    (lambda: ReduceLROnPlateau(monitor=None), TypeError, "monitor must be the name"),
    (lambda: ReduceLROnPlateau(verbose=-1), ValueError, "verbose must be at least 0"),
    (lambda: LearningRateScheduler(0.1), TypeError, "schedule must be callable"),
    (lambda: LearningRateScheduler(abs, verbose="1"), TypeError, "verbose must be"),
    (lambda: ModelCheckpoint(3), TypeError, "filepath must be a path"),
    # the second edition's checkpoint path: refused here, not after the first epoch
    (lambda: ModelCheckpoint("my_keras_model.h5", save_best_only=True), ValueError,
     "names an HDF5 file"),
    (lambda: ModelCheckpoint("m.npz", monitor=None), TypeError, "monitor must be the name"),
    (lambda: ModelCheckpoint("m.npz", save_best_only="yes"), TypeError,
     "save_best_only must be True or False"),
    (lambda: CSVLogger("log.csv", separator=",,"), ValueError, "separator must be one"),
    (lambda: CSVLogger(None), TypeError, "filename must be a path"),
    (lambda: CSVLogger("log.csv", append=1), TypeError, "append must be True or False"),
    (lambda: TensorBoard(histogram_freq=-1), ValueError, "histogram_freq must be at least 0"),
    (lambda: TensorBoard(log_dir=5), TypeError, "log_dir must be a path"),
    (lambda: PlateauStopping(tol=-1e-4), ValueError, "tol must lie in"),
    (lambda: PlateauStopping(n_iter_no_change=0), ValueError, "n_iter_no_change must be at"),
    (lambda: InvScaling(power_t="0.5"), TypeError, "power_t must be a number"),
    (lambda: FunctionCallback("stop"), TypeError, "takes a function"),
    (lambda: ProgressBar(use_tqdm="auto"), TypeError, "use_tqdm must be True or False"),
    # integers beyond a float's range: float() of them would raise a bare OverflowError
    (lambda: EarlyStopping(min_delta=10**400), ValueError,
     "EarlyStopping's min_delta must be a number a float can hold"),
    (lambda: ReduceLROnPlateau(min_delta=10**400), ValueError,
     "ReduceLROnPlateau's min_delta must be a number a float can hold"),
    (lambda: OneCycle(total_steps=10**400), ValueError, "OneCycle's total_steps must be at most"),
    (lambda: CosineDecay(total_steps=10**400), ValueError, "total_steps must be at most"),
    (lambda: RangeTest(steps=10**400), ValueError, "steps must be at most"),
]


@pytest.mark.parametrize("make, error, message", BAD_SETTINGS)
def test_a_bad_setting_fails_in_the_constructor(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("rate, error, message", [
    (np.inf, ValueError, "gave the learning rate inf; rates must be positive and finite"),
    (float("nan"), ValueError, "gave the learning rate nan; rates must be positive"),
    ("0.1", TypeError, "gave the learning rate '0.1'; rates are numbers"),
    (None, TypeError, "gave the learning rate None; rates are numbers"),
])
def test_a_schedule_giving_no_rate_is_named_and_changes_nothing(rate, error, message, digits):
    # a schedule is a function: its rate is checked when it gives one, at its epoch
    X, y = digits[0][:100], digits[1][:100]
    est = quiet_fit(MLPFromScratch((4,), max_iter=2, warm_start=True, random_state=0), X, y)
    before = est.predict_proba(X)
    est.set_params(callbacks=[LearningRateScheduler(lambda epoch: rate)])
    with pytest.raises(error, match=rf"The schedule at epoch 2 {message}"):
        quiet_fit(est, X, y)
    np.testing.assert_array_equal(est.predict_proba(X), before)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"verbose": "2"}, TypeError, "verbose must be 0, 1, 2 or 'auto'"),
    ({"verbose": -1}, ValueError, "verbose must be at least 0"),
    ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
])
def test_fit_settings_of_the_training_loop_are_checked_before_training(kwargs, error, message,
                                                                         digits):
    X, y = digits[0][:100], digits[1][:100]
    net = Network([Dense(10)])
    with pytest.raises(error, match=message):
        net.fit(X, y, loss="log_loss", epochs=1, **kwargs)
    assert not net.built


def test_the_settings_scikit_learn_allows_are_taken():
    # n_iter_no_change=np.inf is scikit-learn's "never stop on a plateau"
    assert PlateauStopping(n_iter_no_change=np.inf).n_iter_no_change == np.inf
    assert EarlyStopping(verbose=True).verbose == 1
    assert ProgressBar(use_tqdm=np.bool_(False)).use_tqdm is False


def test_an_inv_scaling_power_too_large_to_compute_is_named_and_changes_nothing(digits):
    # (t + 1) ** power_t beyond a float was a bare OverflowError from the public callback (the
    # estimator's own learning_rate="invscaling" already named it)
    X, y = digits[0][:100], digits[1][:100]
    est = quiet_fit(MLPFromScratch((4,), solver="sgd", max_iter=1, random_state=0), X, y)
    before = est.predict_proba(X)
    est.set_params(callbacks=[InvScaling(power_t=1e300)])
    with pytest.raises(ValueError, match="InvScaling's power_t=1e[+]300 is too large"):
        est.partial_fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(X), before)
