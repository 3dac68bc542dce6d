"""2-D convolution (cross-correlation, as in every deep-learning library)."""

import numpy as np
from scipy.sparse import csr_array

from ._gemm import transposed_product
from .activations import FROM_INPUT, canonical_activation, get_activation, output_array
from .base import LAYERS, Layer, check_positive_int
from .initializers import WeightSpec, check_initializer, kernel_initializer_for
from .windows import WindowGeometry, check_padding, pair

# from this many channels on, im2col gathers whole pixels with `take`; with fewer it
# fills one row per kernel offset and channel (a one-channel pixel is a single number,
# and `take` moves those at half the speed)
TAKE_CHANNELS = 4


@LAYERS.register("Conv2D")
class Conv2D(Layer):
    """2-D convolution over channels-last images ``(batch, height, width, channels)``.

    Forward (im2col): gather every ``kh x kw x c`` window of the padded input
    into one row of a matrix ``cols`` of shape ``(n * out_h * out_w, kh*kw*c)``,
    plus a column of ones for the bias; then the whole batch is one BLAS product::

        z = [cols, 1] @ [W.reshape(kh*kw*c, filters); b]      # then y = f(z)

    Backward, by the chain rule, with ``dz = dE/dz`` reshaped to rows::

        [dE/dW; dE/db] = [cols, 1].T @ dz         # summed by row blocks (see _gemm)
        dE/dcols = dz @ W.reshape(kh*kw*c, filters).T
        dE/dx[pixel] = sum of dE/dcols over the places im2col copied the pixel to

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
    kernel_initializer : {"glorot_uniform", "he_uniform", "auto"}, default="glorot_uniform"
        Keras's default, Glorot; with ``fan_in = kh*kw*c`` and ``fan_out =
        kh*kw*filters``; "auto" is He for the ReLU family, Glorot otherwise.
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.

    Examples
    --------
    >>> import numpy as np
    >>> from skscratch.layers import Conv2D
    >>> conv = Conv2D(4, 3, padding="same", activation="relu")
    >>> conv.build((8, 8, 1), rng=0)
    (8, 8, 4)
    """

    _views = ("_Wb", "_dWb")
    _scratch = Layer._scratch + ("_col2ims",)

    def __init__(self, filters, kernel_size, strides=1, padding="valid", activation=None,
                 kernel_initializer="glorot_uniform", name=None, input_shape=None):
        super().__init__(name, input_shape)
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = check_padding(padding)
        self.activation = canonical_activation(activation)
        self.kernel_initializer = check_initializer(kernel_initializer)
        self._f, self._grad = get_activation(self.activation)
        self._col2ims = None

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError("Conv2D expects images of shape (batch, height, width, channels); "
                             f"received input_shape={input_shape}.")
        g = WindowGeometry(input_shape[:2], self.kernel_size, self.strides, self.padding)
        return (g.out_h, g.out_w, self.filters)

    def count_activations(self, input_shape):
        """Output plus the im2col rows a forward makes (and training keeps for backward).

        With :data:`TAKE_CHANNELS` or more channels the rows hold whole
        pixels, the bias pixel included (``(kh*kw + 1) * c`` numbers), gathered
        from a padded copy of the input with one extra pixel; with fewer, the
        rows are ``kh*kw*c + 1`` numbers, read from a padded copy when padding.
        """
        input_shape = tuple(int(d) for d in input_shape)
        g = WindowGeometry(input_shape[:2], self.kernel_size, self.strides, self.padding)
        (kh, kw), c = self.kernel_size, input_shape[2]
        if c < TAKE_CHANNELS:        # a padded copy of the input, when padding
            padded = g.padded[0] * g.padded[1] * c if g.has_padding else 0
            return g.out_h * g.out_w * (kh * kw * c + 1 + self.filters) + padded
        source = (g.padded[0] * g.padded[1] + 1) * c
        return g.out_h * g.out_w * ((kh * kw + 1) * c + self.filters) + source

    def weight_specs(self, input_shape):
        init = kernel_initializer_for(self.kernel_initializer, self.activation)
        return [WeightSpec("W", (*self.kernel_size, input_shape[-1], self.filters), init,
                           penalized=True),
                WeightSpec("b", (self.filters,), "zeros")]

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

    def _build_params(self, rng):
        g = self.geometry = WindowGeometry(self.input_shape[:2], self.kernel_size,
                                           self.strides, self.padding)
        windows = g.gather_index                      # (out_h * out_w, kh * kw)
        # im2col's pixels: every window's, then a bias pixel [1, 0, ..., 0] (index `pixels`)
        pixels = g.padded[0] * g.padded[1]
        self._gather = np.hstack([windows, np.full((len(windows), 1), pixels)]).ravel()
        # slot m * kh*kw + k of dz @ W.T is the gradient of window m's pixel at offset k
        self._scatter = g.scatter_index(windows.ravel())

    def _im2col(self, x, training=False):
        """Rows of ``(kh, kw, c)`` windows plus a constant 1: ``(n*oh*ow, kh*kw*c + 1)``.

        The trailing 1 makes the bias the last row of the GEMM's weight matrix:
        adding it pixel by pixel costs more than the whole GEMM when there are
        few filters (a broadcast add over an inner axis of 8 is slow in NumPy),
        and its gradient then comes out of the weight-gradient GEMM for free.
        """
        if x.shape[3] < TAKE_CHANNELS:
            return self._columns_by_offset(x, training)
        return self._columns_by_take(x, training)

    def _columns_by_take(self, x, training):
        """4+ channels: ``take`` gathers each window's pixels and a bias pixel per row.

        The bias pixel ``[1, 0, ..., 0]`` sits after the image's pixels, so each
        row ends with ``c`` numbers of which the first is the 1; the returned
        matrix is a view that stops there (BLAS reads rows with any stride).
        """
        g = self.geometry
        n, c = x.shape[0], x.shape[3]
        shape = (n, g.padded[0] * g.padded[1] + 1, c)
        if training:
            source = self._buffer("source", shape, fill=0)
            rows = self._buffer("cols", (n, self._gather.size, c))
        else:
            source, rows = np.zeros(shape, dtype=x.dtype), None
        source[:, -1, 0] = 1
        source[:, :-1].reshape(n, *g.padded, c)[g.interior()] = x
        # mode="clip" skips the bounds check, which would copy `out` first
        rows = source.take(self._gather, axis=1, out=rows, mode="clip")
        return rows.reshape(n * g.out_h * g.out_w, -1)[:, :self._Wb.shape[0]]

    def _columns_by_offset(self, x, training):
        """Fewer than 4 channels: the matrix filled transposed, one row per offset and channel.

        Each row is a contiguous copy of a strided slice (2.4x faster than
        ``take`` for one channel, whose pixels are single numbers); the
        Fortran-ordered transpose is returned: BLAS takes either layout.
        """
        g = self.geometry
        n, c = x.shape[0], x.shape[3]
        shape = (self._Wb.shape[0], n * g.out_h * g.out_w)
        if training:
            padded = self._buffer("padded", g.padded_shape(x), fill=0) if g.has_padding else None
            xp, matrix = g.pad(x, out=padded), self._buffer("cols", shape)
        else:
            xp, matrix = g.pad(x), np.empty(shape, dtype=x.dtype)
        matrix[-1] = 1
        for k, (_, _, where) in enumerate(g.offsets()):
            for ch in range(c):
                matrix[k * c + ch].reshape(n, g.out_h, g.out_w)[...] = xp[where][..., ch]
        return matrix.T

    def forward(self, x, training=False):
        cols = self._im2col(x, training)
        out = self._buffer("z", (cols.shape[0], self.filters)) if training else None
        z = np.matmul(cols, self._Wb, out=out)
        y = self._f(z, out=output_array(self, z, training)).reshape(x.shape[0], *self.output_shape)
        if training:                    # inference leaves the training cache alone
            # "y": what the derivative reads (z for FROM_INPUT activations)
            self._call = {"cols": cols,
                          "y": z.reshape(y.shape) if self.activation in FROM_INPUT else y}
        return y

    def backward(self, grad_output, need_input_grad=True):
        call = self._call
        if "cols" not in call:
            raise RuntimeError("backward() needs a forward(x, training=True) first.")
        dz = self._grad(call["y"], grad_output, out=self._buffer("dz", call["y"].shape))
        dz = dz.reshape(-1, self.filters)
        transposed_product(call["cols"], dz, out=self._dWb)     # weights, then the bias row
        if not need_input_grad:
            return None
        return self._input_gradient(dz, grad_output.shape[0])

    def _input_gradient(self, dz, n):
        """dE/dx: ``dz @ W.T`` is the gradient of every im2col slot (window, offset);
        each pixel's gradient is the sum of its slots, a sparse product (col2im).

        One wide GEMM, then one pass of the sparse matrix: a small GEMM per
        offset adding into strided slices took about twice as long.
        """
        channels = self.input_shape[2]
        W = self.params["W"].reshape(-1, self.filters)            # (kh*kw*c, filters)
        slots = np.matmul(dz, W.T, out=self._buffer("slots", (dz.shape[0], W.shape[0])))
        grad = self._col2im(n) @ slots.reshape(-1, channels)
        return grad.reshape(n, *self.input_shape)

    def _col2im(self, n):
        """Sparse ``(n*h*w, n*windows*kh*kw)`` matrix of ones: pixel <- the slots that copied it.

        Built from the geometry's scatter index, kept for two batch sizes.
        """
        cached = self._col2ims or {}
        if n not in cached:
            g, (kh, kw) = self.geometry, self.kernel_size
            slots, pixels = g.out_h * g.out_w * kh * kw, self._scatter.shape[1]   # per image
            copy = self._scatter < slots             # (copies, pixels): False = no copy
            pixel = np.broadcast_to(np.arange(pixels), copy.shape)[copy]
            image = np.arange(n)[:, None]
            rows, cols = (image * pixels + pixel).ravel(), (image * slots + self._scatter[copy])
            matrix = csr_array((np.ones(rows.size, self.dtype), (rows, cols.ravel())),
                               shape=(n * pixels, n * slots))
            cached = {**(cached if len(cached) < 2 else {}), n: matrix}
            self._col2ims = cached
        return cached[n]

    def get_config(self):
        return {"filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "activation": self.activation, "kernel_initializer": self.kernel_initializer,
                **super().get_config()}
