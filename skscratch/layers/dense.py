"""Fully connected layer, with an optional activation fused into it."""

import numpy as np
from scipy.sparse import issparse

from .activations import FROM_INPUT, canonical_activation, get_activation, output_array
from .base import LAYERS, Layer, check_positive_int, sum_over_rows
from .initializers import WeightSpec, check_initializer, kernel_initializer_for


@LAYERS.register("Dense")
class Dense(Layer):
    """Fully connected layer: ``y = activation(x @ W + b)``.

    Forward, for a batch ``x`` of shape ``(n, fan_in)``::

        z = x @ W + b            # (n, units)
        y = f(z)

    Backward, by the chain rule, from ``dy = dE/dy``::

        dz = dy * f'(z)          # written from y, see skscratch.layers.activations
        dE/dW = x.T @ dz         # sums the batch inside one BLAS call
        dE/db = dz.sum(axis=0)
        dE/dx = dz @ W.T

    Fusing the activation saves a layer call and a cached array per step;
    ``Dense(u)`` followed by ``Activation(f)`` computes exactly the same thing.

    ``x`` may be a SciPy sparse matrix (CSR rows): the products above are then
    sparse-dense products and nothing is densified.

    Parameters
    ----------
    units : int
        Number of output features.
    activation : str or None, default=None
        Activation applied to ``x @ W + b`` (see
        :func:`skscratch.layers.get_activation`); None is the identity.
    kernel_initializer : {"glorot_uniform", "he_uniform", "auto"}, default="glorot_uniform"
        Keras's default, Glorot: ``W`` uniform in ``[-limit, limit]`` with
        ``limit = sqrt(6 / (fan_in + fan_out))``; He uses ``sqrt(6 / fan_in)``;
        "auto" picks He for the ReLU family and Glorot otherwise. Biases start at 0.
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.

    Examples
    --------
    >>> import numpy as np
    >>> from skscratch.layers import Dense
    >>> layer = Dense(3, activation="tanh")
    >>> layer.build((2,), rng=0)
    (3,)
    >>> layer.forward(np.ones((4, 2))).shape
    (4, 3)
    """

    def __init__(self, units, activation=None, kernel_initializer="glorot_uniform", name=None,
                 input_shape=None):
        super().__init__(name, input_shape)
        self.units = check_positive_int(units, "units")
        self.activation = canonical_activation(activation)
        self.kernel_initializer = check_initializer(kernel_initializer)
        self._f, self._grad = get_activation(self.activation)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 1:
            raise ValueError(
                "Dense expects inputs of shape (batch, features); put a Flatten "
                f"layer before it. Received input_shape={input_shape}."
            )
        return (self.units,)

    def weight_specs(self, input_shape):
        init = kernel_initializer_for(self.kernel_initializer, self.activation)
        return [WeightSpec("W", (input_shape[-1], self.units), init, penalized=True),
                WeightSpec("b", (self.units,), "zeros")]

    @property
    def output_activation(self):
        """The activation applied last (what a loss may take the logits of)."""
        return self.activation

    def forward(self, x, training=False, logits=False):
        """``activation(x @ W + b)``; with ``logits=True``, ``x @ W + b`` (see Layer.forward)."""
        W, b = self.params["W"], self.params["b"]
        if issparse(x):                    # a sparse batch: one sparse-dense product
            z = np.asarray(x @ W)
        else:
            z = np.matmul(x, W,
                          out=self._buffer("z", (x.shape[0], self.units)) if training else None)
        z += b
        y = z if logits else self._f(z, out=output_array(self, z, training))
        if training:                    # inference leaves the training cache alone
            # "y": what the derivative reads (z for FROM_INPUT activations)
            self._call = {"x": x, "y": z if self.activation in FROM_INPUT else y,
                          "fused": logits}
        return y

    def backward(self, grad_output, need_input_grad=True):
        call = self._call
        if "x" not in call:
            raise RuntimeError("backward() needs a forward(x, training=True) first.")
        x, y = call["x"], call["y"]
        dz = (grad_output if call["fused"]
              else self._grad(y, grad_output, out=self._buffer("dz", y.shape)))
        if issparse(x):
            self.grads["W"][...] = x.T @ dz
        else:
            np.matmul(x.T, dz, out=self.grads["W"])
        sum_over_rows(dz, out=self.grads["b"])
        if not need_input_grad:
            return None
        return np.matmul(dz, self.params["W"].T, out=self._buffer("dx", x.shape))

    accepts_sparse = True

    def get_config(self):
        return {"units": self.units, "activation": self.activation,
                "kernel_initializer": self.kernel_initializer, **super().get_config()}
