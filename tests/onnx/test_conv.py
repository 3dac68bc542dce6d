"""Conv2D: explicit "same" pads (the odd pixel at the end), strides, both dtypes."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skscratch import ConvNetFromScratch, Network
from skscratch.layers import Conv2D, Flatten
from skscratch.onnx import to_onnx
from skscratch.onnx.windows import onnx_pads
from tests.onnx.runtime import (
    SKIP_REASON,
    assert_classifier_matches,
    assert_network_matches,
    fit,
)

pytest.importorskip("onnxruntime", reason=SKIP_REASON)

DTYPES = [np.float32, np.float64]
CASES = [  # input (h, w, c), filters, kernel, strides, padding
    ((5, 5, 1), 2, 3, 1, "valid"),
    ((5, 5, 1), 2, 3, 1, "same"),
    ((6, 6, 2), 3, 2, 1, "same"),            # even kernel: 1 pixel of padding, at the end
    ((6, 7, 3), 4, (2, 3), (2, 1), "same"),
    ((7, 6, 2), 3, 3, 2, "valid"),
    ((7, 7, 2), 2, 4, 3, "same"),
    ((1, 9, 2), 3, (1, 4), 1, "same"),       # a 1-D signal as a 1x9 image
    ((8, 8, 5), 3, 1, 2, "same"),            # 1x1 kernel, stride 2: no padding at all
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("input_shape, filters, kernel, strides, padding", CASES)
def test_conv_layer_matches_its_forward_pass(input_shape, filters, kernel, strides, padding,
                                             dtype):
    conv = Conv2D(filters, kernel, strides, padding, activation="tanh")
    network = Network([conv, Flatten()]).build(input_shape, random_state=0, dtype=dtype)
    conv.params["b"][:] = np.arange(filters) / 4        # a bias that shows
    x = np.random.default_rng(1).standard_normal((4, *input_shape)).astype(dtype)
    assert_network_matches(network, x)


def test_same_padding_puts_the_odd_pixel_after_as_tensorflow_does():
    # 6 pixels, kernel 2, stride 1: 6 outputs need 1 pixel of padding, at the bottom/right;
    # kernel 4, stride 3 over 7: ceil(7/3) = 3 outputs need (3-1)*3 + 4 - 7 = 3 -> 1 before, 2 after
    for shape, kernel, strides, pads in [((6, 6, 1), 2, 1, [0, 0, 1, 1]),
                                         ((7, 7, 1), 4, 3, [1, 1, 2, 2]),
                                         ((5, 8, 1), (3, 1), (2, 4), [1, 0, 1, 0])]:
        conv = Conv2D(1, kernel, strides, "same")
        conv.build(shape, rng=0)
        assert onnx_pads(conv.geometry) == pads


@pytest.mark.parametrize("dtype", DTYPES)
def test_float32_uses_onnx_conv_and_float64_the_layers_own_im2col(dtype):
    network = Network([Conv2D(2, 3, padding="same"), Flatten()])
    network.build((5, 5, 1), random_state=0, dtype=dtype)
    ops = {n.op_type for n in to_onnx(network).graph.node}
    if dtype == np.float32:
        assert "Conv" in ops and "Transpose" in ops
    else:       # onnxruntime has no float64 Conv kernel
        assert {"Pad", "Slice", "Concat", "MatMul"} <= ops and not ops & {"Conv", "Transpose"}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:500] / 16, y[:500]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("params", [
    dict(filters=(4, 6), padding="same", strides=1, pool_size=3),
    dict(filters=(4, 6), padding="same", strides=2, pool_size=2),
    dict(filters=(5,), padding="valid", strides=2, pool_size=2),
], ids=["same", "same-strides-2", "valid-strides-2"])
def test_convnet_on_digits(digits, params, dtype):
    X, y = digits
    model = fit(ConvNetFromScratch(hidden_layer_sizes=(16,), max_iter=3, random_state=0,
                                   **params), X.astype(dtype), y)
    assert_classifier_matches(model, to_onnx(model), X.astype(dtype))


def test_convnet_fitted_on_images_takes_flat_rows(digits):
    X, y = digits
    images = X.reshape(-1, 8, 8, 1).astype(np.float32)
    model = fit(ConvNetFromScratch((3,), hidden_layer_sizes=(), max_iter=2, random_state=0),
                images, y)
    onnx_model = to_onnx(model)
    assert [d.dim_value for d in onnx_model.graph.input[0].type.tensor_type.shape.dim[1:]] == [64]
    assert_classifier_matches(model, onnx_model, images)
