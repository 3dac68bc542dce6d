"""Max and average pooling over channels-last images, and global average pooling.

Average pooling loops over the ``kh * kw`` positions inside a window: at
each position one strided slice of the input holds that pixel of *every*
window, so a pass costs ``kh * kw`` whole-array operations and no window
copy. Max pooling gathers the windows into a contiguous stack instead,
which its backward pass reuses (strided slices of channels-last images are
slow to compute on: see :mod:`skscratch.layers.windows`).
"""

import numpy as np

from .base import LAYERS, Layer
from .windows import WindowGeometry, check_padding, pair


class _Pool2D(Layer):
    """Shared shape logic: windows of ``pool_size`` every ``strides`` pixels."""

    def __init__(self, pool_size=2, strides=None, padding="valid", name=None, input_shape=None):
        super().__init__(name, input_shape)
        self.pool_size = pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else pair(strides, "strides")
        self.padding = check_padding(padding)

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
        if not self._call:
            raise RuntimeError("backward() needs a forward(x, training=True) first.")

    def get_config(self):
        return {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
                **super().get_config()}


@LAYERS.register("MaxPool2D")
class MaxPool2D(_Pool2D):
    """Maximum over each window.

    Backward sends each window's whole gradient ``dE/dy`` to one input: the
    window's first maximum in row-major order, as PyTorch's CPU kernel picks
    it (Keras and PyTorch both route the gradient to one maximum). Inputs
    tying for a maximum (a flat background ties whole windows) get all of it
    or nothing; where windows overlap, an input chosen by several windows
    receives the sum of their gradients. Padding is never chosen, even where
    a window's real inputs are all ``-inf``. A NaN counts as the maximum,
    as in the forward pass, which returns NaN for a window holding one: that
    window's gradient goes to its first NaN (PyTorch's goes to the last).

    Forward gathers the windows with ``take`` into a contiguous stack
    ``(n, kh*kw, windows, c)``, one slab per kernel offset, and reduces it
    over the offsets; training keeps the stack, so backward finds the
    winners with one comparison against the output and sends the gradient
    back with one ``take`` (see :mod:`skscratch.layers.windows`).

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

    _scratch = _Pool2D._scratch + ("_won",)

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
        if training:                    # inference leaves the training cache alone
            self._call = {"stack": stack, "y": y}
        return y

    def _slabs(self, stack):
        """The stack as ``(n, kh*kw, windows * c)``: one contiguous slab per offset."""
        return stack.reshape(stack.shape[0], self.geometry.kernel[0] * self.geometry.kernel[1], -1)

    def backward(self, grad_output, need_input_grad=True):
        self._check_cache()
        if not need_input_grad:
            return None
        stack, y = self._call["stack"], self._call["y"]
        n, c = y.shape[0], y.shape[3]
        grad = self._buffer("slots", (n, self._gather.size + 1, c))
        grad[:, -1] = 0                 # the slot of the pixels no window saw
        won = self._winners(stack, y)
        np.multiply(won, grad_output.reshape(n, 1, -1), out=grad[:, :-1].reshape(won.shape))
        return self._scatter_back(grad).reshape(n, *self.input_shape)

    def _winners(self, stack, y):
        """True at the one slot of the stack each window's gradient goes to (a bool array kept)."""
        slabs = self._slabs(stack)
        won = self._won if self._won is not None and self._won.shape == slabs.shape else None
        won = self._won = np.equal(slabs, y.reshape(len(y), 1, -1), out=won)
        if y.size and not y.min() > -np.inf:      # a NaN, or a window of -inf
            self._admit_nans_refuse_padding(won, slabs)
        # every window has a winner now: more winners than windows means ties
        if np.count_nonzero(won) > y.size:
            _keep_first(won)
        return won

    def _admit_nans_refuse_padding(self, won, slabs):
        """Fix the two cases where equality with the output misses the maximum.

        A window holding a NaN outputs NaN, which equals nothing: its NaNs win.
        A window whose real inputs are all ``-inf`` ties with its ``-inf``
        padding: the padding must not win (it wins no other window).
        """
        np.logical_or(won, np.isnan(slabs), out=won)
        if self.geometry.has_padding:
            # (kh*kw, windows, 1): the slots that hold real pixels
            real = ~self.geometry.in_padding(self._gather).reshape(won.shape[1], -1, 1)
            by_window = won.reshape(*won.shape[:2], real.shape[1], -1)
            np.logical_and(by_window, real, out=by_window)

    def _scatter_back(self, grad):
        """Each input pixel's gradient: the sum of its slots (one when windows don't overlap)."""
        index, (n, _, c) = self._scatter, grad.shape
        if len(index) == 1:
            dx = self._buffer("dx", (n, index.shape[1], c))
            return grad.take(index[0], axis=1, out=dx, mode="clip")
        copies = grad.take(index.ravel(), axis=1, mode="clip")
        return np.add.reduce(copies.reshape(n, len(index), -1), axis=1)


def _keep_first(won):
    """Keep only the first True along axis 1 of a ``(n, k, m)`` bool array, in place.

    A loop over the ``k`` offsets: ``np.logical_or.accumulate`` along that
    axis would say the same in one call but runs some 50x slower.
    """
    seen = won[:, 0]                    # whether an earlier offset won, per window
    for k in range(1, won.shape[1]):
        np.greater(won[:, k], seen, out=won[:, k])          # won, and no earlier one did
        if k + 1 < won.shape[1]:        # a fresh array first: `seen` starts as a view of won
            seen = np.logical_or(seen, won[:, k], out=None if k == 1 else seen)


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
            self._call = {"forward": True}     # backward needs nothing else, but a forward
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
