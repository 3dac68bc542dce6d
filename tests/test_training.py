"""The training loop: batches of one array or of a tuple, the thread policy, epochs,
stopping rules, the record, and what a fit gives its callbacks.
"""

import threading

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from skscratch import Network
from skscratch.layers import Conv2D, Dense, Flatten
from skscratch.optimizers import SGD
from skscratch.training import (
    EPOCH_GATHER_BYTES,
    SMALL_PRODUCT,
    largest_product,
    n_rows,
    small_arrays,
    take_rows,
    training_threads,
)
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


def test_rows_of_an_array_and_of_a_tuple():
    a, b = np.arange(12.0).reshape(6, 2), np.arange(6.0)
    assert n_rows(a) == n_rows((a, b)) == 6
    np.testing.assert_array_equal(take_rows(a, np.array([4, 1])), a[[4, 1]])
    first, second = take_rows((a, b), slice(1, 3))
    np.testing.assert_array_equal(first, a[1:3])
    np.testing.assert_array_equal(second, b[1:3])


def test_only_small_in_memory_arrays_are_gathered_once_per_epoch(tmp_path):
    small = np.zeros((4, 2))
    assert small_arrays(small, (small, small))
    assert not small_arrays(small, np.zeros(EPOCH_GATHER_BYTES // 8 + 1))
    mapped = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", shape=(4, 2))
    assert not small_arrays(mapped)


def _built(layers, input_shape):
    net = Network(layers)
    net.build(input_shape, np.random.default_rng(0))
    return net


def _blas_threads():
    blas = ThreadpoolController().select(user_api="blas").lib_controllers
    return [lib.num_threads for lib in blas]


def test_largest_product_counts_dense_and_convolution_multiply_adds():
    net = _built([Conv2D(4, 3, padding="same"), Flatten(), Dense(7), Dense(2)], (5, 6, 1))
    conv = 5 * 6 * (3 * 3 * 1 * 4)        # output pixels x kernel weights
    dense = 5 * 6 * 4 * 7
    assert largest_product(net, 10) == 10 * max(conv, dense)


def test_small_steps_train_on_one_blas_thread_and_large_ones_on_the_librarys():
    before = _blas_threads()
    if max(before, default=1) < 2:
        pytest.skip("BLAS runs one thread here already")
    small = _built([Dense(100), Dense(10)], (64,))
    assert largest_product(small, 200) < SMALL_PRODUCT
    with training_threads(small, 200):
        assert max(_blas_threads()) == 1
    assert _blas_threads() == before                      # restored after the fit
    large = _built([Dense(300), Dense(10)], (784,))
    assert largest_product(large, 128) >= SMALL_PRODUCT
    with training_threads(large, 128):
        assert _blas_threads() == before


def test_fits_in_several_threads_share_the_limit_and_restore_the_librarys_setting():
    # the last small fit to finish restores the setting, however the fits interleave
    before = _blas_threads()
    if max(before, default=1) < 2:
        pytest.skip("BLAS runs one thread here already")
    small = _built([Dense(16), Dense(2)], (8,))
    first, second = training_threads(small, 32), training_threads(small, 32)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)            # the first to enter leaves first
    assert max(_blas_threads()) == 1            # the second still runs small steps
    second.__exit__(None, None, None)
    assert _blas_threads() == before

    def fit_many():
        for _ in range(300):
            with training_threads(small, 32):
                pass

    workers = [threading.Thread(target=fit_many) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert _blas_threads() == before


def test_an_exception_in_a_fit_restores_the_setting():
    before = _blas_threads()
    small = _built([Dense(16), Dense(2)], (8,))
    with pytest.raises(KeyboardInterrupt):
        with training_threads(small, 32):
            raise KeyboardInterrupt
    assert _blas_threads() == before


@pytest.mark.parametrize("alpha, error", [(10**400, "float can hold"), (-1.0, r"alpha must lie"),
                                          (float("inf"), r"alpha must lie"), ("1", "number")])
def test_a_trainer_refuses_an_alpha_it_cannot_use_by_name(rng, alpha, error):
    with pytest.raises((TypeError, ValueError), match=error):
        small_trainer(rng, alpha=alpha)
