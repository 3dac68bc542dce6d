"""The activation functions against closed forms and central differences, and the
`Activation` layer.
"""

import numpy as np
import pytest
from scipy.special import expit, softmax

from skscratch.gradcheck import check_layer_gradients
from skscratch.layers import ELU, Activation, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from skscratch.layers.activations import get_activation
from skscratch.layers.base import ZEROS_LIMIT
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


def test_stable_at_extreme_inputs():
    z = np.array([[-1e4, 0.0, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for name in NAMES:
            y = get_activation(name)[0](z.copy())
            assert np.all(np.isfinite(y)), name
    np.testing.assert_allclose(get_activation("softmax")[0](z.copy()), [[0, 0, 1]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(7, 3), (200, 64), (3, ZEROS_LIMIT)])
def test_relu_against_cached_zeros_equals_maximum_with_zero(shape, dtype):
    # the fast path compares with a cached array of zeros (small batches) or the
    # scalar 0 (beyond ZEROS_LIMIT); both must give np.maximum(z, 0) bit for bit,
    # NaN, infinities and signed zeros included
    z = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    z.flat[:5] = [np.nan, np.inf, -np.inf, -0.0, 0.0]
    out = np.empty_like(z)
    relu = get_activation("relu")[0]
    assert relu(z, out=out) is out
    expected = np.maximum(z, 0)
    fresh = relu(z)
    for result in (out, fresh):
        assert result.dtype == expected.dtype
        np.testing.assert_array_equal(result, expected)
        assert np.array_equal(np.signbit(result), np.signbit(expected))


def test_relu_takes_what_np_maximum_takes():
    # scalars, lists, integers and booleans keep np.maximum(z, 0)'s result and type
    relu = get_activation("relu")[0]
    for z in (-3.0, [1, -2], np.array([1, -2], dtype=np.int8), np.array([True, False])):
        expected = np.maximum(z, 0)
        np.testing.assert_array_equal(relu(z), expected)
        assert np.asarray(relu(z)).dtype == np.asarray(expected).dtype


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(1, 1), (4, 3), (8, 10)])
def test_gradients(name, shape, rng):
    layer = Activation(name)
    layer.build(shape[1:])
    assert_gradients_ok(check_layer_gradients(layer, _inputs(rng, shape), rng=rng))


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


# ------------------------------------------------ derivatives against 60-digit references
def _decimal(z):
    from decimal import Decimal, getcontext
    getcontext().prec = 60
    return Decimal(float(z))


def _exact_derivative(name, z):
    """f'(z) to 60 digits, rounded once to float64 (no output-based shortcut)."""
    d = _decimal(z)
    if name == "elu":
        return 1.0 if z > 0 else float(d.exp())
    if name == "logistic":          # e^-|z| / (1 + e^-|z|)^2
        e = (-abs(d)).exp()
        return float(e / (1 + e) ** 2)
    if name == "tanh":              # 4 e^-2|z| / (1 + e^-2|z|)^2
        e = (-2 * abs(d)).exp()
        return float(4 * e / (1 + e) ** 2)
    raise ValueError(name)


ELU_INPUTS = [-1e3, -744.0, -700.0, -100.0, -40.0, -37.0, -20.0, -1.0, -1e-5, -1e-300, 0.0,
              1e-300, 1e-5, 1.0, 50.0]


def _fused_layers(name):
    """The same activation as an Activation layer, fused in Dense(1) and in a 1x1 Conv2D."""
    from skscratch.layers import Conv2D, Dense
    layers = [(Activation(name), (1,)), (Dense(1, name), (1,)), (Conv2D(1, 1, activation=name),
                                                                 (1, 1, 1))]
    for layer, shape in layers:
        layer.build(shape, rng=0)
        if layer.params:                 # z = x: weight 1, bias 0
            layer.params["W"][...] = 1.0
            layer.params["b"][...] = 0.0
    return layers


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_elu_derivative_is_exact_down_to_minus_a_thousand(dtype):
    # it used to be read from the output, y + 1 = (e^z - 1) + 1: exactly 0 below -37
    # (float32: -17) and ever less precise on the way there
    z = np.array(ELU_INPUTS)
    exact = np.array([_exact_derivative("elu", v) for v in z]).astype(dtype)
    dy = np.linspace(0.5, 2.0, z.size)
    tiny = np.finfo(dtype).tiny               # subnormal results carry fewer digits
    for layer, shape in _fused_layers("elu"):
        layer.build(shape, rng=0, dtype=dtype)
        if layer.params:
            layer.params["W"][...] = 1.0
            layer.params["b"][...] = 0.0
        x = z.astype(dtype).reshape(-1, *shape)
        layer.forward(x, training=True)
        dx = layer.backward(dy.astype(dtype).reshape(x.shape)).ravel()
        expected = (exact * dy.astype(dtype)).astype(dtype)
        normal = np.abs(expected) >= tiny
        np.testing.assert_allclose(dx[normal], expected[normal],
                                   rtol=4 * np.finfo(dtype).eps, atol=0, err_msg=type(layer))
        assert np.all(np.abs(dx[~normal]) <= tiny), type(layer)


@pytest.mark.parametrize("name", ["logistic", "tanh"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_output_based_derivatives_are_within_an_ulp_of_one(name, dtype):
    # the audit behind keeping y(1 - y) and 1 - y**2 (as PyTorch and JAX do): the
    # absolute error stays below a couple of units in the last place of 1, so only a
    # derivative already below that (a saturated unit) loses relative precision
    z = np.concatenate([-np.logspace(-8, 3, 60), [0.0], np.logspace(-8, 3, 60)])
    exact = np.array([_exact_derivative(name, v) for v in z.astype(dtype)])
    layer = Activation(name)
    layer.build((1,), dtype=dtype)
    layer.forward(z.astype(dtype).reshape(-1, 1), training=True)
    ours = layer.backward(np.ones((z.size, 1), dtype)).ravel()
    assert np.max(np.abs(ours - exact)) <= 2 * np.finfo(dtype).eps


def test_softmax_derivative_is_within_an_ulp_of_one():
    from decimal import getcontext
    getcontext().prec = 60
    rng = np.random.default_rng(0)
    layer = Softmax()
    layer.build((4,))
    for margin in (0.1, 5.0, 20.0, 40.0, 700.0):
        z = np.array([[margin, 0.0, -1.0, 0.5]])
        dy = rng.standard_normal((1, 4))
        layer.forward(z, training=True)
        ours = layer.backward(dy)[0]
        e = [(_decimal(v) - _decimal(margin)).exp() for v in z[0]]
        y = [v / sum(e) for v in e]
        inner = sum(_decimal(g) * p for g, p in zip(dy[0], y))
        exact = np.array([float(p * (_decimal(g) - inner)) for g, p in zip(dy[0], y)])
        assert np.max(np.abs(ours - exact)) <= 4 * np.finfo(float).eps * np.abs(dy).max()
