"""Converters of the dense layers: Dense, the activations, Dropout and Flatten."""

import numpy as np

from ..layers.activations import ELU_ALPHA, LEAKY_SLOPE, canonical_activation
from .builder import Value
from .converters import register_converter

# operators computing an activation exactly as skscratch does, in any dtype
_ELEMENTWISE = {"logistic": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}


def apply_activation(graph, value, activation):
    """Add the nodes of an activation (a name of :func:`skscratch.layers.get_activation`).

    Parameters
    ----------
    graph : OnnxGraph
    value : Value
    activation : str or None

    Returns
    -------
    output : Value
        ``value`` itself for the identity.
    """
    activation = canonical_activation(activation)
    x = value.name
    if activation == "identity":
        return value
    if activation in _ELEMENTWISE:
        out = graph.add(_ELEMENTWISE[activation], [x], hint=activation)
    elif activation == "softmax":
        # over the last axis of a channels-last sample: the channels
        out = graph.add("Softmax", [x], hint="softmax", axis=value.onnx_axis(-1))
    elif activation == "leaky_relu":
        out = _leaky_relu(graph, x)
    elif activation == "elu":
        out = _elu(graph, x)
    else:                                         # a new activation without a converter
        raise TypeError(f"No ONNX converter for the activation {activation!r}.")
    return Value(out, value.shape, value.channels_first)


def _leaky_relu(graph, x):
    if graph.native:
        return graph.add("LeakyRelu", [x], hint="leaky_relu", alpha=LEAKY_SLOPE)
    # no float64 kernel in onnxruntime: where(x > 0, x, slope * x), as skscratch computes it
    positive = graph.add("Greater", [x, graph.scalar(0.0, "zero")], hint="positive")
    scaled = graph.add("Mul", [x, graph.scalar(LEAKY_SLOPE, "slope")], hint="scaled")
    return graph.add("Where", [positive, x, scaled], hint="leaky_relu")


def _elu(graph, x):
    if graph.native:
        return graph.add("Elu", [x], hint="elu", alpha=ELU_ALPHA)
    # no float64 kernel in onnxruntime: where(x > 0, x, alpha * (exp(min(x, 0)) - 1))
    zero = graph.scalar(0.0, "zero")
    positive = graph.add("Greater", [x, zero], hint="positive")
    negative = graph.add("Exp", [graph.add("Min", [x, zero])], hint="exp")
    negative = graph.add("Sub", [negative, graph.scalar(1.0, "one")], hint="expm1")
    if ELU_ALPHA != 1.0:
        negative = graph.add("Mul", [negative, graph.scalar(ELU_ALPHA, "alpha")])
    return graph.add("Where", [positive, x, negative], hint="elu")


@register_converter("Dense")
def convert_dense(graph, layer, x):
    """``x @ W + b`` (MatMul, Add), then the fused activation."""
    return apply_activation(graph, dense_logits(graph, layer, x), layer.activation)


def dense_logits(graph, layer, x):
    """A Dense layer's ``x @ W + b`` (MatMul, Add), before its activation."""
    W = graph.weight(layer, "W", lambda: layer.params["W"])
    b = graph.weight(layer, "b", lambda: layer.params["b"])
    z = graph.add("MatMul", [x.name, W], hint="matmul")
    z = graph.add("Add", [z, b], hint=layer.name or "dense")
    return Value(z, layer.output_shape)


@register_converter("Activation", "Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU",
                    "Softmax")
def convert_activation(graph, layer, x):
    """The activation layers: the same nodes as a fused activation."""
    return apply_activation(graph, x, layer.activation)


@register_converter("Dropout")
def convert_dropout(graph, layer, x):
    """Dropout is the identity at prediction time: no node."""
    return x


@register_converter("Flatten")
def convert_flatten(graph, layer, x):
    """Reshape to rows, in channels-last order (transposing back a channels-first image)."""
    if len(x.shape) == 1:
        return x
    x = graph.channels_last(x)
    width = int(np.prod(x.shape, dtype=np.int64))
    out = graph.add("Reshape", [x.name, graph.ints([-1, width])], hint="flatten")
    return Value(out, (width,))
