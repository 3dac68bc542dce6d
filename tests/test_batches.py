"""Rows of one array or of a tuple of arrays, as the training loop takes batches."""

import numpy as np

from skscratch.batches import EPOCH_GATHER_BYTES, n_rows, small_arrays, take_rows


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
