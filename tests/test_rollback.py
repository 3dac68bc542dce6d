"""One rollback: the snapshot a failed training call is put back to, and the divergence rules."""

import threading

import numpy as np
import pytest

from skscratch import Model, Network
from skscratch.callbacks import Callback, EarlyStopping, ReduceLROnPlateau
from skscratch.layers import BatchNorm, Dense, Dropout, Input
from skscratch.optimizers import SGD
from skscratch.rollback import Snapshot
from skscratch.training import BLOWUP_FACTOR, Divergence, check_finite, start_loss
from tests.conftest import linear_data, small_trainer


def _fails(snapshot, change):
    """Run ``change`` inside ``snapshot`` and fail; the snapshot puts everything back."""
    with pytest.raises(RuntimeError, match="the call fails"), snapshot:
        change()
        raise RuntimeError("the call fails")


def _same_arrays(a, b):
    assert len(a) == len(b)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p, q)


def test_divergence_raises_and_leaves_the_weights_as_before_the_fit(rng):
    x, y = linear_data(rng)
    trainer = small_trainer(rng, optimizer=SGD(1e6, momentum=0), tol=None, batch_size=1)
    before = trainer.network.get_weights()
    with pytest.raises(FloatingPointError, match="smaller learning rate"), \
            np.errstate(over="ignore", invalid="ignore"):
        trainer.fit(x * 1e3, y * 1e3, max_epochs=50)
    _same_arrays(trainer.network.get_weights(), before)


def test_a_keras_fit_that_diverges_raises_a_value_error_and_changes_nothing(rng):
    # the estimators turn a divergence into a ValueError; Network.fit let a bare
    # FloatingPointError through, unlike every other refusal of a bad setting
    x, y = linear_data(rng)
    net = Network([Dense(4, activation="relu"), Dense(1)])
    net.fit(x, y, epochs=1, random_state=0)
    before = net.get_weights()
    with pytest.raises(ValueError, match="diverged at epoch 1.*smaller learning rate"):
        net.fit(x, y, epochs=2, optimizer="sgd", learning_rate=1e300, random_state=0)
    _same_arrays(net.get_weights(), before)


def test_a_divergence_carries_its_parts_for_callers_to_word_their_own_advice(rng):
    x, y = linear_data(rng)
    trainer = small_trainer(rng, optimizer=SGD(1e6, momentum=0), tol=None, batch_size=1)
    with pytest.raises(Divergence) as info, np.errstate(over="ignore", invalid="ignore"):
        trainer.fit(x * 1e3, y * 1e3, max_epochs=50)
    exc = info.value
    assert isinstance(exc, FloatingPointError) and exc.learning_rate == 1e6
    assert exc.step.startswith("epoch ") and exc.problem.startswith("the ")
    assert str(exc) == (f"Training diverged at {exc.step}: {exc.problem}. Try a smaller "
                        "learning rate (it was 1e+06) or scale the inputs.")
    assert str(Divergence("L-BFGS iteration 3", "the loss became nan")) == (
        "Training diverged at L-BFGS iteration 3: the loss became nan. Scale the inputs.")


def test_keyboard_interrupt_leaves_everything_as_before_the_fit_and_propagates(rng):
    # Ctrl-C in the second epoch: one snapshot per call puts back the weights, the
    # optimizer's moments and step count, the record and the generator of before the
    # call (not of the last complete epoch), and the interrupt propagates
    x, y = linear_data(rng)
    trainer = small_trainer(np.random.default_rng(1), batch_size=16)
    trainer.fit(x, y, max_epochs=1)
    state, weights = trainer.state, trainer.network.get_weights()
    moments = [m.copy() for m in trainer.optimizer.get_state()[1]]
    steps, stream = trainer.optimizer.t, trainer.rng.bit_generator.state
    calls = {"n": 0}
    original = trainer.train_batch

    def interrupt_in_the_second_epoch(*args):
        calls["n"] += 1
        if calls["n"] == 8 + 3:          # 8 batches an epoch
            raise KeyboardInterrupt
        return original(*args)

    trainer.train_batch = interrupt_in_the_second_epoch
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(x, y, max_epochs=5, state=state)
    assert state.n_iter == 1 and len(state.loss_curve) == len(state.history) == 1
    _same_arrays(trainer.network.get_weights(), weights)
    _same_arrays(trainer.optimizer.get_state()[1], moments)
    assert trainer.optimizer.t == steps and trainer.rng.bit_generator.state == stream


