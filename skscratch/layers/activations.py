"""Activation functions, their derivatives, their registry, and the `Activation` layer.

Layers with a fused activation (``Dense``, ``Conv2D``) call the functions
directly; :class:`Activation` applies one as a layer of its own.

Derivatives are written in terms of the activation's *output* ``y`` where
that is exact enough: dE/dz = dE/dy * f'(z), and f'(z) is a cheap expression
of y, so a layer caches only its output (and a fused layer writes y over z).
ELU is the exception (:data:`FROM_INPUT`): its derivative for ``z <= 0`` is
``e^z = y + 1``, and ``y = e^z - 1`` rounds e^z away (exactly 0 below about
-37 in float64, -17 in float32), so its derivative reads the input ``z``
(``e^min(z, 0)``), as PyTorch's ELU does; layers then keep z and write y
elsewhere.

The logistic, tanh and softmax derivatives (``y(1 - y)``, ``1 - y**2``,
``y * (dy - <dy, y>)``) stay on the output, as in PyTorch and JAX: their
absolute error is below one unit in the last place of 1 (1.1e-16 in
float64), so only a saturated unit's derivative, itself below that, loses
relative precision; reading z instead would cost a transcendental pass per
backward step on the hot path.
"""

import numpy as np
from scipy.special import expit

from ..registry import Registry
from .base import LAYERS, Layer, zeros_array

LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0


def _store(y, out):
    """Copy ``y`` into ``out`` when an output buffer is given."""
    if out is None or out is y:
        return y
    np.copyto(out, y)
    return out


def _identity(z, out=None):
    return _store(z, out)


def _identity_grad(y, dy, out=None):
    return dy


def _logistic(z, out=None):
    return expit(z, out=out)


def _logistic_grad(y, dy, out=None):
    out = np.subtract(1.0, y, out=out)
    out *= y
    out *= dy
    return out


def _tanh(z, out=None):
    return np.tanh(z, out=out)


def _tanh_grad(y, dy, out=None):
    out = np.multiply(y, y, out=out)
    np.subtract(1.0, out, out=out)
    out *= dy
    return out


def _relu(z, out=None):
    # against an array of zeros NumPy's maximum runs its SIMD loop (see zeros_array)
    floats = isinstance(z, np.ndarray) and z.dtype.kind == "f"
    return np.maximum(z, zeros_array(z.shape, z.dtype) if floats else 0, out=out)


def _relu_grad(y, dy, out=None):
    if out is None:
        return dy * (y > 0)
    np.greater(y, 0, out=out)       # 1.0 where active, 0.0 elsewhere
    out *= dy
    return out


def _leaky_relu(z, out=None):
    return _store(np.where(z > 0, z, LEAKY_SLOPE * z), out)


def _leaky_relu_grad(y, dy, out=None):
    # the slope is positive, so y keeps the sign of z: f'(z) = 1 if y > 0 else slope
    out = np.greater(y, 0, out=out) if out is not None else (y > 0).astype(dy.dtype)
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    out *= dy
    return out


def _elu(z, out=None):
    # expm1 of the clipped input: never overflows for large positive z
    return _store(np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0))), out)


def _elu_grad(z, dy, out=None):
    # from the input: d/dz alpha*(e^z - 1) = alpha*e^z for z <= 0, and 1 for z > 0;
    # with alpha = 1 both are e^min(z, 0), exact for any z (y + 1 would cancel)
    out = np.minimum(z, 0, out=out)
    np.exp(out, out=out)
    out *= dy
    return out


