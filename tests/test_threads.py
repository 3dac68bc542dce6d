"""Thread counts of training: one BLAS thread for small steps, the library's for large ones."""

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from skscratch import Network
from skscratch.layers import Conv2D, Dense, Flatten
from skscratch.threads import SMALL_PRODUCT, largest_product, training_threads


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
        assert n == max(before) and _blas_threads() == before
