"""Thread counts of training: one BLAS thread for small steps, the library's for large ones."""

import threading

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