def test_a_snapshot_puts_back_weights_optimizer_record_and_generator(rng):
    x, y = linear_data(rng)
    trainer = small_trainer(rng, batch_size=16)
    trainer.fit(x, y, max_epochs=1)
    net, optimizer, state = trainer.network, trainer.optimizer, trainer.state
    weights, moments = net.get_weights(), [m.copy() for m in optimizer.get_state()[1]]
    steps, curve, stream = optimizer.t, state.loss_curve, rng.bit_generator.state

    def train_on():
        trainer.fit(x, y, max_epochs=2, state=state)
        optimizer.learning_rate = 0.5

    _fails(Snapshot(net, optimizer, state, rng), train_on)
    _same_arrays(net.get_weights(), weights)
    _same_arrays(optimizer.get_state()[1], moments)
    assert optimizer.t == steps and optimizer.learning_rate == 0.01
    assert state.loss_curve is curve and len(curve) == state.n_iter == 1  # the same list
    assert rng.bit_generator.state == stream


def test_a_snapshot_puts_back_a_network_a_call_changed(rng):
    # the structure comes back, not only the values: a layer added (and the network
    # built again, which re-packs every weight), a layer rebuilt, an unbuilt network
    net = Network([Dense(4, "tanh"), BatchNorm(), Dense(1)]).build((3,), rng)
    net.predict(rng.standard_normal((5, 3)))
    flat, weights = net.flat_params, net.get_weights()

    def grow():
        net.add(Dense(2)).build((3,), rng)
        net.layers[0].build((3,), rng)
        net.flat_params[:] = np.nan

    _fails(Snapshot(net), grow)
    assert len(net.layers) == 3 and net.built and net.flat_params is flat
    _same_arrays(net.get_weights(), weights)
    assert np.shares_memory(net.layers[0].params["W"], net.flat_params)
    fresh = Network([Dense(2)])
    _fails(Snapshot(fresh), lambda: fresh.build((3,), rng))
    assert not fresh.built and not fresh.layers[0].built and fresh.layers[0].params == {}


def test_a_snapshot_of_a_model_keeps_a_nested_networks_packing_and_dropout_stream(rng):
    inner = Network([Dense(3, "relu"), Dropout(0.5)])
    x = Input((4,))
    model = Model(x, Dense(1)(inner(x))).build(random_state=rng)
    owners = [leaf._owner for leaf in model.leaf_layers() if leaf.params]
    stream = inner.layers[1].rng.bit_generator.state
    weights = model.get_weights()

    def train():
        model.fit(rng.standard_normal((20, 4)), rng.standard_normal((20, 1)), epochs=2)
        inner.flat_params                  # the inner network takes its leaves back

    _fails(Snapshot(model), train)
    assert [leaf._owner for leaf in model.leaf_layers() if leaf.params] == owners
    assert inner.layers[1].rng.bit_generator.state == stream
    _same_arrays(model.get_weights(), weights)


class Counting(Callback):
    def __init__(self):
        self.seen, self.rule, self.lock = [], {"best": 1.0}, threading.Lock()

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(epoch)
        self.rule["best"] = 0.0


