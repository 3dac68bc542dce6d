"""The walk through containers: a Network's layers in order, a Model's nodes in graph order.

A :class:`~skscratch.Network` is its layers, first to last. A
:class:`~skscratch.Model` is its nodes in topological order
(:func:`skscratch.graph.topological_nodes`, the order its forward pass
runs), each value looked up by the symbolic tensor that names it. Both are
layers with converters of their own, so a network nested in a model, or a
model in a model, goes through the same dispatch as any leaf layer; a layer
called at several nodes (shared weights) stores its weights once.
"""

from ..graph import topological_nodes
from ..layers import Activation, Dense
from ..model import Model
from ..network import Network
from .converters import convert_layer, register_converter
from .dense import dense_logits


def network_outputs(graph, network, inputs, logits=False):
    """Every output of a built network or model, computed from ``inputs``.

    Parameters
    ----------
    graph : OnnxGraph
    network : Network or Model
    inputs : list of Value
        One per input of the network (a Network has one).
    logits : bool, default=False
        Stop each output before its layer's output activation (the logits an
        estimator decodes, where its cross-entropy was fused with a softmax
        or sigmoid output).

    Returns
    -------
    outputs : list of Value
        One per output (a Network and most models have one).
    """
    if isinstance(network, Model):
        return model_outputs(graph, network, inputs, logits)
    return [(convert_logits if logits else convert_layer)(graph, network, inputs[0])]


def convert_logits(graph, layer, x):
    """``layer``'s output before its output activation: what ``forward(logits=True)`` gives."""
    if isinstance(layer, Network):
        for inner in layer.layers[:-1]:
            x = convert_layer(graph, inner, x)
        return convert_logits(graph, layer.layers[-1], x)
    if isinstance(layer, Model):
        return model_outputs(graph, layer, x if isinstance(x, list) else [x], logits=True)[0]
    if type(layer) is Dense:
        return dense_logits(graph, layer, x)
    if isinstance(layer, Activation):
        return x
    return convert_layer(graph, layer, x)


@register_converter("Network")
def convert_network(graph, network, x):
    """The layers of a sequential network, first to last."""
    for layer in network.layers:
        x = convert_layer(graph, layer, x)
    return x


@register_converter("Model")
def convert_model(graph, model, inputs):
    """A functional model used as a layer (it has one output)."""
    return model_outputs(graph, model, inputs if isinstance(inputs, list) else [inputs])[0]


def model_outputs(graph, model, inputs, logits=False):
    """Every output of a functional model computed from ``inputs`` (one Value per input).

    Parameters
    ----------
    graph : OnnxGraph
    model : Model
    inputs : list of Value
    logits : bool, default=False
        Stop each output before its layer's output activation.

    Returns
    -------
    outputs : list of Value
    """
    values = {id(t): v for t, v in zip(model.inputs, inputs)}
    fused = model.logits_nodes(logits) if logits else set()
    for k, node in enumerate(topological_nodes(model.inputs, model.outputs)):
        args = [values[id(t)] for t in node.inputs]
        convert = convert_logits if k in fused else convert_layer
        values[id(node.output)] = convert(graph, node.layer,
                                          args if node.multi_input else args[0])
    return [values[id(t)] for t in model.outputs]
