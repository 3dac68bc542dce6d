import numpy as np
import pytest

from skscratch.gradcheck import check_layer_gradients
from skscratch.layers import Dense, Input
from tests.conftest import assert_gradients_ok


@pytest.mark.parametrize("activation", [None, "tanh", "relu", "logistic", "softmax", "elu"])
@pytest.mark.parametrize("shape, units", [((1, 1), 1), ((5, 3), 4), ((16, 7), 2)])
def test_gradients(activation, shape, units, rng):
    layer = Dense(units, activation=activation)
    layer.build(shape[1:], rng)
    layer.params["b"][:] = rng.standard_normal(units)  # a zero bias would hide bias bugs
    errors = check_layer_gradients(layer, rng.standard_normal(shape), rng=rng)
    assert set(errors) == {"input", "W", "b"}
    assert_gradients_ok(errors)


def test_forward_is_affine_then_activation(rng):
    layer = Dense(3, activation="tanh")
    layer.build((4,), rng)
    x = rng.standard_normal((2, 4))
    W, b = layer.params["W"], layer.params["b"]
    np.testing.assert_allclose(layer.forward(x), np.tanh(x @ W + b))


@pytest.mark.parametrize("activation, fan_out, limit", [
    ("relu", 50, np.sqrt(6 / 200)),          # "auto": He uniform for the ReLU family
    ("tanh", 50, np.sqrt(6 / 250)),          # Glorot uniform otherwise
])
def test_initialisation_by_activation(activation, fan_out, limit):
    layer = Dense(fan_out, activation=activation, kernel_initializer="auto")
    layer.build((200,), rng=0)
    W = layer.params["W"]
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.95 * limit     # really uses the whole range
    assert np.all(layer.params["b"] == 0)


def test_keras_default_initialiser_is_glorot_for_every_activation():
    layer = Dense(50, activation="relu")
    layer.build((200,), rng=0)
    limit = np.sqrt(6 / 250)
    assert limit * 0.95 < np.abs(layer.params["W"]).max() <= limit


def test_dtype_is_kept(rng):
    layer = Dense(3, activation="relu")
    layer.build((4,), rng, np.float32)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    y = layer.forward(x, training=True)
    assert y.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32
    assert layer.grads["W"].dtype == np.float32


def test_backward_does_not_touch_weights_or_upstream_gradient(rng):
    layer = Dense(3, activation="relu")
    layer.build((4,), rng)
    before = layer.params["W"].copy()
    layer.forward(rng.standard_normal((5, 4)), training=True)
    dy = rng.standard_normal((5, 3))
    dy_copy = dy.copy()
    layer.backward(dy)
    np.testing.assert_array_equal(layer.params["W"], before)
    np.testing.assert_array_equal(dy, dy_copy)


def test_skipping_the_input_gradient_still_fills_parameter_gradients(rng):
    layer = Dense(2)
    layer.build((3,), rng)
    x = rng.standard_normal((4, 3))
    layer.forward(x, training=True)
    assert layer.backward(np.ones((4, 2)), need_input_grad=False) is None
    np.testing.assert_allclose(layer.grads["W"], x.T @ np.ones((4, 2)))


def test_inference_caches_nothing(rng):
    layer = Dense(2)
    layer.build((3,), rng)
    layer.forward(rng.standard_normal((4, 3)), training=False)
    with pytest.raises(RuntimeError):
        layer.backward(np.ones((4, 2)))


# 10**400: no axis holds that many entries (building it was a bare OverflowError)
@pytest.mark.parametrize("units", [0, -3, 2.5, True, "8", pytest.param(10**400, id="10**400")])
def test_bad_units(units):
    with pytest.raises(ValueError, match="units must be a positive integer"):
        Dense(units)


def test_bad_input_shape():
    with pytest.raises(ValueError, match="Flatten"):
        Dense(2).build((4, 4))


@pytest.mark.parametrize("declare", [lambda shape: Dense(1, input_shape=shape),
                                     lambda shape: Input(shape)])
def test_a_dimension_no_array_can_have_is_refused_where_it_is_declared(declare):
    # 10**400 features: summary() or build() raised a bare OverflowError later
    with pytest.raises(ValueError, match="must be positive integers, one sample's shape"):
        declare((10**400,))


def test_get_and_set_weights_as_keras_has_them(rng):
    layer = Dense(3, input_shape=[4])
    with pytest.raises(RuntimeError, match="has no weights yet"):
        layer.get_weights()
    layer.build((4,), rng)
    weights, biases = layer.get_weights()
    assert weights.shape == (4, 3) and biases.shape == (3,)
    weights[...] = 0                                # copies: the layer is unchanged
    assert layer.params["W"].any()
    layer.set_weights([np.ones((4, 3)), np.arange(3.0)])
    np.testing.assert_array_equal(layer.forward(np.ones((1, 4))), [[4.0, 5.0, 6.0]])
    with pytest.raises(ValueError, match="'s W has shape"):
        layer.set_weights([np.ones((3, 3)), np.zeros(3)])
    with pytest.raises(ValueError, match="has 2 weight arrays; got 1"):
        layer.set_weights([np.ones((4, 3))])
    assert layer.get_config()["input_shape"] == [4]
    with pytest.raises(ValueError, match="input_shape must be positive integers"):
        Dense(3, input_shape=[0])
