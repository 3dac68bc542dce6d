"""The `Activation` layers: an activation function as a layer of its own.

The functions, their derivatives and the name table are in
``activation_functions.py``; layers with a fused activation
(``Dense``, ``Conv2D``) use them directly.
"""

from .activation_functions import (  # noqa: F401  (imported from here before the split)
    ACTIVATIONS,
    ELU_ALPHA,
    FROM_INPUT,
    LEAKY_SLOPE,
    canonical_activation,
    get_activation,
    gradient_reads_input,
    output_array,
)
from .base import LAYERS, Layer


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
