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
from ..model import Model
from .converters import convert_layer, register_converter


def network_outputs(graph, network, inputs):
    """Every output of a built network or model, computed from ``inputs``.

    Parameters
    ----------
    graph : OnnxGraph
    network : Network or Model
    inputs : list of Value
        One per input of the network (a Network has one).

    Returns
    -------
    outputs : list of Value
        One per output (a Network and most models have one).
    """
    if isinstance(network, Model):
        return model_outputs(graph, network, inputs)
    return [convert_layer(graph, network, inputs[0])]


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


def model_outputs(graph, model, inputs):
    """Every output of a functional model computed from ``inputs`` (one Value per input).

    Parameters
    ----------
    graph : OnnxGraph
    model : Model
    inputs : list of Value

    Returns
    -------
    outputs : list of Value
    """
    values = {id(t): v for t, v in zip(model.inputs, inputs)}
    for node in topological_nodes(model.inputs, model.outputs):
        args = [values[id(t)] for t in node.inputs]
        values[id(node.output)] = convert_layer(graph, node.layer,
                                                args if node.multi_input else args[0])
    return [values[id(t)] for t in model.outputs]
