"""Converters of the layers that merge several inputs: Concatenate and Add.

Inputs may arrive in different layouts (an image from a convolution is
channels-first, one straight from a model input channels-last): each is
brought to the first input's layout, and the axis is read in that layout.
"""

from .builder import Value
from .converters import register_converter


@register_converter("Concatenate")
def convert_concatenate(graph, layer, inputs):
    """``Concat`` along the layer's axis, in the first input's layout."""
    values = [graph.like(v, inputs[0]) for v in inputs]
    axis = values[0].onnx_axis(layer.axis)
    y = graph.add("Concat", [v.name for v in values], hint=layer.name or "concatenate",
                  axis=axis)
    return Value(y, layer.compute_output_shape([v.shape for v in values]),
                 values[0].channels_first)


@register_converter("Add")
def convert_add(graph, layer, inputs):
    """``x_1 + x_2 + ...`` in the layer's order, in the first input's layout."""
    values = [graph.like(v, inputs[0]) for v in inputs]
    y = values[0].name
    for k, value in enumerate(values[1:]):
        last = k == len(values) - 2
        y = graph.add("Add", [y, value.name], hint=(layer.name or "add") if last else "sum")
    return Value(y, values[0].shape, values[0].channels_first)
