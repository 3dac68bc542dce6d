"""Batch normalization."""

import numpy as np

from ..callbacks.base import check_rate
from .base import LAYERS, Layer
from .initializers import WeightSpec


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
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.
    """

    def __init__(self, momentum=0.9, epsilon=1e-5, name=None, input_shape=None):
        super().__init__(name, input_shape)
        # a bool or None is no number (True would be an epsilon of 1); an infinite epsilon
        # would normalize every input to 0
        self.momentum = check_rate(momentum, "BatchNorm's momentum", 0.0, 1.0)
        self.epsilon = check_rate(epsilon, "BatchNorm's epsilon", closed="neither",
                                  must="be positive and finite")

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
            self._call = {"xhat": xhat, "inv_std": inv_std, "axes": axes, "batch": False}
            return xhat * gamma + beta
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat = (x - mean) * inv_std
        m = self.momentum
        self.state["running_mean"] *= m
        self.state["running_mean"] += (1 - m) * mean
        self.state["running_var"] *= m
        self.state["running_var"] += (1 - m) * var
        self._call = {"xhat": xhat, "inv_std": inv_std, "axes": axes, "batch": True}
        return xhat * gamma + beta

    def backward(self, grad_output, need_input_grad=True):
        call = self._call
        if "xhat" not in call:
            raise RuntimeError("backward() needs a forward(x, training=True) first.")
        xhat, inv_std, axes, batch_statistics = (call["xhat"], call["inv_std"], call["axes"],
                                                 call["batch"])
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


@LAYERS.register("Normalization")
class Normalization(Layer):
    """Standardize features with statistics computed once from data (Keras's ``Normalization``).

    ``y = (x - mean) / max(sqrt(variance), 1e-7)`` per feature (last axis),
    with ``mean`` and ``variance`` (population variance) set by
    :meth:`adapt`; they are the layer's non-trainable state, saved with its
    weights. Until adapted, the layer passes its input through unchanged
    (mean 0, variance 1). Backward: ``dE/dx = dE/dy / max(sqrt(variance), 1e-7)``.

    Parameters
    ----------
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.

    Examples
    --------
    >>> import numpy as np
    >>> from skscratch.layers import Normalization
    >>> norm = Normalization()
    >>> norm.adapt(np.array([[1.0, 10.0], [3.0, 30.0]]))
    >>> norm.forward(np.array([[2.0, 40.0]]))
    array([[0., 2.]])
    """

    # Keras's backend epsilon: the smallest standard deviation divided by
    EPSILON = 1e-7

    def __init__(self, name=None, input_shape=None):
        super().__init__(name, input_shape)
        self._adapted = None

    def weight_specs(self, input_shape):
        c = (input_shape[-1],)
        return [WeightSpec("mean", c, "zeros", trainable=False),
                WeightSpec("variance", c, "ones", trainable=False, nonnegative=True)]

    def _build_params(self, rng):
        if self._adapted is not None:       # adapted before its model was built
            for name, value in zip(("mean", "variance"), self._adapted):
                self.state[name][...] = value

    def adapt(self, data):
        """Compute the mean and variance of each feature of ``data`` (Keras's ``adapt``).

        Parameters
        ----------
        data : array-like of shape (n_samples, ..., n_features)
            Finite numbers; at least one sample.
        """
        data = np.asarray(data)
        if data.dtype.kind not in "iubf" or data.ndim < 2 or data.shape[0] == 0:
            raise ValueError(f"Normalization.adapt needs a numeric array of shape (n_samples, "
                             f"..., n_features); got shape {data.shape}, dtype {data.dtype}.")
        expected = self.input_shape or self.declared_input_shape
        if expected is not None and data.shape[1:] != tuple(expected):
            raise ValueError(f"Normalization takes samples of shape {tuple(expected)}; adapt "
                             f"got samples of shape {data.shape[1:]}.")
        data = data.astype(np.float64)
        if not np.isfinite(data).all():
            raise ValueError("Normalization.adapt needs finite data; got NaN or infinity.")
        axes = tuple(range(data.ndim - 1))
        self._adapted = (data.mean(axis=axes), data.var(axis=axes))
        if not self.built:
            self.build(data.shape[1:])
        self._build_params(None)

    def forward(self, x, training=False):
        scale = np.maximum(np.sqrt(self.state["variance"]), self.EPSILON)
        if training:
            self._call = {"scale": scale}
        return (x - self.state["mean"]) / scale

    def backward(self, grad_output, need_input_grad=True):
        if "scale" not in self._call:
            raise RuntimeError("backward() needs a forward(x, training=True) first.")
        return grad_output / self._call["scale"] if need_input_grad else None
