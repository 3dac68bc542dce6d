import pickle

import numpy as np
import pytest

from skscratch.gradcheck import check_layer_gradients
from skscratch.layers import AvgPool2D, GlobalAvgPool2D, MaxPool2D
from tests.conftest import assert_gradients_ok
from tests.layers import reference

CASES = [  # input (h, w, c), pool, strides, padding
    ((4, 4, 2), 2, None, "valid"),
    ((5, 5, 1), 2, None, "valid"),     # the last row and column fall outside every window
    ((5, 5, 1), 2, None, "same"),
    ((6, 5, 3), 3, 2, "same"),          # overlapping windows
    ((7, 7, 2), (2, 3), (1, 2), "valid"),
    ((1, 8, 2), (1, 2), None, "valid"),
]


@pytest.mark.parametrize("cls, reduce", [(MaxPool2D, np.max), (AvgPool2D, np.mean)])
@pytest.mark.parametrize("input_shape, pool, strides, padding", CASES)
def test_forward_matches_the_loop_reference(cls, reduce, input_shape, pool, strides, padding, rng):
    layer = cls(pool, strides, padding)
    layer.build(input_shape)
    x = rng.standard_normal((3, *input_shape))
    expected = reference.pool2d(x, layer.pool_size, layer.strides, padding, reduce)
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)


