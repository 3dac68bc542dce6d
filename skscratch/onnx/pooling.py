"""Converters of the pooling layers: MaxPool2D, AvgPool2D and GlobalAvgPool2D.

In float32 the ONNX pooling operators run on the channels-first image with
the layer's explicit pads (padding never wins a maximum, and
``count_include_pad=0`` averages over real pixels only, as the layers do).
In float64, where onnxruntime lacks ``AveragePool``, both poolings are the
layers' own offset loop: ``Max`` or ``Sum`` over the window slices of the
channels-last image, so a float64 graph needs no transposes at all.
"""

from .builder import Value
from .converters import register_converter
from .windows import onnx_pads, padded, real_pixel_counts, window_slices


def _native_pool(graph, layer, x, op_type, **attributes):
    x = graph.channels_first(x)
    y = graph.add(op_type, [x.name], hint=layer.name or op_type.lower(),
                  kernel_shape=list(layer.pool_size), strides=list(layer.strides),
                  pads=onnx_pads(layer.geometry), **attributes)
    return Value(y, layer.output_shape, channels_first=True)


def _reduce_windows(graph, layer, x, op_type, fill):
    """``op_type`` ("Max" or "Sum") over the window slices of the padded channels-last image."""
    x = graph.channels_last(x)
    slices = window_slices(graph, padded(graph, x, layer.geometry, fill), layer.geometry)
    if len(slices) == 1:
        return slices[0]
    return graph.add(op_type, slices, hint=layer.name or op_type.lower())


@register_converter("MaxPool2D")
def convert_max_pool(graph, layer, x):
    """Maximum over each window (padding with -inf)."""
    if graph.native:
        return _native_pool(graph, layer, x, "MaxPool")
    return Value(_reduce_windows(graph, layer, x, "Max", float("-inf")), layer.output_shape)


@register_converter("AvgPool2D")
def convert_avg_pool(graph, layer, x):
    """Mean over the real (unpadded) pixels of each window."""
    if graph.native:
        return _native_pool(graph, layer, x, "AveragePool", count_include_pad=0)
    total = _reduce_windows(graph, layer, x, "Sum", 0.0)
    counts = graph.weight(layer, "counts", lambda: real_pixel_counts(
        layer.geometry, layer.input_shape, graph.dtype))
    return Value(graph.add("Div", [total, counts], hint=layer.name or "avgpool"),
                 layer.output_shape)


@register_converter("GlobalAvgPool2D")
def convert_global_avg_pool(graph, layer, x):
    """Sum over the spatial axes (in whichever layout ``x`` is), divided by ``h * w``."""
    axes = graph.ints([x.onnx_axis(0), x.onnx_axis(1)], "axes")
    total = graph.add("ReduceSum", [x.name, axes], hint="spatial_sum", keepdims=0)
    h, w, _ = layer.input_shape
    y = graph.add("Div", [total, graph.scalar(h * w, "pixels")], hint=layer.name or "gap")
    return Value(y, layer.output_shape)
