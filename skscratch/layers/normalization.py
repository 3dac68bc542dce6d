"""Batch normalization."""

import numpy as np

from .base import LAYERS, Layer, WeightSpec


@LAYERS.register("BatchNorm")
class BatchNorm(Layer):
    """Normalize each channel (last axis) over the batch, then scale and shift.

    For dense inputs ``(n, features)`` statistics are per feature; for images
    ``(n, h, w, c)`` per channel, over the batch and both spatial axes. While
    training, with ``m`` the number of values per channel::

        xhat = (x - mean) / sqrt(var + epsilon)       y = gamma * xhat + beta

    and the running statistics move towards the batch's
    (``running = momentum * running + (1 - momentum) * batch``). When not
    training the running statistics are used, so a prediction never depends on
    the other samples of its batch. Backward (the batch statistics depend on
    every input)::

        dxhat = dE/dy * gamma
        dE/dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var + epsilon)
        dE/dgamma = sum(dE/dy * xhat)       dE/dbeta = sum(dE/dy)

    A training batch with one value per channel (one row of features, e.g.
    the last batch of an epoch of 201 samples in batches of 200) has no
    statistics to speak of: its variance is 0, so it would normalize every
    value to 0, train nothing and drag the running variance towards 0. Such
    a batch is normalized with the running statistics instead, as at
    inference, and leaves them unchanged; its gradient is then
    ``dE/dx = dE/dy * gamma / sqrt(running_var + epsilon)``.

    Parameters
    ----------
    momentum : float in [0, 1), default=0.9
    epsilon : float, default=1e-5
    name : str, optional
    """

    def __init__(self, momentum=0.9, epsilon=1e-5, name=None):
        super().__init__(name)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1); got {momentum!r}.")
        if not epsilon > 0:
            raise ValueError(f"epsilon must be positive; got {epsilon!r}.")
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self._cache = None

    def weight_specs(self, input_shape):
        c = (input_shape[-1],)
        return [WeightSpec("gamma", c, "ones"), WeightSpec("beta", c, "zeros"),
                WeightSpec("running_mean", c, "zeros", trainable=False),
                WeightSpec("running_var", c, "ones", trainable=False,
                           nonnegative=True)]

    def forward(self, x, training=False):
        axes = tuple(range(x.ndim - 1))
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not training:                # inference leaves the training cache alone
            scale = gamma / np.sqrt(self.state["running_var"] + self.epsilon)
            return (x - self.state["running_mean"]) * scale + beta
        if x.size == x.shape[-1]:       # one row: the running statistics, unchanged
            inv_std = 1.0 / np.sqrt(self.state["running_var"] + self.epsilon)
            xhat = (x - self.state["running_mean"]) * inv_std
            self._cache = (xhat, inv_std, axes, False)
            return xhat * gamma + beta
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat = (x - mean) * inv_std
        m = self.momentum
        self.state["running_mean"] *= m
        self.state["running_mean"] += (1 - m) * mean
        self.state["running_var"] *= m
        self.state["running_var"] += (1 - m) * var
        self._cache = (xhat, inv_std, axes, True)
        return xhat * gamma + beta

    def backward(self, grad_output, need_input_grad=True):
        if self._cache is None:
            raise RuntimeError("backward() needs a forward(x, training=True) first.")
        xhat, inv_std, axes, batch_statistics = self._cache
        np.sum(grad_output * xhat, axis=axes, out=self.grads["gamma"])
        np.sum(grad_output, axis=axes, out=self.grads["beta"])
        if not need_input_grad:
            return None
        dxhat = grad_output * self.params["gamma"]
        if not batch_statistics:        # constants: no dependence through the statistics
            return dxhat * inv_std
        return (dxhat - dxhat.mean(axis=axes)
                - xhat * (dxhat * xhat).mean(axis=axes)) * inv_std

    def get_config(self):
        return {"momentum": self.momentum, "epsilon": self.epsilon, **super().get_config()}