@pytest.mark.parametrize("cls", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize("input_shape, pool, strides, padding", CASES)
def test_gradients(cls, input_shape, pool, strides, padding, rng):
    layer = cls(pool, strides, padding)
    layer.build(input_shape)
    assert_gradients_ok(check_layer_gradients(layer, rng.standard_normal((2, *input_shape)),
                                              rng=rng))


def test_max_pool_ties_share_the_gradient(rng):
    layer = MaxPool2D(2)
    layer.build((4, 4, 1))
    # in every 2x2 window the maximum appears exactly twice: central differences see
    # each of a pair as half (+eps raises the max, -eps leaves the other one)
    x = rng.standard_normal((2, 4, 4, 1))
    for i in (0, 2):
        for j in (0, 2):
            window = x[:, i:i + 2, j:j + 2, 0].reshape(2, 4)
            window[:, 3] = window.max(axis=1) + 1
            window[:, 1] = window[:, 3]
            x[:, i:i + 2, j:j + 2, 0] = window.reshape(2, 2, 2)
    assert_gradients_ok(check_layer_gradients(layer, x, rng=rng))
    layer.forward(np.ones((1, 4, 4, 1)), training=True)
    np.testing.assert_allclose(layer.backward(np.ones((1, 2, 2, 1))), 0.25)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("input_shape, pool, strides, padding", CASES + [
    ((6, 6, 4), 3, 1, "same"),          # every pixel in up to nine windows
    ((7, 7, 3), 2, 3, "valid"),         # gaps: some pixels in no window
])
def test_max_pool_backward_matches_the_loop_reference_with_ties(input_shape, pool, strides,
                                                                padding, dtype, rng):
    # small integers: most windows hold ties, of two, three or all of their inputs
    layer = MaxPool2D(pool, strides, padding)
    layer.build(input_shape, dtype=dtype)
    x = rng.integers(0, 3, (3, *input_shape)).astype(dtype)
    y = layer.forward(x, training=True)
    dy = rng.standard_normal(y.shape).astype(dtype)
    expected = reference.max_pool2d_backward(x.astype(float), dy.astype(float),
                                             layer.pool_size, layer.strides, padding)
    grad = layer.backward(dy)
    assert grad.dtype == dtype and grad.shape == x.shape
    np.testing.assert_allclose(grad, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_max_pool_without_ties_sends_the_whole_gradient_to_the_maximum(rng):
    layer = MaxPool2D(2)
    layer.build((4, 6, 3))
    x = rng.standard_normal((2, 4, 6, 3))
    dy = rng.standard_normal((2, 2, 3, 3))
    layer.forward(x, training=True)
    expected = reference.max_pool2d_backward(x, dy, (2, 2), (2, 2), "valid")
    np.testing.assert_array_equal(layer.backward(dy), expected)


def test_max_pool_nan_window_beside_a_tie(rng):
    # one window with a NaN has no winner, another a tie of two: the winner count
    # over the whole batch is right, yet the tie must still be shared
    layer = MaxPool2D(2)
    layer.build((2, 4, 1))
    x = np.array([[[np.nan], [1.0], [5.0], [5.0]], [[0.0], [0.0], [1.0], [2.0]]])[None]
    layer.forward(x, training=True)
    with np.errstate(divide="ignore", invalid="ignore"):     # the NaN window's 2 / 0
        grad = layer.backward(np.array([[[[2.0], [4.0]]]]))[0, :, :, 0]
    assert np.isnan(grad[:, :2]).all()
    np.testing.assert_array_equal(grad[:, 2:], [[2.0, 2.0], [0.0, 0.0]])


def test_max_pool_inference_leaves_the_training_step_alone(rng):
    layer = MaxPool2D(2)
    layer.build((6, 6, 4))
    x, other = rng.standard_normal((2, 3, 6, 6, 4))
    dy = rng.standard_normal((3, 3, 3, 4))
    y = layer.forward(x, training=True)
    kept = y.copy()
    expected = reference.max_pool2d_backward(x, dy, (2, 2), (2, 2), "valid")
    np.testing.assert_array_equal(layer.forward(other), reference.pool2d(
        other, (2, 2), (2, 2), "valid", np.max))
    np.testing.assert_array_equal(y, kept)            # still the training output
    np.testing.assert_array_equal(layer.backward(dy), expected)


def test_max_pool_batch_sizes_alternate(rng):
    layer = MaxPool2D(2, padding="same")
    layer.build((5, 5, 4))
    for n in (4, 3, 4, 1):
        x = rng.integers(0, 4, (n, 5, 5, 4)).astype(float)
        dy = rng.standard_normal((n, 3, 3, 4))
        np.testing.assert_array_equal(layer.forward(x, training=True),
                                      reference.pool2d(x, (2, 2), (2, 2), "same", np.max))
        np.testing.assert_allclose(layer.backward(dy), reference.max_pool2d_backward(
            x, dy, (2, 2), (2, 2), "same"), rtol=1e-12)


def test_max_pool_step_caches_are_not_pickled(rng):
    layer = MaxPool2D(2)
    layer.build((4, 4, 2))
    x = rng.standard_normal((2, 4, 4, 2))
    layer.forward(x, training=True)
    layer.backward(np.ones((2, 2, 2, 2)))
    copy = pickle.loads(pickle.dumps(layer))
    assert copy._cache is None and copy._won is None and copy._buffers == {}
    np.testing.assert_array_equal(copy.forward(x), layer.forward(x))


def test_max_pool_padding_never_wins(rng):
    layer = MaxPool2D(3, 1, "same")
    layer.build((3, 3, 1))
    x = -10 - rng.random((1, 3, 3, 1))      # all negative: a zero pad would win
    assert np.all(layer.forward(x) < -10)


def test_avg_pool_same_padding_averages_real_pixels_only():
    layer = AvgPool2D(2, padding="same")
    layer.build((3, 3, 1))
    np.testing.assert_allclose(layer.forward(np.ones((1, 3, 3, 1))), 1.0)


def test_global_average_pooling(rng):
    layer = GlobalAvgPool2D()
    assert layer.build((3, 4, 5)) == (5,)
    x = rng.standard_normal((2, 3, 4, 5))
    np.testing.assert_allclose(layer.forward(x), x.mean(axis=(1, 2)))
    assert_gradients_ok(check_layer_gradients(layer, x, rng=rng))


def test_bad_arguments():
    with pytest.raises(ValueError, match="pool_size"):
        MaxPool2D(0)
    with pytest.raises(ValueError, match="padding"):
        AvgPool2D(2, padding="reflect")
    with pytest.raises(ValueError, match="does not fit"):
        MaxPool2D(3).build((2, 2, 1))
