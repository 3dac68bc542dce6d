"""Converter of Conv2D: ONNX ``Conv`` in float32, im2col with ``MatMul`` in float64."""

import numpy as np

from .builder import Value
from .converters import register_converter
from .dense import apply_activation
from .windows import onnx_pads, padded, window_slices


@register_converter("Conv2D")
def convert_conv2d(graph, layer, x):
    """The convolution (explicit pads for "same"), then the fused activation."""
    if graph.native:
        y = _conv(graph, layer, x)
    else:
        y = _im2col_conv(graph, layer, x)
    return apply_activation(graph, y, layer.activation)


def _conv(graph, layer, x):
    """ONNX ``Conv`` on the channels-first image, the kernel as ``(f, c, kh, kw)``."""
    x = graph.channels_first(x)
    W = graph.weight(layer, "W_oihw", lambda: layer.params["W"].transpose(3, 2, 0, 1),
                     hint="W")
    b = graph.weight(layer, "b", lambda: layer.params["b"])
    y = graph.add("Conv", [x.name, W, b], hint=layer.name or "conv",
                  kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
                  pads=onnx_pads(layer.geometry), dilations=[1, 1], group=1)
    return Value(y, layer.output_shape, channels_first=True)


def _im2col_conv(graph, layer, x):
    """What the layer computes: rows of ``(kh, kw, c)`` windows times ``W`` as a matrix.

    The window slices are joined along the channels, offset by offset, so a
    row's order is the order of ``W.reshape(kh * kw * c, filters)``.
    """
    x = graph.channels_last(x)
    filters = layer.filters
    xp = padded(graph, x, layer.geometry, 0.0)
    slices = window_slices(graph, xp, layer.geometry)
    cols = slices[0] if len(slices) == 1 else graph.add("Concat", slices, hint="im2col",
                                                        axis=3)
    W = graph.weight(layer, "W_matrix", lambda: np.reshape(layer.params["W"], (-1, filters)),
                     hint="W")
    b = graph.weight(layer, "b", lambda: layer.params["b"])
    z = graph.add("MatMul", [cols, W], hint="matmul")
    y = graph.add("Add", [z, b], hint=layer.name or "conv")
    return Value(y, layer.output_shape)
