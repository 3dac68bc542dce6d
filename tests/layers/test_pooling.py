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
