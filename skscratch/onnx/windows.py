"""Sliding windows in ONNX: explicit pads, and windows as strided slices.

skscratch's "same" padding is TensorFlow's: ``ceil(size / stride)`` outputs
per axis, the padding split evenly with the odd pixel at the end (bottom,
right). ONNX's ``auto_pad="SAME_UPPER"`` means the same, but explicit pads
copied from the layer's own :class:`~skscratch.layers.windows.WindowGeometry`
cannot drift from what the layer computes, so only explicit pads are written.

onnxruntime has no float64 kernels for ``Conv`` and ``AveragePool``; in
float64 the converters build them from the window offsets instead, as the
layers do themselves: for each of the ``kh * kw`` positions inside a window,
one strided ``Slice`` of the padded input holds that pixel of every window.
"""

import numpy as np


def onnx_pads(geometry):
    """``[top, left, bottom, right]``: the ``pads`` attribute of Conv and pooling."""
    (_, _), (top, bottom), (left, right), _ = geometry.pads
    return [int(top), int(left), int(bottom), int(right)]


def padded(graph, value, geometry, fill):
    """A channels-last value padded as the layer pads it (itself when there is no padding).

    Parameters
    ----------
    graph : OnnxGraph
    value : Value
        Channels-last.
    geometry : WindowGeometry
    fill : float
        0 for convolution and average pooling, -inf for max pooling.

    Returns
    -------
    name : str
    """
    if not geometry.has_padding:
        return value.name
    top, left, bottom, right = onnx_pads(geometry)
    pads = graph.ints([0, top, left, 0, 0, bottom, right, 0], "pads")
    return graph.add("Pad", [value.name, pads, graph.scalar(fill, "pad_value")], hint="padded",
                     mode="constant")


def window_slices(graph, name, geometry):
    """One strided slice per kernel offset ``(i, j)``, in the layers' order (i, then j).

    Slice ``k`` has shape ``(n, out_h, out_w, c)``: pixel ``(i, j)`` of every window.

    Returns
    -------
    names : list of str
    """
    (kh, kw), (sh, sw) = geometry.kernel, geometry.strides
    axes, steps = graph.ints([1, 2], "axes"), graph.ints([sh, sw], "steps")
    names = []
    for i in range(kh):
        for j in range(kw):
            starts = graph.ints([i, j], "starts")
            ends = graph.ints([i + (geometry.out_h - 1) * sh + 1,
                               j + (geometry.out_w - 1) * sw + 1], "ends")
            names.append(graph.add("Slice", [name, starts, ends, axes, steps], hint="window"))
    return names


def real_pixel_counts(geometry, shape, dtype):
    """How many unpadded pixels each window covers: shape ``(out_h, out_w, 1)``.

    Average pooling with "same" padding divides by this, not by the window size.
    """
    ones = np.ones((1, *shape[:2], 1), dtype=dtype)
    xp = geometry.pad(ones)
    total = np.zeros((1, geometry.out_h, geometry.out_w, 1), dtype=dtype)
    for _, _, where in geometry.offsets():
        total += xp[where]
    return total[0]
