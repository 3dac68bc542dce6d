"""A failed or interrupted call leaves estimator, network and callbacks as before (issue 26, 2)."""

import numpy as np
import pytest

from skscratch import MLPFromScratch, Model, Network, NetworkEstimator
from skscratch.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ReduceLROnPlateau,
)
from skscratch.layers import Dense, Input
from tests.callbacks.conftest import quiet_fit


class Raises(Callback):
    """Raises ``error`` at the end of epoch ``epoch`` (counted from 0, as Keras counts)."""

    def __init__(self, epoch, error=None):
        self.epoch, self.error = epoch, error

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise self.error or RuntimeError("boom")


class Grows(Callback):
    """Adds a layer to the network it trains (and rebuilds it), then raises."""

    def on_epoch_end(self, epoch, logs=None):
        self.model.add(Dense(10))
        self.model.build(self.model.input_shape)
        raise RuntimeError("grown")


class WritesNaN(Callback):
    """Writes NaN into the weights in ``hook``."""

    def __init__(self, hook):
        self.hook = hook

    def on_epoch_end(self, epoch, logs=None):
        if self.hook == "on_epoch_end":
            self.model.flat_params[0] = np.nan

    def on_train_end(self, logs=None):
        if self.hook == "on_train_end":
            self.model.flat_params[:] = np.nan


class EndFails(Callback):
    def on_train_end(self, logs=None):
        raise ValueError("cannot end")


def _same(a, b):
    np.testing.assert_array_equal(a.network_.flat_params, b.network_.flat_params)


@pytest.fixture
def small(digits):
    return digits[0][:300], digits[1][:300]


def test_after_a_failed_partial_fit_reduce_lr_on_plateau_goes_on_as_its_twin(small):
    # the plateau rule lowers the rate in the failed call: the optimizer's rate and the
    # callback's counts come back, so the next call runs at its twin's rate
    X, y = small

    def make():
        plateau = ReduceLROnPlateau("loss", patience=1, factor=0.5, min_delta=10.0)
        est = MLPFromScratch((8,), solver="sgd", learning_rate_init=0.05, random_state=0,
                             callbacks=[plateau])
        for _ in range(2):
            est.partial_fit(X, y, classes=np.arange(10))
        return est, plateau

    (clean, clean_plateau), (failed, plateau) = make(), make()
    failed.set_params(callbacks=[plateau, Raises(2)])
    with pytest.raises(RuntimeError, match="boom"):
        failed.partial_fit(X, y)
    assert plateau.reductions == clean_plateau.reductions
    failed.set_params(callbacks=[plateau])
    for est in (clean, failed):
        est.partial_fit(X, y)
    assert failed._fitted.optimizer.learning_rate == clean._fitted.optimizer.learning_rate
    assert plateau.reductions == clean_plateau.reductions and len(plateau.reductions) == 2
    _same(failed, clean)


def test_a_schedule_and_early_stopping_are_put_back_after_a_failed_continued_fit(small):
    X, y = small
    stop = EarlyStopping("loss", patience=50, restore_best_weights=True)
    schedule = LearningRateScheduler(lambda epoch, rate: rate * 0.9)
    est = quiet_fit(MLPFromScratch((8,), max_iter=3, warm_start=True, random_state=0,
                                   callbacks=[stop, schedule]), X, y)
    state = (stop.best_epoch, stop.wait, stop._rule.best, stop._best_weights)
    rate = est._fitted.optimizer.learning_rate
    est.set_params(callbacks=[stop, schedule, Raises(4, KeyboardInterrupt())])  # epochs 3, 4
    with pytest.raises(KeyboardInterrupt):
        quiet_fit(est, X, y)
    assert (stop.best_epoch, stop.wait, stop._rule.best) == state[:3] and state[0] == 2
    for p, q in zip(stop._best_weights, state[3]):
        np.testing.assert_array_equal(p, q)
    assert est._fitted.optimizer.learning_rate == rate


def test_a_reused_early_stopping_neither_hides_the_error_nor_writes_old_weights(
        small, tmp_path):
    # an EarlyStopping that kept a first network's best weights, reused on a second
    # network whose fit fails before it begins: the real error (a folder given as the
    # log file) is raised, not a shape error from writing the first network's weights
    X, y = small
    stop = EarlyStopping("loss", restore_best_weights=True, patience=3)
    Network([Dense(10)]).fit(X, y, loss="log_loss", epochs=3, callbacks=[stop])
    best = stop._best_weights
    for order in ([CSVLogger(tmp_path), stop], [stop, CSVLogger(tmp_path)]):
        other = Network([Dense(4, "relu"), Dense(10)])
        with pytest.raises(IsADirectoryError):
            other.fit(X, y, loss="log_loss", epochs=3, callbacks=order)
        assert not other.built and stop._best_weights is not None
        for p, q in zip(stop._best_weights, best):
            np.testing.assert_array_equal(p, q)


