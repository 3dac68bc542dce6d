import math

import numpy as np
import pytest

from skscratch.layers.base import ZEROS_LIMIT, zeros_array


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(7, 3), (200, 64), (3, ZEROS_LIMIT)])
def test_zeros_array_is_a_read_only_view_or_the_scalar_zero(shape, dtype):
    # ReLU's fast path compares with it (tests/layers/test_activations.py)
    zeros = zeros_array(shape, dtype)
    if math.prod(shape) > ZEROS_LIMIT:
        assert zeros == 0
    else:
        assert zeros.shape == shape and zeros.dtype == dtype
        assert not zeros.flags.writeable and not zeros.any()


def test_many_batch_shapes_share_one_block_of_zeros():
    shapes = [(n, 7) for n in range(1, 40)]
    views = [zeros_array(shape, np.float32) for shape in shapes]
    assert all(np.shares_memory(views[0], v) for v in views[1:])
