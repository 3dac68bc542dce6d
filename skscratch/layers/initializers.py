"""How a layer's weights are declared and how they start.

A layer declares each weight once, as a :class:`WeightSpec` (name, shape,
initializer, whether the L2 penalty reads it, whether it trains); ``build``
draws it with its initializer, one registered function per scheme:
``f(rng, shape, dtype) -> ndarray``. Fans come from the shape as in Keras: a
``(fan_in, fan_out)`` matrix, or a convolution kernel ``(kh, kw, c_in,
c_out)`` whose fans count the window, ``kh*kw*c_in`` and ``kh*kw*c_out``.
"""

import math
from collections import namedtuple

import numpy as np

from ..registry import Registry


class WeightSpec(namedtuple("WeightSpec",
                             "name shape initializer penalized trainable nonnegative")):
    """One weight array of a layer, declared once.

    ``build`` creates it, ``count_params`` counts it, the L2 penalty reads
    ``penalized``, the memory estimate reads ``shape`` and ``set_weights``
    (so ``load`` too) refuses values ``nonnegative`` forbids.

    Parameters
    ----------
    name : str
        Key in the layer's ``params`` (trainable) or ``state`` (not trainable).
    shape : tuple of int
    initializer : str
        A key of :data:`skscratch.layers.initializers.INITIALIZERS`.
    penalized : bool
        Whether the L2 penalty applies (weights yes, biases no).
    trainable : bool
        False for arrays that are part of the model but not trained by
        gradients (BatchNorm's running statistics).
    nonnegative : bool
        Whether a negative value is invalid (BatchNorm's running variance:
        its square root would make every prediction NaN).
    """

    __slots__ = ()

    def __new__(cls, name, shape, initializer, penalized=False, trainable=True,
                nonnegative=False):
        return super().__new__(cls, name, tuple(int(d) for d in shape), initializer,
                               bool(penalized), bool(trainable), bool(nonnegative))

    @property
    def size(self):
        """Number of scalars (a Python int: no overflow for absurd declared shapes)."""
        return math.prod(self.shape)


INITIALIZERS = Registry("initializer")
# constant starts are for biases and statistics: weights need random ones
CONSTANT_INITIALIZERS = ("zeros", "ones")
HE_ACTIVATIONS = frozenset({"relu", "leaky_relu", "elu"})


def fans(shape):
    """``(fan_in, fan_out)`` of a weight array of ``shape``.

    Parameters
    ----------
    shape : tuple of int
        ``(fan_in, fan_out)``, or a kernel ``(*window, c_in, c_out)``.

    Returns
    -------
    fan_in, fan_out : int
    """
    window = int(np.prod(shape[:-2], dtype=np.int64)) if len(shape) > 2 else 1
    return window * int(shape[-2]), window * int(shape[-1])


@INITIALIZERS.register("glorot_uniform")
def glorot_uniform(rng, shape, dtype):
    """``U(-limit, limit)``, ``limit = sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio).

    Keeps the variance of activations and gradients steady through tanh and
    sigmoid layers.
    """
    fan_in, fan_out = fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


@INITIALIZERS.register("he_uniform")
def he_uniform(rng, shape, dtype):
    """``U(-limit, limit)``, ``limit = sqrt(6 / fan_in)`` (He et al.).

    Makes up for ReLU zeroing half of its inputs.
    """
    fan_in, _ = fans(shape)
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


@INITIALIZERS.register("zeros")
def zeros(rng, shape, dtype):
    """All zeros (biases, shifts, running means)."""
    return np.zeros(shape, dtype=dtype)


@INITIALIZERS.register("ones")
def ones(rng, shape, dtype):
    """All ones (scales, running variances)."""
    return np.ones(shape, dtype=dtype)


def check_initializer(name):
    """Validate a layer's ``kernel_initializer`` argument.

    Parameters
    ----------
    name : str
        "auto", or any registered initializer that is not a constant
        ("glorot_uniform", "he_uniform").

    Returns
    -------
    name : str
    """
    choices = kernel_initializers()
    if name not in choices:
        raise ValueError(f"kernel_initializer must be one of {choices}; got {name!r}.")
    return name


def kernel_initializers():
    """``("auto", ...)``: the names a ``kernel_initializer`` argument accepts."""
    return ("auto", *(k for k in INITIALIZERS if k not in CONSTANT_INITIALIZERS))


def kernel_initializer_for(name, activation):
    """Resolve ``"auto"``: He for the ReLU family, Glorot otherwise.

    Parameters
    ----------
    name : {"auto", "glorot_uniform", "he_uniform"}
    activation : str
        The activation that follows the weights.

    Returns
    -------
    name : str
        A key of :data:`INITIALIZERS`.
    """
    if name != "auto":
        return name
    return "he_uniform" if activation in HE_ACTIVATIONS else "glorot_uniform"
