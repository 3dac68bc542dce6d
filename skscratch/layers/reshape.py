"""Layers that only change the shape of their input."""

import numpy as np

from .base import LAYERS, Layer


@LAYERS.register("Flatten")
class Flatten(Layer):
    """Flatten every sample to one axis: ``(batch, d1, d2, ...) -> (batch, d1*d2*...)``.

    Backward reshapes the gradient back to the input shape.

    Parameters
    ----------
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.
    """

    def compute_output_shape(self, input_shape):
        return (int(np.prod(input_shape, dtype=np.int64)),)

    def forward(self, x, training=False):
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        return grad_output.reshape((grad_output.shape[0],) + self.input_shape)
