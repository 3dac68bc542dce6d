"""Rows of the training data: one array, or a tuple of arrays (one per input or output).

What the training loop takes batches with: every array of a tuple shares its
rows, so a batch takes the same rows of each.
"""

import numpy as np

# training data up to this size is gathered in shuffled order once per epoch
EPOCH_GATHER_BYTES = 2**22


def n_rows(data):
    """Number of samples of one array or of a tuple of arrays."""
    return (data[0] if isinstance(data, tuple) else data).shape[0]


def small_arrays(*data):
    """Whether every array is an in-memory ndarray and all fit in EPOCH_GATHER_BYTES."""
    arrays = [a for d in data for a in (d if isinstance(d, tuple) else (d,))]
    return (all(type(a) is np.ndarray for a in arrays)
            and sum(a.nbytes for a in arrays) <= EPOCH_GATHER_BYTES)


def take_rows(data, idx):
    """The rows ``idx`` of one array, or of each array of a tuple."""
    if isinstance(data, tuple):
        return tuple(take_rows(a, idx) for a in data)
    if isinstance(data, np.ndarray) and not isinstance(idx, slice):
        return data.take(idx, axis=0)   # half the time of data[idx] for row gathers
    return data[idx]