def _softmax(z, out=None):
    # shifting by the row maximum keeps exp() in [0, 1]: no overflow
    out = np.subtract(z, z.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def _softmax_grad(y, dy, out=None):
    # Jacobian-vector product of softmax: y * (dy - <dy, y>)
    out = np.multiply(dy, y, out=out)
    inner = out.sum(axis=-1, keepdims=True)
    np.subtract(dy, inner, out=out)
    out *= y
    return out


# name -> (function, gradient from the output, or from the input for FROM_INPUT)
ACTIVATIONS = Registry("activation", aliases={"sigmoid": "logistic", "linear": "identity"})
for _name, _pair in {
    "identity": (_identity, _identity_grad),
    "logistic": (_logistic, _logistic_grad),
    "tanh": (_tanh, _tanh_grad),
    "relu": (_relu, _relu_grad),
    "leaky_relu": (_leaky_relu, _leaky_relu_grad),
    "elu": (_elu, _elu_grad),
    "softmax": (_softmax, _softmax_grad),
}.items():
    ACTIVATIONS.register(_name)(_pair)


# activations whose derivative reads the input z, not the output y (see above)
FROM_INPUT = frozenset({"elu"})


def output_array(layer, z, training):
    """Where a layer with a fused activation writes ``f(z)``.

    Over ``z`` itself (no copy), unless the derivative reads ``z``: then a
    reused training buffer, or a fresh array at inference.

    Parameters
    ----------
    layer : Layer
        With ``activation`` set (``Dense``, ``Conv2D``).
    z : ndarray
        The pre-activation.
    training : bool

    Returns
    -------
    out : ndarray or None
    """
    if layer.activation not in FROM_INPUT:        # canonical already
        return z
    return layer._buffer("y", z.shape) if training else None


def get_activation(name):
    """Return ``(function, gradient)`` for an activation name.

    Parameters
    ----------
    name : str or None
        One of ``"identity"`` (alias ``"linear"`` or None), ``"logistic"``
        (alias ``"sigmoid"``), ``"tanh"``, ``"relu"``, ``"leaky_relu"``,
        ``"elu"``, ``"softmax"``.

    Returns
    -------
    function : callable ``f(z, out=None) -> y``
    gradient : callable ``g(y, dy, out=None) -> dz``, the chain rule from the
        output (from the input ``z`` instead for the names in :data:`FROM_INPUT`);
        ``out`` (an array shaped like ``y``) receives the result.
    """
    return ACTIVATIONS.get_class("identity" if name is None else name)


def canonical_activation(name):
    """The canonical name of an activation (resolves aliases, validates)."""
    return ACTIVATIONS.canonical("identity" if name is None else name)


@LAYERS.register("Activation")
class Activation(Layer):
    """Apply an activation function element-wise (softmax: over the last axis).

    Parameters
    ----------
    activation : str
        Name understood by :func:`get_activation`, e.g. ``"tanh"``.
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.

    Examples
    --------
    >>> import numpy as np
    >>> from skscratch.layers import Activation
    >>> layer = Activation("relu")
    >>> layer.build((3,))
    (3,)
    >>> layer.forward(np.array([[-1.0, 0.5, 2.0]]))
    array([[0. , 0.5, 2. ]])
    """

    def __init__(self, activation, name=None, input_shape=None):
        super().__init__(name, input_shape)
        self.activation = canonical_activation(activation)
        self._f, self._grad = get_activation(self.activation)

    @property
    def output_activation(self):
        """The activation applied last (what a loss may take the logits of)."""
        return self.activation

    def forward(self, x, training=False, logits=False):
        """``activation(x)``; with ``logits=True`` the input itself (see Layer.forward)."""
        y = x if logits else self._f(x, out=self._buffer("y", x.shape) if training else None)
        if training:                    # inference leaves the training cache alone
            # what the derivative reads: the output, or the input for FROM_INPUT
            self._call = {"y": x if self.activation in FROM_INPUT else y, "fused": logits}
        return y

    def backward(self, grad_output, need_input_grad=True):
        call = self._call
        if "y" not in call:
            raise RuntimeError("backward() needs a forward(x, training=True) first.")
        if not need_input_grad:
            return None
        if call["fused"]:
            return grad_output
        return self._grad(call["y"], grad_output, out=self._buffer("dx", call["y"].shape))

    def get_config(self):
        return {"activation": self.activation, **super().get_config()}


class _FixedActivation(Activation):
    """An `Activation` whose function is fixed by the subclass."""

    function = "identity"

    def __init__(self, name=None, input_shape=None):
        super().__init__(self.function, name, input_shape)

    def get_config(self):
        config = super().get_config()
        del config["activation"]
        return config


@LAYERS.register("Identity")
class Identity(_FixedActivation):
    """Identity layer: ``y = x``."""

    function = "identity"


@LAYERS.register("Sigmoid")
class Sigmoid(_FixedActivation):
    """Logistic sigmoid layer: ``y = 1 / (1 + exp(-x))``."""

    function = "logistic"


@LAYERS.register("Tanh")
class Tanh(_FixedActivation):
    """Hyperbolic tangent layer: ``y = tanh(x)``."""

    function = "tanh"


@LAYERS.register("ReLU")
class ReLU(_FixedActivation):
    """Rectified linear unit layer: ``y = max(x, 0)``."""

    function = "relu"


@LAYERS.register("LeakyReLU")
class LeakyReLU(_FixedActivation):
    """Leaky ReLU layer: ``y = x`` where ``x > 0``, else ``0.01 * x``."""

    function = "leaky_relu"


@LAYERS.register("ELU")
class ELU(_FixedActivation):
    """Exponential linear unit layer: ``y = x`` where ``x > 0``, else ``exp(x) - 1``."""

    function = "elu"


@LAYERS.register("Softmax")
class Softmax(_FixedActivation):
    """Softmax over the last axis: ``y_i = exp(x_i) / sum_j exp(x_j)``."""

    function = "softmax"
