"""LBFGSTrainer: the whole set's loss and gradient, SciPy's L-BFGS-B, the training state."""

import numpy as np
import pytest
from scipy.optimize import minimize

from skscratch import Model, Network
from skscratch.callbacks import (
    Callback,
    LearningRateScheduler,
    ProgressBar,
    ReduceLROnPlateau,
)
from skscratch.gradcheck import numerical_gradient, relative_error
from skscratch.layers import BatchNorm, Dense, Dropout, Input
from skscratch.lbfgs import CHUNK_ELEMENTS, LBFGSTrainer, chunk_rows
from skscratch.losses import HalfSquaredError, SoftmaxCrossEntropy
from skscratch.training import Divergence, TrainingState
from tests.conftest import TOL, linear_data


def _net(rng, activation="tanh", out=1, inputs=3):
    return Network([Dense(8, activation), Dense(out)]).build((inputs,), rng)


def _classes(rng, n=90):
    x = rng.standard_normal((n, 4))
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5)
    return x, np.eye(3)[labels]


@pytest.mark.parametrize("rows", [None, 7, 1])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_gradient_is_the_whole_sets_in_any_chunks(rows, weighted, rng):
    # the objective of every sample (weighted mean loss + alpha/2 ||W||^2 / weight sum)
    # and its gradient, checked by central differences on the flat parameters
    x, y = _classes(rng, 40)
    w = rng.uniform(0.0, 3.0, 40) if weighted else None
    trainer = LBFGSTrainer(_net(rng, "logistic", 3, 4), SoftmaxCrossEntropy(), alpha=0.3,
                           chunk_rows=rows)
    trainer.batch_size = rows or 40
    flat = trainer.network.flat_params
    value, grad = trainer.loss_and_gradient(x, y, w)
    grad = grad.copy()
    numeric = numerical_gradient(lambda: trainer.loss_and_gradient(x, y, w)[0], flat)
    assert relative_error(grad, numeric) < TOL
    # the same value as one pass of the loss over every row, plus the penalty
    total = len(x) if w is None else w.sum()
    expected = (SoftmaxCrossEntropy()(trainer.network.predict(x), y, w)[0]
                + 0.15 * sum(float((p ** 2).sum()) for p, _ in trainer.network.penalized)
                / total)
    assert value == pytest.approx(expected, rel=1e-12)


def test_a_model_with_two_outputs_weighs_its_losses(rng):
    inp = Input((3,))
    hidden = Dense(6, "tanh")(inp)
    model = Model(inp, [Dense(1)(hidden), Dense(2)(hidden)]).build((3,), rng)
    x = rng.standard_normal((30, 3))
    y = (x[:, :1] * 2, np.column_stack([x[:, 1], -x[:, 2]]))
    trainer = LBFGSTrainer(model, [HalfSquaredError(), HalfSquaredError()], alpha=0.1,
                           loss_weights=[1.0, 0.25], output_names=["a", "b"], chunk_rows=8)
    trainer.batch_size = 8
    value, grad = trainer.loss_and_gradient(x, y)
    grad = grad.copy()
    numeric = numerical_gradient(lambda: trainer.loss_and_gradient(x, y)[0], model.flat_params)
    assert relative_error(grad, numeric) < TOL
    state = trainer.fit(x, y, max_iter=5)
    assert {"a_loss", "b_loss"} <= set(state.history[-1])
    record = state.history[-1]
    assert record["loss"] == pytest.approx(record["a_loss"] + 0.25 * record["b_loss"]
                                           + 0.05 * sum(float((p ** 2).sum()) for p, _ in
                                                        model.penalized) / 30, rel=1e-9)


