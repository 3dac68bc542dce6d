import numpy as np
import pytest
from scipy.special import expit, softmax

from skscratch.gradcheck import check_layer_gradients
from skscratch.layers import ELU, Activation, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from skscratch.layers.activation import get_activation
from tests.conftest import assert_gradients_ok

NAMES = ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softmax"]
REFERENCE = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1),
    "softmax": lambda z: softmax(z, axis=-1),
}


def _inputs(rng, shape):
    # keep away from the kinks of relu-like functions, where no derivative exists
    z = rng.standard_normal(shape) * 2
    return np.where(np.abs(z) < 1e-3, 0.5, z)


@pytest.mark.parametrize("name", NAMES)
def test_forward_matches_reference(name, rng):
    z = _inputs(rng, (5, 7))
    f, _ = get_activation(name)
    np.testing.assert_allclose(f(z.copy()), REFERENCE[name](z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(1, 1), (4, 3), (8, 10)])
def test_gradients(name, shape, rng):
    layer = Activation(name)
    layer.build(shape[1:])
    assert_gradients_ok(check_layer_gradients(layer, _inputs(rng, shape), rng=rng))


def test_stable_at_extreme_inputs():
    z = np.array([[-1e4, 0.0, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for name in NAMES:
            y = get_activation(name)[0](z.copy())
            assert np.all(np.isfinite(y)), name
    np.testing.assert_allclose(get_activation("softmax")[0](z.copy()), [[0, 0, 1]])


@pytest.mark.parametrize("cls, name", [(Sigmoid, "logistic"), (Tanh, "tanh"), (ReLU, "relu"),
                                       (LeakyReLU, "leaky_relu"), (ELU, "elu"),
                                       (Softmax, "softmax")])
def test_named_layers(cls, name):
    assert cls().activation == name


def test_aliases_and_unknown():
    assert Activation("sigmoid").activation == "logistic"
    assert Activation(None).activation == "identity"
    with pytest.raises(ValueError, match="Unknown activation 'swishy'"):
        Activation("swishy")


def test_backward_before_forward_is_an_error():
    layer = Tanh()
    layer.build((3,))
    with pytest.raises(RuntimeError, match="forward"):
        layer.backward(np.ones((2, 3)))
