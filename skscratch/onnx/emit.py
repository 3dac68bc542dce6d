"""Writing a recorded :class:`~.builder.OnnxGraph` out: as a model, or into skl2onnx.

This is the only place that builds ``onnx`` protocol buffers.
"""

import numpy as np

from ..version import __version__
from .builder import STRING
from .dependencies import require


def model_proto(graph, inputs, outputs, doc_string=""):
    """An ``onnx.ModelProto`` of the graph, checked by ``onnx.checker``.

    Parameters
    ----------
    graph : OnnxGraph
    inputs, outputs : list of (str, int, list)
        ``(name, ONNX element type, shape)`` of each graph input and output;
        ``None`` in a shape is a dimension of any size (the batch).
    doc_string : str, default=""

    Returns
    -------
    model : onnx.ModelProto
    """
    onnx = require("onnx")
    from onnx import helper

    if graph.opset > onnx.defs.onnx_opset_version():
        raise ValueError(f"target_opset={graph.opset} is newer than the installed onnx "
                         f"{onnx.__version__} knows ({onnx.defs.onnx_opset_version()}).")

    nodes = [helper.make_node(op, ins, outs, name=f"{op}_{k}", domain=domain or None, **attrs)
             for k, (op, ins, outs, attrs, domain) in enumerate(graph.nodes)]
    body = helper.make_graph(
        nodes, "skscratch",
        [helper.make_tensor_value_info(name, kind, shape) for name, kind, shape in inputs],
        [helper.make_tensor_value_info(name, kind, shape) for name, kind, shape in outputs],
        initializer=[_tensor(name, array) for name, array in graph.initializers.items()])
    opsets = [helper.make_opsetid("", graph.opset)]
    model = helper.make_model(body, opset_imports=opsets, producer_name="skscratch",
                              producer_version=__version__, doc_string=doc_string)
    # the oldest IR version that holds these opsets: older runtimes read the file too
    model.ir_version = helper.find_min_ir_version_for(opsets)
    onnx.checker.check_model(model)
    return model


def _tensor(name, array):
    """A ``TensorProto`` of a NumPy array (strings included)."""
    numpy_helper = require("onnx.numpy_helper")
    if array.dtype.kind in "OUS":
        array = np.array([str(v) for v in array.ravel()], dtype=object).reshape(array.shape)
    return numpy_helper.from_array(array, name)


def into_container(graph, scope, container):
    """Add the graph's constants and nodes to skl2onnx's model under construction.

    Parameters
    ----------
    graph : OnnxGraph
        Built with ``unique_name=scope.get_unique_variable_name``.
    scope : skl2onnx Scope
    container : skl2onnx ModelComponentContainer
    """
    for name, array in graph.initializers.items():
        if array.dtype.kind in "OUS":
            container.add_initializer(name, STRING, list(array.shape),
                                      [str(v).encode("utf-8") for v in array.ravel()])
        else:
            tensor = _tensor(name, array)
            container.add_initializer(name, tensor.data_type, list(array.shape), tensor)
    for op, ins, outs, attrs, domain in graph.nodes:
        container.add_node(op, ins, outs, op_domain=domain,
                           name=scope.get_unique_operator_name(op), **attrs)