def test_it_takes_scipys_lbfgs_steps(rng):
    # the same iterates as SciPy's L-BFGS-B on the same objective written directly
    x, y = linear_data(rng, 60)
    trainer = LBFGSTrainer(_net(np.random.default_rng(3)), HalfSquaredError(), alpha=0.01,
                           tol=1e-8)
    reference = _net(np.random.default_rng(3))
    x0 = reference.flat_params.copy()

    def objective(theta):
        reference.flat_params[...] = theta
        out = reference.forward(x, training=True)
        value, grad = HalfSquaredError()(out, y)
        reference.backward(grad)
        W = [p for p, _ in reference.penalized]
        for p, g in reference.penalized:
            g += 0.01 / 60 * p
        return value + 0.005 * sum(float((p ** 2).sum()) for p in W) / 60, \
            reference.flat_grads.copy()

    expected = minimize(objective, x0, jac=True, method="L-BFGS-B",
                        options={"maxiter": 30, "gtol": 1e-8, "maxfun": 15000})
    state = trainer.fit(x, y, max_iter=30)
    assert state.n_iter == expected.nit == trainer.result.nit
    np.testing.assert_allclose(trainer.network.flat_params, expected.x, rtol=1e-8, atol=1e-12)
    assert state.loss_curve[-1] == pytest.approx(expected.fun, rel=1e-12)


def test_the_state_counts_iterations_and_continues(rng):
    x, y = linear_data(rng, 80)
    trainer = LBFGSTrainer(_net(rng), HalfSquaredError(), tol=0.0)
    state = trainer.fit(x, y, max_iter=4)
    assert state.n_iter == len(state.loss_curve) == len(state.history) == 4
    assert state.t == 0                           # no mini-batch samples were seen
    assert state.stopped is None and trainer.result.status == 1      # maxiter
    assert all(a >= b for a, b in zip(state.loss_curve, state.loss_curve[1:]))
    assert state.best_loss == min(state.loss_curve)
    assert [r["epoch"] for r in state.history] == [1, 2, 3, 4]
    assert set(state.history[0]) == {"epoch", "loss", "validation_score", "learning_rate",
                                     "seconds"}
    assert state.history[0]["learning_rate"] is None
    again = LBFGSTrainer(trainer.network, HalfSquaredError(), tol=0.0).fit(
        x, y, max_iter=3, state=state)
    assert again is state and state.n_iter == 7 and len(state.loss_curve) == 7
    assert state.loss_curve[4] <= state.loss_curve[3]
    converged = LBFGSTrainer(_net(rng), HalfSquaredError(), tol=1e-3).fit(x, y, max_iter=500)
    assert converged.stopped == "converged"
    # a start that already meets the tolerance: no iteration, its loss the best one
    start = LBFGSTrainer(_net(rng), HalfSquaredError(), tol=1e9)
    idle = start.fit(x, y, max_iter=5)
    assert idle.n_iter == 0 and idle.loss_curve == [] and idle.stopped == "converged"
    assert idle.best_loss == start.result.fun == start.loss_and_gradient(x, y)[0]


class _Recorder(Callback):
    def __init__(self, stop_at=None):
        self.stop_at, self.calls = stop_at, []

    def on_train_begin(self, logs=None):
        self.calls.append(("begin", self.params["initial_epoch"]))

    def on_epoch_end(self, epoch, logs=None):
        # the network holds the iterate's weights: its loss is the record's
        out = self.model.predict(self.x)
        self.calls.append(("epoch", logs["epoch"], logs["loss"],
                           HalfSquaredError()(out, self.y)[0]))
        if logs["epoch"] == self.stop_at:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.calls.append(("end", logs["epoch"]))


def test_callbacks_hear_each_iteration_and_may_stop_it(rng):
    x, y = linear_data(rng, 50)
    recorder = _Recorder(stop_at=3)
    recorder.x, recorder.y = x, y
    trainer = LBFGSTrainer(_net(rng), HalfSquaredError(), callbacks=[recorder], tol=0.0)
    state = trainer.fit(x, y, max_iter=20)
    assert recorder.calls[0] == ("begin", 0)
    epochs = [c for c in recorder.calls if c[0] == "epoch"]
    assert [c[1] for c in epochs] == [1, 2, 3]
    for _, _, recorded, recomputed in epochs:
        assert recorded == pytest.approx(recomputed, rel=1e-12)
    assert recorder.calls[-1] == ("end", 3)
    assert state.stopped == "callback" and state.n_iter == 3 == trainer.result.nit
    np.testing.assert_allclose(trainer.network.flat_params, trainer.result.x)


@pytest.mark.parametrize("callback, need", [
    (ProgressBar(), "listens to batches"),
    (LearningRateScheduler(lambda epoch: 0.1), "overrides on_epoch_begin"),
    (ReduceLROnPlateau(), "sets a learning rate")])
