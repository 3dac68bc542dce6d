"""Undoing a failed epoch: the divergence rules, and the weights and optimizer put back."""

import numpy as np
import pytest

from skscratch.optimizers import SGD
from skscratch.rollback import (
    BLOWUP_FACTOR,
    Divergence,
    check_finite,
    restore,
    snapshot,
    start_loss,
)
from tests.conftest import linear_data, small_trainer


def test_divergence_raises_and_restores_finite_weights(rng):
    x, y = linear_data(rng)
    trainer = small_trainer(rng, optimizer=SGD(1e6, momentum=0), tol=None, batch_size=1)
    with pytest.raises(FloatingPointError, match="smaller learning rate"), \
            np.errstate(over="ignore", invalid="ignore"):
        trainer.fit(x * 1e3, y * 1e3, max_epochs=50)
    assert all(np.isfinite(p).all() for p in trainer.network.params)


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


def test_keyboard_interrupt_restores_the_last_complete_epoch_and_propagates(rng):
    # Ctrl-C mid-epoch is handled like any error: the weights *and* the optimizer's
    # moments of the last complete epoch come back, and the interrupt propagates
    x, y = linear_data(rng)
    reference = small_trainer(np.random.default_rng(1), batch_size=16)
    reference.fit(x, y, max_epochs=1)
    trainer = small_trainer(np.random.default_rng(1), batch_size=16)
    calls = {"n": 0}
    original = trainer.train_batch

    def interrupt_in_the_second_epoch(*args):
        calls["n"] += 1
        if calls["n"] == 8 + 3:          # 8 batches an epoch
            raise KeyboardInterrupt
        return original(*args)

    trainer.train_batch = interrupt_in_the_second_epoch
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(x, y, max_epochs=5)
    assert trainer.state.n_iter == 1 and trainer.state.stopped is None
    for p, q in zip(trainer.network.params, reference.network.params):
        np.testing.assert_array_equal(p, q)
    for m, r in zip(trainer.optimizer.get_state()[1], reference.optimizer.get_state()[1]):
        np.testing.assert_array_equal(m, r)
    assert trainer.optimizer.t == reference.optimizer.t


def test_restore_puts_back_the_weights_and_the_optimizer_of_a_snapshot(rng):
    x, y = linear_data(rng)
    trainer = small_trainer(rng, batch_size=16)
    trainer.fit(x, y, max_epochs=1)
    net, optimizer = trainer.network, trainer.optimizer
    saved = snapshot(net, optimizer)
    weights, moments = net.get_weights(), [m.copy() for m in optimizer.get_state()[1]]
    steps = optimizer.t
    trainer.fit(x, y, max_epochs=2, state=trainer.state)
    restore(net, optimizer, saved)
    for p, q in zip(net.get_weights(), weights):
        np.testing.assert_array_equal(p, q)
    for m, r in zip(optimizer.get_state()[1], moments):
        np.testing.assert_array_equal(m, r)
    assert optimizer.t == steps


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
