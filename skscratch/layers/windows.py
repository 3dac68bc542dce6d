"""Sliding-window arithmetic shared by convolution and pooling (channels-last).

Windows are gathered by looping over the ``kh * kw`` offsets of the
window, or by ``ndarray.take`` with the pixel indices of
:attr:`WindowGeometry.gather_index` — never a loop over pixels or samples.

Why ``take``: channels are the innermost axis, so a strided slice such as
``x[:, ::2, ::2]`` is made of runs of ``c`` numbers, and NumPy pays a loop
setup per run (for 8 float32 channels, element-wise work on such a view
runs 20x slower than on a contiguous array). ``take`` along the pixel axis
copies whole ``c``-number pixels in one tight loop: it packs every window's
pixels into a contiguous array, and the arithmetic that follows runs on
long runs.
"""

import math
from functools import cached_property

import numpy as np

from .symbolic import is_size

PADDINGS = ("valid", "same")


def pair(value, name):
    """``3 -> (3, 3)``; ``(1, 5) -> (1, 5)``; positive integers below ``2**63`` only.

    (A stride of ``10**400`` would make ``ceil(size / stride)`` an output of 0
    pixels, refused later under another name.)
    """
    values = ((value, value) if isinstance(value, (int, np.integer)) else
              tuple(value) if isinstance(value, (list, tuple, np.ndarray)) else ())
    if len(values) != 2 or not all(map(is_size, values)):
        raise ValueError(f"{name} must be a positive int or a pair of them; got {value!r}.")
    return tuple(int(v) for v in values)


def check_padding(padding):
    """Validate a padding name."""
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}; got {padding!r}.")
    return padding


def output_size(size, kernel, stride, padding):
    """Return ``(out, pad_before, pad_after)`` along one spatial axis.

    "valid": windows lie inside the input, ``out = (size - kernel) // stride + 1``.
    "same": ``out = ceil(size / stride)`` with the padding split as evenly as
    possible, the extra pixel after (TensorFlow/Keras convention).
    """
    if padding == "same":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + kernel - size, 0)
        return out, total // 2, total - total // 2
    if kernel > size:
        raise ValueError(f"A window of {kernel} does not fit an input of {size} with "
                         "padding='valid'; use padding='same' or a smaller window.")
    return (size - kernel) // stride + 1, 0, 0


