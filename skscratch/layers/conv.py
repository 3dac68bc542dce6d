"""2-D convolution (cross-correlation, as in every deep-learning library)."""

import numpy as np

from ._windows import WindowGeometry, check_padding, pair
from .activation import FROM_INPUT, canonical_activation, get_activation, output_array
from .base import LAYERS, Layer, WeightSpec, check_positive_int
from .initializers import check_initializer, kernel_initializer_for


@LAYERS.register("Conv2D")
class Conv2D(Layer):
    """2-D convolution over channels-last images ``(batch, height, width, channels)``.

    Forward (im2col): gather every ``kh x kw x c`` window of the padded input
    into one row of a matrix ``cols`` of shape ``(n * out_h * out_w, kh*kw*c)``,
    plus a column of ones for the bias; then the whole batch is one BLAS product::

        z = [cols, 1] @ [W.reshape(kh*kw*c, filters); b]      # then y = f(z)

    Backward, by the chain rule, with ``dz = dE/dz`` reshaped to rows::

        [dE/dW; dE/db] = [cols, 1].T @ dz
        dE/dx[offset (i, j)] += dz @ W[i, j].T    # looping over the kh*kw offsets

    Parameters
    ----------
    filters : int
        Number of output channels.
    kernel_size : int or (int, int)
        Window height and width; ``(1, k)`` convolves 1-D signals stored as 1xN images.
    strides : int or (int, int), default=1
    padding : {"valid", "same"}, default="valid"
        "same" pads so the output has ``ceil(size / stride)`` pixels per axis.
    activation : str or None, default=None
        Fused activation, as in :class:`Dense`.
    kernel_initializer : {"auto", "glorot_uniform", "he_uniform"}, default="auto"
        With ``fan_in = kh*kw*c`` and ``fan_out = kh*kw*filters``; "auto" is He
        for the ReLU family, Glorot otherwise.
    name : str, optional

    Examples
    --------
    >>> import numpy as np
    >>> from skscratch.layers import Conv2D
    >>> conv = Conv2D(4, 3, padding="same", activation="relu")
    >>> conv.build((8, 8, 1), rng=0)
    (8, 8, 4)
    """

    _views = ("_Wb", "_dWb")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", activation=None,
                 kernel_initializer="auto", name=None):
        super().__init__(name)
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = check_padding(padding)
        self.activation = canonical_activation(activation)
        self.kernel_initializer = check_initializer(kernel_initializer)
        self._f, self._grad = get_activation(self.activation)
        self._cols = self._y = None

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError("Conv2D expects images of shape (batch, height, width, channels); "
                             f"received input_shape={input_shape}.")
        g = WindowGeometry(input_shape[:2], self.kernel_size, self.strides, self.padding)
        return (g.out_h, g.out_w, self.filters)

    def elements_per_sample(self):
        g, (kh, kw) = self.geometry, self.kernel_size
        return g.out_h * g.out_w * (kh * kw * self.input_shape[2] + 1 + self.filters)

    def count_activations(self, input_shape):
        """Output plus the im2col rows a training forward keeps for backward."""
        oh, ow, filters = self.compute_output_shape(tuple(input_shape))
        kh, kw = self.kernel_size
        return oh * ow * (kh * kw * int(input_shape[-1]) + 1 + filters)

    def weight_specs(self, input_shape):
        init = kernel_initializer_for(self.kernel_initializer, self.activation)
        return [WeightSpec("W", (*self.kernel_size, input_shape[-1], self.filters), init,
                           penalized=True),
                WeightSpec("b", (self.filters,), "zeros")]

    def _build_params(self, rng):
        self.geometry = WindowGeometry(self.input_shape[:2], self.kernel_size, self.strides,
                                       self.padding)

    def bind(self, flat_params, flat_grads, values=None):
        """As :meth:`Layer.bind`; also keeps ``[W; b]`` as one ``(kh*kw*c + 1, filters)`` view.

        ``W`` then ``b`` are adjacent in the flat array, so the GEMM's weight
        matrix with the bias as its last row is a view of it, and the weight
        gradient GEMM writes both gradients at once: nothing is stacked or
        split per step.
        """
        super().bind(flat_params, flat_grads, values)
        self._Wb = flat_params.reshape(-1, self.filters)
        self._dWb = flat_grads.reshape(-1, self.filters)

    def _im2col(self, x, training=False):
        """Rows of ``(kh, kw, c)`` windows plus a constant 1: ``(n*oh*ow, kh*kw*c + 1)``.

        The trailing 1 makes the bias the last row of the GEMM's weight matrix:
        adding it pixel by pixel costs more than the whole GEMM when there are
        few filters (a broadcast add over an inner axis of 8 is slow in NumPy),
        and its gradient then comes out of the weight-gradient GEMM for free.

        With 4+ channels the rows are one strided copy of the window view. With
        fewer, the matrix is filled transposed, one contiguous row per kernel
        offset and channel (2.4x faster for one channel), and returned as its
        Fortran-ordered transpose: BLAS takes either layout without a copy.
        """
        g = self.geometry
        kh, kw = self.kernel_size
        n, c = x.shape[0], x.shape[3]
        rows, width = n * g.out_h * g.out_w, kh * kw * c + 1
        few_channels = c < 4
        shape = (width, rows) if few_channels else (rows, width)
        if training:
            padded = self._buffer("padded", g.padded_shape(x), fill=0) if g.has_padding else None
            xp, matrix = g.pad(x, out=padded), self._buffer("cols", shape)
        else:
            xp, matrix = g.pad(x), np.empty(shape, dtype=x.dtype)
        if few_channels:
            matrix[-1] = 1
            for k, (_, _, where) in enumerate(g.offsets()):
                for ch in range(c):
                    matrix[k * c + ch].reshape(n, g.out_h, g.out_w)[...] = xp[where][..., ch]
            return matrix.T
        matrix[:, -1] = 1
        blocks = matrix[:, :-1].reshape(n, g.out_h, g.out_w, kh, kw, c)   # a view
        np.copyto(blocks, g.windows(xp).transpose(0, 1, 2, 4, 5, 3))
        return matrix

    def forward(self, x, training=False):
        cols = self._im2col(x, training)
        out = self._buffer("z", (cols.shape[0], self.filters)) if training else None
        z = np.matmul(cols, self._Wb, out=out)
        y = self._f(z, out=output_array(self, z, training)).reshape(x.shape[0], *self.output_shape)
        if training:                    # inference leaves the training caches alone
            # _y: what the derivative reads (z for FROM_INPUT activations)
            self._cols = cols
            self._y = z.reshape(y.shape) if self.activation in FROM_INPUT else y
        return y

    def backward(self, grad_output, need_input_grad=True):
        if self._cols is None:
            raise RuntimeError("backward() needs a forward(x, training=True) first.")
        dz = self._grad(self._y, grad_output, out=self._buffer("dz", self._y.shape))
        dz = dz.reshape(-1, self.filters)
        np.matmul(self._cols.T, dz, out=self._dWb)       # weights, then the bias row
        if not need_input_grad:
            return None
        return self._input_gradient(dz, grad_output.shape[0])

    def _input_gradient(self, dz, n):
        """dE/dx: for each kernel offset (i, j), ``dz @ W[i, j].T`` lands on the
        input pixels that offset saw. One small GEMM per offset writes a
        contiguous block, which adds into the strided slice far faster than
        scattering one big strided ``dz @ W.T`` matrix."""
        g = self.geometry
        kh, kw = self.kernel_size
        channels = self.input_shape[2]
        per_offset = self.params["W"].reshape(kh * kw, channels, self.filters)
        grad = self._buffer("dx", (n, *g.padded, channels))
        grad.fill(0)
        block = self._buffer("block", (dz.shape[0], channels))
        for k, (_, _, where) in enumerate(g.offsets()):
            np.matmul(dz, per_offset[k].T, out=block)
            grad[where] += block.reshape(n, g.out_h, g.out_w, channels)
        return g.unpad(grad)

    def get_config(self):
        return {"filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "activation": self.activation, "kernel_initializer": self.kernel_initializer,
                **super().get_config()}
