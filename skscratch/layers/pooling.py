"""Max and average pooling over channels-last images, and global average pooling.

Average pooling loops over the ``kh * kw`` positions inside a window: at
each position one strided slice of the input holds that pixel of *every*
window, so a pass costs ``kh * kw`` whole-array operations and no window
copy. Max pooling gathers the windows into a contiguous stack instead,
which its backward pass reuses (strided slices of channels-last images are
slow to compute on: see :mod:`skscratch.layers._windows`).
"""

import numpy as np

from ._windows import WindowGeometry, check_padding, pair
from .base import LAYERS, Layer


class _Pool2D(Layer):
    """Shared shape logic: windows of ``pool_size`` every ``strides`` pixels."""

    def __init__(self, pool_size=2, strides=None, padding="valid", name=None, input_shape=None):
        super().__init__(name, input_shape)
        self.pool_size = pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else pair(strides, "strides")
        self.padding = check_padding(padding)
        self._cache = None

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} expects images of shape (batch, height, "
                             f"width, channels); received input_shape={input_shape}.")
        g = WindowGeometry(input_shape[:2], self.pool_size, self.strides, self.padding)
        return (g.out_h, g.out_w, input_shape[2])

    def _build_params(self, rng):
        self.geometry = WindowGeometry(self.input_shape[:2], self.pool_size, self.strides,
                                       self.padding)

    def _check_cache(self):
        if self._cache is None:
            raise RuntimeError("backward() needs a forward(x, training=True) first.")

    def get_config(self):
        return {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
                **super().get_config()}


@LAYERS.register("MaxPool2D")
class MaxPool2D(_Pool2D):
    """Maximum over each window.

    Backward sends each window's gradient to its maximum. Where several inputs
    tie for the maximum the gradient is shared equally among them, so the sum
    over the window is still exactly ``dE/dy`` (a valid subgradient). For a tie
    of two this is also what central differences measure: each of the pair
    raises the maximum when nudged up and leaves it when nudged down.

    Forward gathers the windows with ``take`` into a contiguous stack
    ``(n, kh*kw, windows, c)``, one slab per kernel offset, and reduces it
    over the offsets; training keeps the stack, so backward finds the
    winners with one comparison against the output and sends the gradient
    back with one ``take`` (see :mod:`skscratch.layers._windows`).

    Parameters
    ----------
    pool_size : int or (int, int), default=2
    strides : int or (int, int), optional
        Defaults to ``pool_size`` (non-overlapping windows).
    padding : {"valid", "same"}, default="valid"
        "same" pads with -inf, so padding never wins a maximum.
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.
    """

    _transient = _Pool2D._transient + ("_won",)

    def count_activations(self, input_shape):
        """Output plus the stack of windows a training forward keeps for backward."""
        oh, ow, c = self.compute_output_shape(tuple(input_shape))
        kh, kw = self.pool_size
        return oh * ow * c * (kh * kw + 1)

    def _build_params(self, rng):
        super()._build_params(rng)
        # slot k * windows + m of the stack holds offset k of window m
        self._gather = self.geometry.gather_index.T.ravel()
        self._scatter = self.geometry.scatter_index(self._gather)
        self._won = None

    def forward(self, x, training=False):
        g = self.geometry
        n, c = x.shape[0], x.shape[3]
        if training:
            padded = self._buffer("padded", g.padded_shape(x), -np.inf) if g.has_padding else None
            xp = g.pad(x, out=padded)
            stack = self._buffer("stack", (n, self._gather.size, c))
            y = self._buffer("y", (n, *self.output_shape))
        else:
            xp, stack = g.pad(x, -np.inf), None
            y = np.empty((n, *self.output_shape), dtype=x.dtype)
        # mode="clip" skips the bounds check, which would copy `out` first
        stack = xp.reshape(n, -1, c).take(self._gather, axis=1, out=stack, mode="clip")
        np.maximum.reduce(self._slabs(stack), axis=1, out=y.reshape(n, -1))
        if training:                    # inference leaves the training caches alone
            self._cache = (stack, y)
        return y

    def _slabs(self, stack):
        """The stack as ``(n, kh*kw, windows * c)``: one contiguous slab per offset."""
        return stack.reshape(stack.shape[0], self.geometry.kernel[0] * self.geometry.kernel[1], -1)

    def backward(self, grad_output, need_input_grad=True):
        self._check_cache()
        if not need_input_grad:
            return None
        stack, y = self._cache
        n, c = y.shape[0], y.shape[3]
        grad = self._buffer("slots", (n, self._gather.size + 1, c))
        grad[:, -1] = 0                 # the slot of the pixels no window saw
        won = self._winners(stack, y)
        np.multiply(won, self._shares(won, y, grad_output), out=grad[:, :-1].reshape(won.shape))
        return self._scatter_back(grad).reshape(n, *self.input_shape)

    def _winners(self, stack, y):
        """Where each slab of the stack holds its window's maximum (a bool array kept)."""
        slabs = self._slabs(stack)
        won = self._won if self._won is not None and self._won.shape == slabs.shape else None
        self._won = np.equal(slabs, y.reshape(len(y), 1, -1), out=won)
        return self._won

    def _shares(self, won, y, grad_output):
        """Each winner's part of its window's gradient: all of it, unless the window ties."""
        share = grad_output.reshape(len(y), 1, -1)
        # one winner per window, unless ties, or a NaN (which wins nothing)
        if np.count_nonzero(won) == y.size and not np.isnan(y).any():
            return share
        count = np.add.reduce(won, axis=1, dtype=np.uint8 if won.shape[1] < 256 else np.uint32)
        return np.divide(share, count[:, None], dtype=self.dtype)

    def _scatter_back(self, grad):
        """Each input pixel's gradient: the sum of its slots (one when windows don't overlap)."""
        index, (n, _, c) = self._scatter, grad.shape
        if len(index) == 1:
            dx = self._buffer("dx", (n, index.shape[1], c))
            return grad.take(index[0], axis=1, out=dx, mode="clip")
        copies = grad.take(index.ravel(), axis=1, mode="clip")
        return np.add.reduce(copies.reshape(n, len(index), -1), axis=1)


