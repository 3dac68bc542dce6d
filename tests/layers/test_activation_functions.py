import numpy as np
import pytest
from scipy.special import expit, softmax

from skscratch.layers.activation_functions import get_activation
from skscratch.layers.arrays import ZEROS_LIMIT

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
