"""Inverted dropout."""

import numpy as np

from .base import LAYERS, Layer


@LAYERS.register("Dropout")
class Dropout(Layer):
    """Randomly zero a fraction ``rate`` of the inputs while training.

    Inverted dropout: kept units are scaled by ``1 / (1 - rate)`` during
    training so the expected activation is unchanged, and the layer is the
    identity when not training (no rescaling at prediction time).

    Forward while training: ``y = x * m`` with ``m = keep / (1 - rate)`` and
    ``keep ~ Bernoulli(1 - rate)``; backward: ``dE/dx = dE/dy * m``.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping each unit.
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.
    """

    def __init__(self, rate, name=None, input_shape=None):
        super().__init__(name, input_shape)
        if not (isinstance(rate, (int, float, np.floating)) and 0 <= rate < 1):
            raise ValueError(f"Dropout rate must be in [0, 1); got {rate!r}.")
        self.rate = float(rate)
        self.rng = None

    def _build_params(self, rng):
        self.rng = rng

    def _draw_mask(self, shape):
        keep = self.rng.random(shape, dtype=self.dtype) >= self.rate
        return keep.astype(self.dtype) / self.dtype.type(1.0 - self.rate)

    def forward(self, x, training=False):
        if not training:                # inference leaves the training mask alone
            return x
        if self.rate == 0:
            self._call = {"mask": None}
            return x
        self._call = {"mask": self._draw_mask(x.shape)}
        return x * self._call["mask"]

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        mask = self._call.get("mask")
        return grad_output if mask is None else grad_output * mask

    def get_config(self):
        return {"rate": self.rate, **super().get_config()}