def test_an_error_ending_a_failed_fit_is_a_note_on_the_error_that_stopped_it(small):
    X, y = small
    net = Network([Dense(10)])
    with pytest.raises(RuntimeError, match="boom") as caught:
        net.fit(X, y, loss="log_loss", epochs=3, callbacks=[EndFails(), Raises(1)])
    assert any("EndFails.on_train_end then failed too" in note and "cannot end" in note
               for note in caught.value.__notes__)
    with pytest.raises(ValueError, match="cannot end"):     # alone, it is the error
        net.fit(X, y, loss="log_loss", epochs=1, callbacks=[EndFails()])
    assert not net.built


@pytest.mark.parametrize("call", ["partial_fit", "warm_start", "network_fit"])
def test_a_callback_that_changes_the_network_and_raises_leaves_it_as_it_was(call, small):
    X, y = small
    if call == "network_fit":
        net = Network([Dense(8, "relu"), Dense(10)])
        net.fit(X, y, loss="log_loss", epochs=2, random_state=0)
        before, layers = net.predict(X), list(net.layers)
        with pytest.raises(RuntimeError, match="grown"):
            net.fit(X, y, epochs=2, callbacks=[Grows()])
        assert net.layers == layers and net.built
        np.testing.assert_array_equal(net.predict(X), before)
        return

    def make():
        est = MLPFromScratch((8,), max_iter=2, warm_start=True, random_state=0)
        quiet_fit(est, X, y)
        return est

    clean, failed = make(), make()
    before, layers = failed.predict_proba(X), list(failed.network_.layers)
    failed.set_params(callbacks=[Grows()])
    with pytest.raises(RuntimeError, match="grown"):
        failed.partial_fit(X, y) if call == "partial_fit" else quiet_fit(failed, X, y)
    assert failed.network_.built and failed.network_.layers == layers
    np.testing.assert_array_equal(failed.predict_proba(X), before)
    failed.set_params(callbacks=None)
    for est in (clean, failed):
        est.partial_fit(X, y)
    _same(failed, clean)


@pytest.mark.parametrize("hook", ["on_epoch_end", "on_train_end"])
def test_a_callback_that_writes_nan_weights_fails_the_call_by_name(hook, small):
    X, y = small
    est = MLPFromScratch((8,), max_iter=3, random_state=0, callbacks=[WritesNaN(hook)])
    with pytest.raises(ValueError, match=f"not finite after the callbacks' {hook}"):
        quiet_fit(est, X, y)
    assert not hasattr(est, "network_")                     # still unfitted
    est.set_params(callbacks=None)
    fitted = quiet_fit(est, X, y).predict_proba(X)
    est.set_params(callbacks=[WritesNaN(hook)])
    with pytest.raises(ValueError, match="a callback wrote them"):
        est.partial_fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(X), fitted)


def test_parameters_a_callback_set_come_back_with_the_estimator(small):
    X, y = small

    class Retunes(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.trainer.owner.set_params(alpha=1.0, model__units=3)
            raise RuntimeError("boom")

    est = NetworkEstimator(max_iter=2, model__hidden_units=4, callbacks=[Retunes()])
    with pytest.raises(RuntimeError, match="boom"):
        est.fit(X, y)
    assert est.alpha == 1e-4 and est.get_params()["model__hidden_units"] == 4
    assert "model__units" not in est.get_params()


def test_an_interrupted_model_fit_keeps_its_compiled_setup_and_random_source(small):
    X, y = small
    x = Input((64,))
    model = Model(x, Dense(10)(Dense(8, "relu")(x)))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    compiled, optimizer = model.compiled, model.optimizer
    rng = np.random.default_rng(5)
    stream = rng.bit_generator.state
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=3, optimizer="sgd", random_state=rng,
                  callbacks=[Raises(1, KeyboardInterrupt())])
    assert model.compiled is compiled and model.optimizer is optimizer
    assert not model.built and rng.bit_generator.state == stream
    np.random.seed(3)
    state = np.random.get_state()[1].copy()
    with pytest.raises(KeyboardInterrupt):                 # seeded from NumPy's global one
        model.fit(X, y, epochs=3, callbacks=[Raises(0, KeyboardInterrupt())])
    np.testing.assert_array_equal(np.random.get_state()[1], state)
