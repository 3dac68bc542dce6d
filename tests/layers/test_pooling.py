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


def _pool_backward(layer, x, dy):
    """The layer's dE/dx for one image ``x`` (h, w) and upstream gradient ``dy`` (oh, ow)."""
    layer.build((*np.shape(x), 1))
    layer.forward(np.asarray(x, float)[None, :, :, None], training=True)
    return layer.backward(np.asarray(dy, float)[None, :, :, None])[0, :, :, 0]


def test_max_pool_tied_window_sends_its_gradient_to_its_first_maximum():
    # 2x2 windows: a constant one, a tie along the anti-diagonal, a tie in a column,
    # a tie of three; the first maximum in row-major order takes all of the gradient
    x = [[4, 4, 1, 7, 2, 5, 2, 9],
         [4, 4, 7, 1, 0, 5, 9, 9]]
    grad = _pool_backward(MaxPool2D(2), x, [[2.0, 3.0, 5.0, 7.0]])
    np.testing.assert_array_equal(grad, [[2, 0, 0, 3, 0, 5, 0, 7],
                                         [0, 0, 0, 0, 0, 0, 0, 0]])


def test_max_pool_overlapping_windows_add_up_at_a_maximum_they_share():
    # 2x2 windows every pixel: the centre is the unique maximum of all four windows
    x = [[0, 1, 0],
         [2, 9, 3],
         [0, 4, 0]]
    dy = [[2.0, 3.0], [5.0, 7.0]]
    np.testing.assert_array_equal(_pool_backward(MaxPool2D(2, 1), x, dy),
                                  [[0, 0, 0], [0, 17, 0], [0, 0, 0]])


def test_max_pool_overlapping_tied_windows_each_choose_their_own_first_maximum():
    # a constant image: each window's first maximum is its own top-left pixel
    dy = [[2.0, 3.0], [5.0, 7.0]]
    np.testing.assert_array_equal(_pool_backward(MaxPool2D(2, 1), np.ones((3, 3)), dy),
                                  [[2, 3, 0], [5, 7, 0], [0, 0, 0]])
    # the centre is the maximum of every window, but ties with an earlier 8 in the first
    x = [[8, 1, 1], [1, 8, 1], [1, 1, 1]]
    np.testing.assert_array_equal(_pool_backward(MaxPool2D(2, 1), x, dy),
                                  [[2, 0, 0], [0, 15, 0], [0, 0, 0]])


def test_max_pool_same_padding_never_chooses_the_padding():
    # 3x3 windows every pixel on a 2x2 image: every window starts in the padding (-inf)
    layer = MaxPool2D(3, 1, "same")
    dy = [[2.0, 3.0], [5.0, 7.0]]
    np.testing.assert_array_equal(_pool_backward(layer, np.full((2, 2), 6.0), dy),
                                  [[17, 0], [0, 0]])
    # real inputs of -inf tie with the -inf padding: the first real one is chosen
    grad = _pool_backward(layer, [[-np.inf, -np.inf], [-np.inf, -np.inf]], dy)
    np.testing.assert_array_equal(grad, [[17, 0], [0, 0]])
    grad = _pool_backward(MaxPool2D(2, padding="same"), [[-np.inf, 1.0, -np.inf]], [[2.0, 3.0]])
    np.testing.assert_array_equal(grad, [[0, 2, 3]])


def test_max_pool_tied_windows_with_random_upstream_gradients(rng):
    # whatever the upstream gradient, each tied window's sum goes to one input
    layer = MaxPool2D(2)
    layer.build((4, 4, 3))
    x = rng.integers(0, 2, (5, 4, 4, 3)).astype(float)
    x[0] = 1.0                                            # every window of image 0 tied
    layer.forward(x, training=True)
    dy = rng.standard_normal((5, 2, 2, 3))
    grad = layer.backward(dy)
    windows = grad.reshape(5, 2, 2, 2, 2, 3).transpose(0, 1, 3, 5, 2, 4).reshape(5, 2, 2, 3, 4)
    assert np.all(np.count_nonzero(windows, axis=-1) == 1)
    np.testing.assert_array_equal(windows.sum(axis=-1), dy)
    np.testing.assert_array_equal(windows[0, ..., 0], dy[0])      # the top-left pixel


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
    # float32: up to nine window gradients summed in another order
    tol = {"rtol": 1e-6, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12}
    np.testing.assert_allclose(grad, expected, **tol)


def test_max_pool_without_ties_sends_the_whole_gradient_to_the_maximum(rng):
    layer = MaxPool2D(2)
    layer.build((4, 6, 3))
    x = rng.standard_normal((2, 4, 6, 3))
    dy = rng.standard_normal((2, 2, 3, 3))
    layer.forward(x, training=True)
    expected = reference.max_pool2d_backward(x, dy, (2, 2), (2, 2), "valid")
    np.testing.assert_array_equal(layer.backward(dy), expected)


def test_max_pool_nan_is_the_maximum_and_takes_the_gradient():
    # the forward returns NaN for a window holding one: its first NaN takes the gradient;
    # a tie beside it still sends all of its window's gradient to its first maximum
    layer = MaxPool2D(2)
    x = [[1.0, np.nan, 5.0, 5.0, 3.0, np.nan],
         [np.nan, 9.0, 0.0, 2.0, np.nan, 8.0]]
    layer.build((2, 6, 1))
    y = layer.forward(np.array(x)[None, :, :, None], training=True)
    assert np.isnan(y[0, 0, [0, 2], 0]).all() and y[0, 0, 1, 0] == 5
    grad = layer.backward(np.array([2.0, 3.0, 4.0]).reshape(1, 1, 3, 1))[0, :, :, 0]
    np.testing.assert_array_equal(grad, [[0, 2, 3, 0, 0, 4], [0, 0, 0, 0, 0, 0]])


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_max_pool_nans_and_infinities_match_the_loop_reference(padding, rng):
    layer = MaxPool2D(3, 2, padding)
    layer.build((7, 6, 2))
    # mostly -inf: with "same" padding, windows whose real inputs are all -inf
    x = rng.choice([np.nan, -np.inf, np.inf, 0.0, 1.0], size=(8, 7, 6, 2),
                   p=[.05, .6, .05, .15, .15])
    y = layer.forward(x, training=True)
    dy = rng.standard_normal(y.shape)
    np.testing.assert_allclose(layer.backward(dy), reference.max_pool2d_backward(
        x, dy, (3, 3), (2, 2), padding), rtol=1e-12)


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
    assert copy._call == {} and copy._won is None and copy._buffers == {}
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
