import numpy as np
import pytest

from skscratch import Network
from skscratch.gradcheck import (
    check_layer_gradients,
    check_network_gradients,
    numerical_gradient,
    relative_error,
)
from skscratch.layers import Dense, Layer, Tanh
from skscratch.losses import SoftmaxCrossEntropy, SquaredError
from tests.conftest import assert_gradients_ok


def test_numerical_gradient_of_known_function(rng):
    x = rng.standard_normal((3, 2))
    grad = numerical_gradient(lambda: float(np.sum(np.sin(x))), x)
    np.testing.assert_allclose(grad, np.cos(x), rtol=1e-8)


def test_numerical_gradient_restores_its_input(rng):
    x = rng.standard_normal(5)
    before = x.copy()
    numerical_gradient(lambda: float(x @ x), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_needs_floats():
    with pytest.raises(TypeError, match="floating"):
        numerical_gradient(lambda: 0.0, np.arange(3))


def test_relative_error():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0
    assert relative_error([0.0], [0.0]) == 0
    assert relative_error([1.0], [-1.0]) == 1


class _WrongBackward(Layer):
    """y = 2x whose backward forgets the factor 2: the checker must catch it."""

    def forward(self, x, training=False):
        return 2 * x

    def backward(self, grad_output, need_input_grad=True):
        return grad_output


def test_checker_catches_a_wrong_backward(rng):
    layer = _WrongBackward()
    layer.build((3,))
    errors = check_layer_gradients(layer, rng.standard_normal((2, 3)), rng=rng)
    assert errors["input"] > 0.1


def test_whole_network(rng):
    net = Network([Dense(5, "tanh"), Dense(4, "relu"), Dense(3)]).build((6,), rng)
    x = rng.standard_normal((7, 6))
    y = np.eye(3)[rng.integers(0, 3, 7)]
    errors = check_network_gradients(net, SoftmaxCrossEntropy(), x, y, rng.uniform(0.5, 2, 7))
    assert set(errors) == {"input", "0.W", "0.b", "1.W", "1.b", "2.W", "2.b"}
    assert_gradients_ok(errors)


def test_whole_network_with_separate_activation_layers(rng):
    net = Network([Dense(3), Tanh(), Dense(2), Tanh()]).build((4,), rng)
    errors = check_network_gradients(net, SquaredError(), rng.standard_normal((5, 4)),
                                     rng.standard_normal((5, 2)))
    assert_gradients_ok(errors)
