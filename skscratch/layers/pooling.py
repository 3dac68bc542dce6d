"""Max and average pooling over channels-last images, and global average pooling.

Both pooling layers loop over the ``kh * kw`` positions inside a window: at
each position one strided slice of the input holds that pixel of *every*
window, so a pass costs ``kh * kw`` whole-array operations and no window copy.
"""

import numpy as np

from ._windows import WindowGeometry, check_padding, pair
from .base import LAYERS, Layer


class _Pool2D(Layer):
    """Shared shape logic: windows of ``pool_size`` every ``strides`` pixels."""

    def __init__(self, pool_size=2, strides=None, padding="valid", name=None):
        super().__init__(name)
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

    Parameters
    ----------
    pool_size : int or (int, int), default=2
    strides : int or (int, int), optional
        Defaults to ``pool_size`` (non-overlapping windows).
    padding : {"valid", "same"}, default="valid"
        "same" pads with -inf, so padding never wins a maximum.
    name : str, optional
    """

    def forward(self, x, training=False):
        g = self.geometry
        if training:
            padded = self._buffer("padded", g.padded_shape(x), -np.inf) if g.has_padding else None
            xp = g.pad(x, out=padded)
            y = self._buffer("y", (x.shape[0], *self.output_shape))
        else:
            xp = g.pad(x, -np.inf)
            y = np.empty((x.shape[0], *self.output_shape), dtype=x.dtype)
        offsets = g.offsets()
        np.copyto(y, xp[offsets[0][2]])
        for _, _, where in offsets[1:]:
            np.maximum(y, xp[where], out=y)
        if training:                    # inference leaves the training caches alone
            self._cache = (xp, y)
        return y

    def backward(self, grad_output, need_input_grad=True):
        self._check_cache()
        if not need_input_grad:
            return None
        g = self.geometry
        xp, y = self._cache
        winners = [(where, xp[where] == y) for _, _, where in g.offsets()]
        # winners per window, in the smallest integer that can count a whole window
        count = np.zeros(y.shape, dtype=np.uint8 if len(winners) < 256 else np.uint32)
        for _, won in winners:
            count += won
        share = np.divide(grad_output, count, dtype=self.dtype)
        grad = self._buffer("dx", xp.shape)
        if g.tiles:
            # every input pixel sits in exactly one window: write, don't accumulate
            for where, won in winners:
                np.multiply(won, share, out=grad[where])
        else:
            grad.fill(0)
            for where, won in winners:
                grad[where] += won * share
        return g.unpad(grad)


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