class WindowGeometry:
    """Everything about sliding a ``kernel`` window over ``(height, width)`` inputs.

    Parameters
    ----------
    spatial_shape : (int, int)
    kernel, strides : (int, int)
    padding : {"valid", "same"}
    """

    def __init__(self, spatial_shape, kernel, strides, padding):
        (h, w), (kh, kw), (sh, sw) = spatial_shape, kernel, strides
        self.kernel, self.strides = (kh, kw), (sh, sw)
        (self.out_h, top, bottom) = output_size(h, kh, sh, padding)
        (self.out_w, left, right) = output_size(w, kw, sw, padding)
        self.pads = ((0, 0), (top, bottom), (left, right), (0, 0))
        self.padded = (h + top + bottom, w + left + right)
        self.has_padding = top or bottom or left or right
        # the windows cover every (padded) pixel exactly once
        self.tiles = (kh, kw) == (sh, sw) and self.padded == (self.out_h * sh, self.out_w * sw)

    def pad(self, x, value=0.0, out=None):
        """Pad a ``(n, h, w, c)`` batch on its spatial axes.

        With ``out`` (an array of the padded shape whose border already holds
        ``value``), only the interior is written.
        """
        if not self.has_padding:
            return x
        if out is None:
            return np.pad(x, self.pads, constant_values=value)
        out[self.interior()] = x
        return out

    def padded_shape(self, x):
        """Shape of ``x`` after :meth:`pad`."""
        return (x.shape[0], *self.padded, x.shape[3])

    def interior(self):
        """Index of the unpadded pixels within a padded batch."""
        (_, _), (top, bottom), (left, right), _ = self.pads
        return (slice(None), slice(top, self.padded[0] - bottom),
                slice(left, self.padded[1] - right))

    def unpad(self, x):
        """Crop what :meth:`pad` added."""
        return x[self.interior()] if self.has_padding else x

    def offsets(self):
        """For each kernel offset ``(i, j)``, the slice of the padded input it sees.

        ``xp[offset_slice]`` has shape ``(n, out_h, out_w, c)``: the pixel at
        window position ``(i, j)`` of every window at once.
        """
        (kh, kw), (sh, sw) = self.kernel, self.strides
        h_span, w_span = self.out_h * sh, self.out_w * sw
        return [(i, j, (slice(None), slice(i, i + h_span, sh), slice(j, j + w_span, sw)))
                for i in range(kh) for j in range(kw)]

    @cached_property
    def gather_index(self):
        """Pixel index, within one padded image, of every window's pixels.

        Shape ``(out_h * out_w, kh * kw)``: row ``m`` lists the pixels of
        window ``m`` in kernel-offset order. With a batch reshaped to
        ``(n, pixels, c)``, ``batch.take(index.ravel(), axis=1)`` gathers
        every window of every image as contiguous rows.
        """
        (kh, kw), (sh, sw) = self.kernel, self.strides
        rows = np.add.outer(np.arange(self.out_h) * sh, np.arange(kh))    # (out_h, kh)
        cols = np.add.outer(np.arange(self.out_w) * sw, np.arange(kw))    # (out_w, kw)
        pixels = rows[:, None, :, None] * self.padded[1] + cols[None, :, None, :]
        return pixels.reshape(self.out_h * self.out_w, kh * kw)

    def in_padding(self, pixels):
        """Whether each pixel index of a padded image lies in the padding.

        Parameters
        ----------
        pixels : ndarray of int
            Pixel indices within one padded image, such as :attr:`gather_index`.

        Returns
        -------
        padding : ndarray of bool, the shape of ``pixels``
        """
        return ~self._unpadded(pixels)[2]

    def _image_shape(self):
        """``(height, width)`` of the unpadded images."""
        (top, bottom), (left, right) = self.pads[1], self.pads[2]
        return self.padded[0] - top - bottom, self.padded[1] - left - right

    def _unpadded(self, pixels):
        """``(row, col, inside)``: padded-image pixel indices in unpadded coordinates."""
        (height, width), top, left = self._image_shape(), self.pads[1][0], self.pads[2][0]
        row, col = np.divmod(pixels, self.padded[1])
        row, col = row - top, col - left
        return row, col, (row >= 0) & (row < height) & (col >= 0) & (col < width)

    def scatter_index(self, gathered):
        """Invert a gather: where a gathered array holds each unpadded pixel.

        Parameters
        ----------
        gathered : ndarray of int, 1-D
            The padded-image pixel index of each slot of a gathered array
            (a flattened reordering of :attr:`gather_index`).

        Returns
        -------
        index : ndarray of shape (copies, height * width)
            ``index[r, p]`` is the slot of the ``r``-th copy of pixel ``p``
            (row-major over the unpadded image), or ``gathered.size`` when
            the pixel has fewer copies: the caller keeps a zero there. So
            ``grad.take(index, axis=1).sum(axis=1)`` sends the gradient of
            every slot back to its pixel, and one ``copies`` row suffices
            when windows do not overlap.
        """
        (height, width), (row, col, inside) = self._image_shape(), self._unpadded(gathered)
        slots = np.flatnonzero(inside)
        pixel = (row * width + col)[slots]
        order = np.argsort(pixel, kind="stable")
        pixel, slots = pixel[order], slots[order]
        counts = np.bincount(pixel, minlength=height * width)
        copy = np.arange(pixel.size) - np.repeat(np.cumsum(counts) - counts, counts)
        index = np.full((max(counts.max(), 1), height * width), gathered.size)
        index[copy, pixel] = slots
        return index