def test_a_snapshot_puts_back_callbacks_but_not_what_is_lent_to_them(rng):
    x, y = linear_data(rng)
    trainer = small_trainer(rng, batch_size=16)
    stop = EarlyStopping("loss", restore_best_weights=True, patience=5)
    plateau, counting = ReduceLROnPlateau("loss", patience=1, factor=0.5), Counting()
    trainer.callbacks += [stop, plateau, counting]
    trainer.fit(x, y, max_epochs=3)
    seen, best, lock = counting.seen, stop._best_weights, counting.lock
    before = {id(c): {k: v for k, v in vars(c).items()} for c in (stop, plateau, counting)}
    state = (stop.best_epoch, stop._rule.best, plateau.wait, list(plateau.reductions),
             list(seen), dict(counting.rule))

    def train_on():
        trainer.fit(x, y, max_epochs=4, state=trainer.state)

    _fails(Snapshot(trainer.network, callbacks=trainer.callbacks), train_on)
    assert (stop.best_epoch, stop._rule.best, plateau.wait, plateau.reductions, seen,
            counting.rule) == state
    assert counting.seen is seen and counting.lock is lock      # same list; a lock as is
    _same_arrays(stop._best_weights, best)
    for c in (stop, plateau, counting):                         # lent: the same objects
        assert c.model is before[id(c)]["model"] is trainer.network
        assert c.params is before[id(c)]["params"]


def test_a_failed_fit_puts_back_the_trainer_and_its_callbacks_by_itself(rng):
    x, y = linear_data(rng)
    trainer = small_trainer(rng, batch_size=16)
    plateau = ReduceLROnPlateau("loss", patience=1, factor=0.5, min_delta=10.0)
    trainer.callbacks.append(plateau)
    trainer.fit(x, y, max_epochs=2)
    rate, reductions, state = trainer.optimizer.learning_rate, list(plateau.reductions), \
        trainer.state

    class Boom(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 4:
                raise RuntimeError("boom")

    trainer.callbacks.append(Boom())
    with pytest.raises(RuntimeError, match="boom"):
        trainer.fit(x, y, max_epochs=5, state=state)
    assert trainer.optimizer.learning_rate == rate and plateau.reductions == reductions
    assert trainer.state is state and state.n_iter == 2


def test_a_callbacks_reports_stay_as_the_failed_call_left_them(rng):
    # a range test's losses up to a divergence are its finding, not state to undo;
    # the callback's other attributes come back, whether the call rebound them or not
    x, y = linear_data(rng)
    trainer = small_trainer(rng, batch_size=16)

    class Recording(Callback):
        reports = ("losses",)

        def __init__(self):
            self.losses, self.epochs = [], []

        def on_train_begin(self, logs=None):
            self.losses = []                    # rebound by each call

        def on_epoch_end(self, epoch, logs=None):
            self.losses.append(logs["loss"])
            self.epochs.append(epoch)
            if epoch == 2:
                raise RuntimeError("boom")

    recording = Recording()
    trainer.callbacks.append(recording)
    state = trainer.state
    with pytest.raises(RuntimeError, match="boom"):
        trainer.fit(x, y, max_epochs=5)
    assert len(recording.losses) == 3 and recording.epochs == []
    assert trainer.state is state


def test_check_finite_names_a_blow_up_against_the_start_loss(rng):
    x, y = linear_data(rng)
    trainer = small_trainer(rng, batch_size=16)
    trainer.fit(x, y, max_epochs=1)
    start = start_loss(trainer, x, y, None)
    assert start == pytest.approx(float(trainer.loss(trainer.network.predict(x[:16]),
                                                      y[:16])[0]))
    trainer.state.start_loss = start
    check_finite(trainer, BLOWUP_FACTOR * max(start, 1.0))       # at the limit: no blow-up
    with pytest.raises(FloatingPointError, match="epoch 2: the loss grew to .* before"):
        check_finite(trainer, 2 * BLOWUP_FACTOR * max(start, 1.0))
    with pytest.raises(FloatingPointError, match="the loss became nan"):
        check_finite(trainer, float("nan"))


def test_a_callbacks_bound_method_keeps_its_object():
    # FunctionCallback(tracker.on_epoch): the tracker is the user's, not the callback's;
    # a copy would make the restored callback call a copy of it
    from skscratch.callbacks import FunctionCallback

    class Tracker:
        def __init__(self):
            self.epochs = 0

        def on_epoch(self, owner, logs):
            self.epochs += 1

    tracker = Tracker()
    callback = FunctionCallback(tracker.on_epoch)
    callback.notes = ["before"]
    _fails(Snapshot(callbacks=[callback]), lambda: callback.notes.append("during"))
    assert callback.function.__self__ is tracker and callback.notes == ["before"]
