"""Pooling: windows that do not divide the image, "same" padding, both dtypes."""

import numpy as np
import pytest

from skscratch import Network
from skscratch.layers import AvgPool2D, Conv2D, GlobalAvgPool2D, MaxPool2D
from skscratch.onnx import to_onnx
from tests.onnx.runtime import SKIP_REASON, assert_network_matches

pytest.importorskip("onnxruntime", reason=SKIP_REASON)

DTYPES = [np.float32, np.float64]
CASES = [  # input (h, w, c), pool_size, strides, padding
    ((8, 8, 2), 3, None, "valid"),           # 3 does not divide 8: the last 2 rows are dropped
    ((8, 8, 2), 3, None, "same"),            # ... or padded: windows of 3, 3 and 2 real pixels
    ((7, 5, 3), 2, 1, "valid"),              # overlapping windows
    ((7, 5, 3), (3, 2), (2, 3), "same"),
    ((1, 9, 1), (1, 4), None, "same"),       # a 1-D signal
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pool", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize("input_shape, pool_size, strides, padding", CASES)
def test_pooling_layer_matches_its_forward_pass(pool, input_shape, pool_size, strides, padding,
                                                dtype):
    network = Network([pool(pool_size, strides, padding)])
    network.build(input_shape, random_state=0, dtype=dtype)
    # negative values everywhere: a padded 0 would win a maximum and lower an average
    x = -1 - np.random.default_rng(0).random((3, *input_shape)).astype(dtype)
    assert_network_matches(network, x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_global_average_pooling_after_a_convolution_and_on_the_input(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 6, 5, 3)).astype(dtype)
    after_conv = Network([Conv2D(4, 3, padding="same"), GlobalAvgPool2D()])
    assert_network_matches(after_conv.build((6, 5, 3), random_state=0, dtype=dtype), x)
    alone = Network([GlobalAvgPool2D()]).build((6, 5, 3), dtype=dtype)
    assert_network_matches(alone, x)


def test_float64_pooling_reduces_window_slices_without_transposes():
    network = Network([MaxPool2D(3, padding="same"), AvgPool2D(2)])
    network.build((8, 8, 1), random_state=0, dtype=np.float64)
    ops = [n.op_type for n in to_onnx(network).graph.node]
    assert {"Max", "Sum", "Div", "Slice", "Pad"} <= set(ops)
    assert not {"MaxPool", "AveragePool", "Transpose"} & set(ops)