@LAYERS.register("AvgPool2D")
class AvgPool2D(_Pool2D):
    """Mean over each window; with "same" padding, over the real pixels only.

    Backward spreads ``dE/dy / count`` evenly over each window.

    Parameters
    ----------
    pool_size : int or (int, int), default=2
    strides : int or (int, int), optional
        Defaults to ``pool_size``.
    padding : {"valid", "same"}, default="valid"
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.
    """

    def _build_params(self, rng):
        super()._build_params(rng)
        # how many real (unpadded) pixels each window covers, shape (oh, ow, 1)
        self._counts = self._window_sums(np.ones((1, *self.input_shape[:2], 1), self.dtype))[0]

    def _window_sums(self, x):
        g = self.geometry
        xp = g.pad(x)
        total = np.zeros((x.shape[0], g.out_h, g.out_w, x.shape[3]), dtype=x.dtype)
        for _, _, where in g.offsets():
            total += xp[where]
        return total

    def forward(self, x, training=False):
        if training:
            self._cache = True
        return self._window_sums(x) / self._counts

    def backward(self, grad_output, need_input_grad=True):
        self._check_cache()
        if not need_input_grad:
            return None
        g = self.geometry
        share = grad_output / self._counts
        grad = np.zeros((share.shape[0], *g.padded, share.shape[3]), dtype=self.dtype)
        for _, _, where in g.offsets():
            grad[where] += share
        return g.unpad(grad)


@LAYERS.register("GlobalAvgPool2D")
class GlobalAvgPool2D(Layer):
    """Mean over height and width: ``(n, h, w, c) -> (n, c)``.

    Backward spreads ``dE/dy / (h * w)`` over every pixel of its channel.

    Parameters
    ----------
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.
    """

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError("GlobalAvgPool2D expects images of shape (batch, height, width, "
                             f"channels); received input_shape={input_shape}.")
        return (input_shape[2],)

    def forward(self, x, training=False):
        return x.mean(axis=(1, 2))

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        h, w, c = self.input_shape
        share = grad_output / (h * w)
        return np.broadcast_to(share[:, None, None, :], (share.shape[0], h, w, c)).copy()
