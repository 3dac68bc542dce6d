import pickle

import numpy as np
import pytest
from scipy.signal import correlate2d

from skscratch.gradcheck import check_layer_gradients
from skscratch.layers import Conv2D
from tests.conftest import assert_gradients_ok
from tests.layers import reference

CASES = [  # input (h, w, c), filters, kernel, strides, padding
    ((5, 5, 1), 2, 3, 1, "valid"),
    ((5, 5, 1), 2, 3, 1, "same"),
    ((6, 7, 3), 4, (2, 3), (2, 1), "same"),
    ((7, 6, 2), 3, 3, 2, "valid"),
    ((7, 7, 2), 2, 4, 3, "same"),
    ((1, 9, 2), 3, (1, 4), 1, "same"),     # a 1-D signal as a 1x9 image
    ((4, 4, 2), 1, 1, 1, "valid"),
    ((5, 6, 5), 3, 3, 1, "same"),          # 4+ channels: the strided-view im2col
    ((7, 6, 4), 2, (2, 3), (2, 2), "valid"),
    ((8, 8, 4), 2, 2, 3, "valid"),          # strides past the kernel: pixels no window sees
]


def _layer(input_shape, filters, kernel, strides, padding, rng, activation=None):
    layer = Conv2D(filters, kernel, strides, padding, activation=activation)
    layer.build(input_shape, rng)
    layer.params["b"][:] = rng.standard_normal(filters)
    return layer


@pytest.mark.parametrize("input_shape, filters, kernel, strides, padding", CASES)
def test_forward_matches_the_loop_reference(input_shape, filters, kernel, strides, padding, rng):
    layer = _layer(input_shape, filters, kernel, strides, padding, rng)
    x = rng.standard_normal((3, *input_shape))
    expected = reference.conv2d(x, layer.params["W"], layer.params["b"], layer.strides, padding)
    y = layer.forward(x)
    assert y.shape == (3, *layer.output_shape) == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("padding, mode", [("valid", "valid"), ("same", "same")])
def test_single_channel_matches_scipy_correlate2d(padding, mode, rng):
    layer = _layer((6, 6, 1), 1, 3, 1, padding, rng)
    layer.params["b"][:] = 0
    x = rng.standard_normal((1, 6, 6, 1))
    expected = correlate2d(x[0, :, :, 0], layer.params["W"][:, :, 0, 0], mode=mode)
    np.testing.assert_allclose(layer.forward(x)[0, :, :, 0], expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("input_shape, filters, kernel, strides, padding", CASES)
@pytest.mark.parametrize("activation", [None, "tanh"])
def test_gradients(input_shape, filters, kernel, strides, padding, activation, rng):
    layer = _layer(input_shape, filters, kernel, strides, padding, rng, activation)
    errors = check_layer_gradients(layer, rng.standard_normal((2, *input_shape)), rng=rng)
    assert set(errors) == {"input", "W", "b"}
    assert_gradients_ok(errors)


@pytest.mark.parametrize("input_shape, filters, kernel, strides, padding", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_input_gradient_matches_the_loop_reference(input_shape, filters, kernel, strides,
                                                   padding, dtype, rng):
    layer = Conv2D(filters, kernel, strides, padding)
    layer.build(input_shape, rng, dtype)
    x = rng.standard_normal((3, *input_shape)).astype(dtype)
    dy = rng.standard_normal((3, *layer.output_shape)).astype(dtype)
    layer.forward(x, training=True)
    grad = layer.backward(dy)
    expected = reference.conv2d_input_gradient(dy.astype(float), layer.params["W"].astype(float),
                                               input_shape, layer.strides, padding)
    assert grad.dtype == dtype and grad.shape == x.shape
    np.testing.assert_allclose(grad, expected, rtol=1e-4 if dtype == np.float32 else 1e-10,
                               atol=1e-5 if dtype == np.float32 else 1e-12)


def test_batch_sizes_alternate(rng):
    # the input gradient's col2im matrix is kept per batch size: three sizes in turn
    layer = _layer((6, 5, 4), 3, 3, 1, "same", rng)
    for n in (4, 3, 4, 2, 3):
        x = rng.standard_normal((n, 6, 5, 4))
        dy = rng.standard_normal((n, 6, 5, 3))
        layer.forward(x, training=True)
        expected = reference.conv2d_input_gradient(dy, layer.params["W"], (6, 5, 4), (1, 1),
                                                   "same")
        np.testing.assert_allclose(layer.backward(dy), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("channels", [1, 5])
def test_inference_leaves_the_training_step_alone(channels, rng):
    layer = _layer((5, 5, channels), 2, 3, 1, "same", rng, activation="relu")
    x, other = rng.standard_normal((2, 3, 5, 5, channels))
    dy = rng.standard_normal((3, 5, 5, 2))
    y = layer.forward(x, training=True)
    kept = y.copy()
    layer.backward(dy)
    expected = {name: g.copy() for name, g in layer.grads.items()}
    layer.forward(x, training=True)
    layer.forward(other)
    np.testing.assert_array_equal(y, kept)            # still the training output
    layer.backward(dy)
    for name, g in layer.grads.items():
        np.testing.assert_array_equal(g, expected[name])


def test_step_caches_are_not_pickled(rng):
    layer = _layer((5, 5, 4), 2, 3, 1, "same", rng)
    x = rng.standard_normal((2, 5, 5, 4))
    layer.forward(x, training=True)
    layer.backward(np.ones((2, 5, 5, 2)))
    copy = pickle.loads(pickle.dumps(layer))
    assert copy._call == {} and copy._col2ims is None and copy._buffers == {}
    np.testing.assert_array_equal(copy.forward(x), layer.forward(x))
    copy.forward(x, training=True)
    np.testing.assert_array_equal(copy.backward(np.ones((2, 5, 5, 2))),
                                  layer.backward(np.ones((2, 5, 5, 2))))


def test_training_buffers_give_the_same_results_as_inference(rng):
    layer = _layer((6, 6, 5), 4, 3, 1, "same", rng, activation="relu")
    x = rng.standard_normal((3, 6, 6, 5))
    fresh = layer.forward(x, training=False)
    np.testing.assert_array_equal(layer.forward(x, training=True), fresh)
    np.testing.assert_array_equal(layer.forward(2 * x, training=True),
                                  layer.forward(2 * x, training=False))


def test_float32_kept(rng):
    layer = Conv2D(2, 3, padding="same", activation="relu")
    layer.build((5, 5, 1), rng, np.float32)
    y = layer.forward(rng.standard_normal((2, 5, 5, 1)).astype(np.float32), training=True)
    assert y.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3}, "filters must be a positive integer"),
    ({"filters": 2, "kernel_size": (3, 0)}, "kernel_size must be a positive int"),
    ({"filters": 2, "kernel_size": 3, "strides": (1, 2, 3)}, "strides"),
    ({"filters": 2, "kernel_size": 3, "padding": "full"}, "padding must be one of"),
    # None was a bare "not iterable"; a stride of 10**400 made 0-pixel outputs, refused later
    # as a pool_size of (0, 0)
    ({"filters": 2, "kernel_size": None}, "kernel_size must be a positive int or a pair"),
    pytest.param({"filters": 2, "kernel_size": 3, "strides": 10**400},
                 "strides must be a positive int or a pair", id="strides=10**400"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Conv2D(**kwargs)


def test_kernel_larger_than_the_image_with_valid_padding():
    with pytest.raises(ValueError, match="does not fit"):
        Conv2D(2, 5).build((3, 3, 1))
    with pytest.raises(ValueError, match=r"\(batch, height, width, channels\)"):
        Conv2D(2, 3).build((9,))
