"""Thread counts of training: one for small steps, halves of updates in two threads."""

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from skscratch import Network
from skscratch.layers import Conv2D, Dense, Flatten
from skscratch.optimizers import Adam
from skscratch.threads import (
    SMALL_PRODUCT,
    SMALL_UPDATE,
    largest_product,
    split_elementwise,
    training_threads,
)


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
    with training_threads(small, 200) as n:
        assert n == 1 and max(_blas_threads()) == 1
    assert _blas_threads() == before                      # restored after the fit
    large = _built([Dense(300), Dense(10)], (784,))
    assert largest_product(large, 128) >= SMALL_PRODUCT
    with training_threads(large, 128) as n:
        assert n == 2 and _blas_threads() == before


def test_a_split_update_is_the_same_as_one_call_bit_for_bit():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, SMALL_UPDATE * 2 + 3))
    whole, halves = a.copy(), a.copy()

    def kernel(x, y):
        x *= 0.5
        x += np.sqrt(np.abs(y))

    kernel(whole, b)
    split_elementwise(kernel, (halves, b), n_threads=2)
    np.testing.assert_array_equal(halves, whole)


def test_adam_on_two_threads_takes_the_same_steps():
    rng = np.random.default_rng(1)
    start = rng.standard_normal(SMALL_UPDATE * 3).astype(np.float32)
    results = []
    for threads in (1, 2):
        p, opt = start.copy(), Adam(1e-2)
        opt.n_threads = threads
        for k in range(3):
            opt.step([p], [np.sin(p * (k + 1))])
        results.append(p)
    np.testing.assert_array_equal(results[0], results[1])
