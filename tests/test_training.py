import numpy as np
import pytest

from skscratch.optimizers import SGD
from tests.conftest import linear_data, small_trainer


def test_loss_decreases_and_state_is_recorded(rng):
    trainer = small_trainer(rng, batch_size=16)
    x, y = linear_data(rng)
    state = trainer.fit(x, y, max_epochs=30)
    assert state.n_iter == len(state.loss_curve) == len(state.history)
    assert state.t == 30 * len(x)
    assert state.loss_curve[-1] < 0.2 * state.loss_curve[0]


def test_full_batch_sample_weights_equal_repetition(rng):
    x, y = linear_data(rng, 20)
    w = rng.integers(0, 4, 20).astype(float)
    repeat = np.repeat(np.arange(20), w.astype(int))
    a, b = small_trainer(np.random.default_rng(1), batch_size=1000), small_trainer(
        np.random.default_rng(1), batch_size=1000)
    a.fit(x, y, w, max_epochs=5)
    b.fit(x[repeat], y[repeat], max_epochs=5)
    for p, q in zip(a.network.params, b.network.params):
        np.testing.assert_allclose(p, q, rtol=1e-10)


def test_stops_on_a_training_loss_plateau(rng):
    x, y = linear_data(rng)
    state = small_trainer(rng, tol=10.0, n_iter_no_change=3).fit(x, y, max_epochs=100)
    assert state.stopped == "converged"
    # the first epoch improves on inf; then count 1, 2, 3, and 4 > n_iter_no_change stops
    assert state.n_iter == 5


def test_validation_score_keeps_the_best_weights(rng):
    x, y = linear_data(rng)
    scores = iter([0.1, 0.5, 0.3, 0.2, 0.1, 0.0])
    trainer = small_trainer(rng, n_iter_no_change=3)
    state = trainer.fit(x, y, max_epochs=10,
                        evaluate=lambda: {"validation_score": next(scores)})
    assert state.best_validation_score == 0.5
    assert state.validation_scores == [0.1, 0.5, 0.3, 0.2, 0.1, 0.0]
    assert state.stopped == "converged"
    assert state.best_weights is not None


def test_l2_penalty_is_added(rng):
    x, y = linear_data(rng, 10)
    plain = small_trainer(np.random.default_rng(2), batch_size=10, optimizer=SGD(1e-9))
    penalised = small_trainer(np.random.default_rng(2), batch_size=10, alpha=1.0,
                              optimizer=SGD(1e-9))
    loss_plain = plain.train_batch(x, y)
    loss_pen = penalised.train_batch(x, y)
    W = [p for p, _ in penalised.network.penalized]
    expected = 0.5 * 1.0 * sum(float(np.sum(w**2)) for w in W) / 10
    assert loss_pen - loss_plain == pytest.approx(expected, rel=1e-6)
