"""The callback contract: hooks in order, batches only for listeners, clean failures."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_validate

from skscratch import MLPFromScratch, Network, Trainer
from skscratch.callbacks import Callback, CallbackList, EarlyStopping, History, LambdaCallback
from skscratch.layers import Dense
from tests.callbacks.conftest import quiet_fit


class Recorder(Callback):
    """Remembers every hook call (picklable, so estimators clone and pickle)."""

    def __init__(self):
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls = [("train_begin", self.params["initial_epoch"], self.params["epochs"])]

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("batch_begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch", batch, logs["size"]))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, logs["epoch"], self.trainer.owner.n_iter_))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", logs["epoch"]))


def test_hooks_are_called_in_order_with_an_up_to_date_estimator(digits):
    X, y = digits[0][:250], digits[1][:250]
    recorder = Recorder()
    est = quiet_fit(MLPFromScratch((8,), max_iter=2, batch_size=100, callbacks=[recorder],
                                   random_state=0), X, y)
    batches = [("batch_begin", 0), ("batch", 0, 100), ("batch_begin", 1), ("batch", 1, 100),
               ("batch_begin", 2), ("batch", 2, 50)]
    assert recorder.calls == [
        ("train_begin", 0, 2),
        ("epoch_begin", 0), *batches, ("epoch_end", 0, 1, 1),
        ("epoch_begin", 1), *batches, ("epoch_end", 1, 2, 2),
        ("train_end", 2)]
    est.set_params(warm_start=True)
    quiet_fit(est, X, y)               # a continued fit: Keras's initial_epoch and epochs
    assert recorder.calls[0] == ("train_begin", 2, 4) and recorder.calls[-1] == ("train_end", 4)


def test_callbacks_see_the_model_its_optimizer_and_stop_it_as_in_keras(digits):
    X, y = digits[0][:200], digits[1][:200]
    seen = []

    class StopAtTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((self.model, self.model.optimizer.learning_rate))
            if epoch == 1:
                self.model.stop_training = True

    est = quiet_fit(MLPFromScratch((4,), max_iter=9, learning_rate_init=0.01,
                                   callbacks=[StopAtTwo()], random_state=0), X, y)
    assert est.n_iter_ == 2 and all(m is est.network_ and r == 0.01 for m, r in seen)
    net = Network([Dense(10)]).fit(X, y, loss="log_loss", epochs=9, callbacks=[StopAtTwo()])
    assert len(net.history["loss"]) == 2 and net.stop_training


def test_stop_training_in_a_batch_hook_ends_the_epoch_there(digits):
    X, y = digits[0][:300], digits[1][:300]

    class StopAfterBatch(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    est = quiet_fit(MLPFromScratch((4,), max_iter=9, batch_size=50,
                                   callbacks=[StopAfterBatch()], random_state=0), X, y)
    assert est.n_iter_ == 1


def test_only_callbacks_that_override_on_batch_end_hear_batches():
    listening = CallbackList([Callback(), EarlyStopping(), Recorder()])
    assert [type(c) for c in listening.batch_callbacks] == [Recorder]
    assert CallbackList([EarlyStopping()]).batch_callbacks == []


def test_plain_functions_still_work_and_bad_callbacks_fail_before_training(digits,
                                                                           monkeypatch):
    X, y = digits[0][:200], digits[1][:200]
    est = quiet_fit(MLPFromScratch((4,), max_iter=9, callbacks=[_stop_at_three],
                                   random_state=0), X, y)
    assert est.n_iter_ == 3
    epochs = []
    monkeypatch.setattr(Trainer, "run_epoch", lambda *args, **kwargs: epochs.append(1))
    bad = MLPFromScratch((4,), max_iter=9, callbacks=[1])
    with pytest.raises(TypeError, match="callbacks must hold"):
        bad.fit(X, y)                   # it used to fail after an epoch ("not callable")
    assert not hasattr(bad, "n_iter_") and not epochs
    # Keras's History is a callback; this one is the dict fit returns, empty when made: the
    # message names its type, not only "{}"
    with pytest.raises(TypeError, match=r"got \{\} \(a History\)"):
        MLPFromScratch((4,), callbacks=[History()]).fit(X, y)


def _stop_at_three(estimator, record):
    return record["epoch"] == 3


class Explodes(Callback):
    def __init__(self, epoch, error):
        self.epoch, self.error = epoch, error

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            raise self.error


class ExplodesMidEpoch(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch + 1

    def on_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == 1:
            raise KeyboardInterrupt


def test_ctrl_c_in_a_callback_leaves_the_estimator_as_it_was(digits):
    X, y = digits[0][:300], digits[1][:300]
    for callback in (Explodes(3, KeyboardInterrupt()), ExplodesMidEpoch(4)):
        fresh = MLPFromScratch((8,), max_iter=10, batch_size=50, callbacks=[callback],
                               random_state=0)
        with pytest.raises(KeyboardInterrupt):
            quiet_fit(fresh, X, y)
        assert not hasattr(fresh, "n_iter_")            # a first fit: still unfitted
        fitted = quiet_fit(MLPFromScratch((8,), max_iter=3, batch_size=50, random_state=0),
                           X, y)
        before = fitted.predict_proba(X)
        fitted.set_params(max_iter=10, callbacks=[callback])
        with pytest.raises(KeyboardInterrupt):
            quiet_fit(fitted, X, y)
        assert fitted.n_iter_ == 3 and len(fitted.loss_curve_) == 3   # the previous model
        np.testing.assert_array_equal(fitted.predict_proba(X), before)


def test_a_callback_that_raises_leaves_the_network_as_before_the_fit(digits):
    # The promise of every training call, Network.fit and Model.fit included: a failed or
    # interrupted call changes nothing. Not the weights of the last complete epoch: the
    # whole call is undone, so a first fit leaves the network unbuilt and a later one
    # leaves its weights, optimizer state and history as they were (fit in shorter
    # calls to keep the progress of a long run).
    X, y = digits[0][:300], digits[1][:300]
    net = Network([Dense(8, "relu"), Dense(10)])
    with pytest.raises(RuntimeError, match="boom"):
        net.fit(X, y, loss="log_loss", epochs=5, callbacks=[Explodes(2, RuntimeError("boom"))],
                random_state=0)
    assert not net.built and not hasattr(net, "history") and not hasattr(net, "compiled")
    net.fit(X, y, loss="log_loss", epochs=2, random_state=0, optimizer="adam")
    weights, history = net.get_weights(), net.history
    moments = [m.copy() for m in net.optimizer.get_state()[1]]
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, epochs=5, callbacks=[ExplodesMidEpoch(3)], random_state=1)
    for p, q in zip(net.get_weights(), weights):
        np.testing.assert_array_equal(p, q)
    for m, r in zip(net.optimizer.get_state()[1], moments):
        np.testing.assert_array_equal(m, r)
    assert net.history is history and net.history["loss"] == history["loss"]
    twin = Network([Dense(8, "relu"), Dense(10)])
    twin.fit(X, y, loss="log_loss", epochs=2, random_state=0, optimizer="adam")
    for model in (net, twin):                   # the next fit: as if nothing had failed
        model.fit(X, y, epochs=1, random_state=2)
    np.testing.assert_array_equal(net.flat_params, twin.flat_params)


def test_callbacks_in_get_params_clone_grid_search_and_cross_validation(digits):
    X, y = digits[0][:300], digits[1][:300]
    # epoch 1 improves on nothing; 2 and 3 cannot improve by 10: it stops after 3
    stopper = EarlyStopping("loss", patience=2, min_delta=10.0)
    est = MLPFromScratch((8,), max_iter=50, callbacks=[stopper], random_state=0)
    assert est.get_params()["callbacks"] == [stopper]
    copy = clone(est)
    assert copy.callbacks[0] is not stopper
    assert quiet_fit(copy, X, y).n_iter_ == 3
    assert stopper.best_epoch is None                        # the clone's copy ran
    plateau = MLPFromScratch((16,), max_iter=300, learning_rate_init=0.01, random_state=0,
                             callbacks=[EarlyStopping("loss", patience=3, min_delta=1e-3)])
    result = cross_validate(plateau, X, y, cv=3, return_estimator=True)
    assert result["test_score"].min() > 0.8
    assert all(e.callbacks[0].stopped_epoch + 1 == e.n_iter_ < 300 for e in result["estimator"])
    search = GridSearchCV(est, {"learning_rate_init": [1e-3, 1e-2]}, cv=3).fit(X, y)
    assert search.best_estimator_.n_iter_ == 3


def test_a_fit_whose_callback_raises_leaves_the_estimator_as_it_was(digits):
    from sklearn.exceptions import NotFittedError
    X, y = digits[0][:300], digits[1][:300]
    est = MLPFromScratch((8,), max_iter=10, callbacks=[Explodes(3, RuntimeError("boom"))],
                         random_state=0)
    with pytest.raises(RuntimeError, match="boom"):
        quiet_fit(est, X, y)
    with pytest.raises(NotFittedError):
        est.predict(X)
    est.set_params(callbacks=None, max_iter=3)
    before = quiet_fit(est, X[:, :40], y).predict_proba(X[:, :40])
    curve = list(est.loss_curve_)
    for warm in (False, True):                     # a fresh refit, then a continued one
        est.set_params(callbacks=[FailsToStart()], warm_start=warm)
        with pytest.raises(RuntimeError, match="cannot start"):
            quiet_fit(est, X if not warm else X[:, :40], y)
        np.testing.assert_array_equal(est.predict_proba(X[:, :40]), before)
        assert est.n_features_in_ == 40 and est.loss_curve_ == curve and est.n_iter_ == 3
    with pytest.raises(RuntimeError, match="boom"):          # partial_fit runs epoch 4
        est.set_params(callbacks=[Explodes(4, RuntimeError("boom"))]).partial_fit(
            X[:, :40], y)
    np.testing.assert_array_equal(est.predict_proba(X[:, :40]), before)
    assert est.loss_curve_ == curve and len(est.history_) == len(curve) == est.t_ // 300
    est.set_params(callbacks=[Explodes(4, RuntimeError("boom"))], warm_start=True)
    with pytest.raises(RuntimeError, match="boom"):             # a warm fit's 1st epoch
        quiet_fit(est, X[:, :40], y)
    assert est.loss_curve_ == curve and len(est.history_) == len(curve) == est.n_iter_


class FailsToStart(Callback):
    def on_train_begin(self, logs=None):
        raise RuntimeError("cannot start")


def test_callbacks_that_started_are_ended_when_a_later_one_fails_to_start(digits, tmp_path):
    from skscratch.callbacks import CSVLogger
    logger = CSVLogger(tmp_path / "log.csv")
    est = MLPFromScratch((4,), max_iter=2, callbacks=[logger, FailsToStart()])
    with pytest.raises(RuntimeError, match="cannot start"):
        est.fit(*digits)
    assert logger._file is None                 # closed, not leaked


class EndRaiser(Callback):
    def on_train_end(self, logs=None):
        raise RuntimeError("cannot end")


def test_every_callback_ends_even_when_one_fails_to(digits, tmp_path):
    from skscratch.callbacks import CSVLogger
    X, y = digits[0][:200], digits[1][:200]
    logger = CSVLogger(tmp_path / "log.csv")
    net = Network([Dense(10)])
    with pytest.raises(RuntimeError, match="cannot end"):
        net.fit(X, y, loss="log_loss", epochs=2, callbacks=[EndRaiser(), logger])
    assert logger._file is None


@pytest.mark.parametrize("continued", ["warm_start", "partial_fit"])
def test_a_failed_continued_call_leaves_the_record_as_it_was(continued, digits):
    X, y = digits[0][:300], digits[1][:300]
    est = quiet_fit(MLPFromScratch((8,), max_iter=3, warm_start=True, random_state=0), X, y)
    curve, history, t = list(est.loss_curve_), list(est.history_), est.t_
    est.set_params(callbacks=[Explodes(4, RuntimeError("boom"))])
    with pytest.raises(RuntimeError, match="boom"):
        quiet_fit(est, X, y) if continued == "warm_start" else est.partial_fit(X, y)
    assert est.loss_curve_ == curve and est.history_ == history
    assert est.t_ == t and est.n_iter_ == 3 and est._fitted.training.n_iter == 3


def test_after_a_failed_partial_fit_the_next_one_computes_what_it_would_have(digits):
    X, y = digits[0][:300], digits[1][:300]

    def make():
        est = MLPFromScratch((8,), dropout=0.2, random_state=0)
        est.partial_fit(X, y, classes=np.arange(10))
        return est

    clean, failed = make(), make()
    failed.set_params(callbacks=[Explodes(2, RuntimeError("boom"))])
    with pytest.raises(RuntimeError, match="boom"):
        failed.partial_fit(X, y)                 # shuffled and dropped out, then failed
    failed.set_params(callbacks=None)
    clean.partial_fit(X, y)
    failed.partial_fit(X, y)
    np.testing.assert_array_equal(failed.network_.flat_params, clean.network_.flat_params)


def test_a_lambda_callback_and_its_estimator_have_a_repr(digits):
    # the hooks a LambdaCallback was not given are its class's methods, whose repr is the
    # callback's own: repr recursed without end (the estimator's too, and L-BFGS's refusal
    # of a batch hook, which names the callback)
    keep = LambdaCallback(on_train_batch_end=print)
    assert repr(keep) == "LambdaCallback(on_train_batch_end=<built-in function print>)"
    assert "LambdaCallback(on_train_batch_end=" in repr(MLPFromScratch(callbacks=[keep]))
    X, y = digits[0][:50], digits[1][:50]
    with pytest.raises(TypeError, match=r"LambdaCallback\(on_train_batch_end=.*listens to"):
        MLPFromScratch(solver="lbfgs", max_iter=2, callbacks=[keep]).fit(X, y)