def test_callbacks_needing_epochs_batches_or_a_rate_are_refused(callback, need, rng):
    x, y = linear_data(rng, 20)
    trainer = LBFGSTrainer(_net(rng), HalfSquaredError(), callbacks=[callback])
    before = trainer.network.get_weights()
    with pytest.raises(TypeError, match=need + ", which full-batch L-BFGS has none of"):
        trainer.fit(x, y, max_iter=2)
    for a, b in zip(before, trainer.network.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("layer, reason", [
    (Dropout(0.3), r"Dropout draws new dropout masks \(rate 0.3\)"),
    (BatchNorm(), "BatchNorm normalises each chunk")])
def test_layers_that_change_the_loss_between_evaluations_are_refused(layer, reason, rng):
    net = Network([Dense(4, "relu"), layer, Dense(1)]).build((3,), rng)
    with pytest.raises(ValueError, match=reason):
        LBFGSTrainer(net, HalfSquaredError()).fit(*linear_data(rng, 10), max_iter=2)
    # a dropout rate of 0 draws nothing
    net = Network([Dense(4, "relu"), Dropout(0.0), Dense(1)]).build((3,), rng)
    LBFGSTrainer(net, HalfSquaredError()).fit(*linear_data(rng, 10), max_iter=2)


class _Interrupt(Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.seen = self.model.get_weights()
        if logs["epoch"] == 3:
            raise KeyboardInterrupt


def test_an_interrupt_keeps_the_last_complete_iterate_and_ends_the_callbacks(rng):
    x, y = linear_data(rng, 40)
    interrupt, recorder = _Interrupt(), _Recorder()
    recorder.x, recorder.y = x, y
    trainer = LBFGSTrainer(_net(rng), HalfSquaredError(), callbacks=[recorder, interrupt])
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(x, y, max_iter=20)
    assert recorder.calls[-1] == ("end", 3)
    for a, b in zip(trainer.network.get_weights(), interrupt.seen):
        np.testing.assert_array_equal(a, b)


def test_an_interrupt_mid_evaluation_puts_back_the_last_iterate(rng, monkeypatch):
    x, y = linear_data(rng, 40)
    trainer = LBFGSTrainer(_net(rng), HalfSquaredError(), tol=0.0)
    state = trainer.fit(x, y, max_iter=2)
    last = trainer.network.flat_params.copy()
    calls = {"n": 0}
    original = trainer.loss_and_gradient

    def interrupted(*args):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(trainer, "loss_and_gradient", interrupted)
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(x, y, max_iter=20, state=state)
    kept = state.n_iter - 2                       # iterations completed before Ctrl-C
    assert 0 < kept < 4
    assert not np.array_equal(trainer.network.flat_params, last)
    # the network holds the last recorded iterate, not the trial point interrupted
    assert original(x, y)[0] == pytest.approx(state.loss_curve[-1], rel=1e-12)


def test_a_non_finite_loss_is_a_divergence_and_keeps_finite_weights(rng):
    x, y = linear_data(rng, 20)
    trainer = LBFGSTrainer(_net(rng, "relu"), HalfSquaredError())
    before = trainer.network.flat_params.copy()
    with pytest.raises(Divergence, match="at L-BFGS iteration 1: the loss became (inf|nan)"), \
            np.errstate(over="ignore"):
        trainer.fit(x * 1e300, y, max_iter=5)
    np.testing.assert_array_equal(trainer.network.flat_params, before)


def test_chunks_hold_a_bounded_workspace(rng):
    net = Network([Dense(1000, "relu"), Dense(10)])
    rows = chunk_rows(net, (50,), 10**6)
    assert rows * net.count_workspace((50,)) <= CHUNK_ELEMENTS < (rows + 1) * net.count_workspace(
        (50,))
    assert chunk_rows(net, (50,), 300) == 300
    x, y = _classes(rng, 90)
    one = LBFGSTrainer(_net(np.random.default_rng(5), "relu", 3, 4), SoftmaxCrossEntropy())
    many = LBFGSTrainer(_net(np.random.default_rng(5), "relu", 3, 4), SoftmaxCrossEntropy(),
                        chunk_rows=13)
    a, b = one.fit(x, y, max_iter=15), many.fit(x, y, max_iter=15)
    np.testing.assert_allclose(a.loss_curve, b.loss_curve, rtol=1e-10)
    assert isinstance(a, TrainingState)
