"""``to_onnx``: a fitted estimator, or a built network or model, as an ONNX model."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..container import Container
from ..estimators import (
    ConvNetFromScratch,
    MLPClassifier,
    MLPFromScratch,
    MLPRegressor,
    NetworkEstimator,
)
from ..model import Model
from .builder import DEFAULT_OPSET, OnnxGraph, Value, element_type
from .emit import model_proto
from .heads import classifier_outputs, raw_output, regressor_outputs
from .walk import network_outputs

ESTIMATORS = (MLPFromScratch, MLPClassifier, MLPRegressor, ConvNetFromScratch,
              NetworkEstimator)


def to_onnx(model, X_sample=None, *, target_opset=None):
    """Export a fitted skscratch estimator (or a built network or model) to ONNX.

    Parameters
    ----------
    model : MLPFromScratch, ConvNetFromScratch, NetworkEstimator, Network or Model
        A fitted estimator, or a built engine model.
    X_sample : array-like, optional
        Example input; only its dtype is used (and, for an estimator, its
        number of features is checked). float32 or float64 decides the type
        of the ONNX input; the graph casts it to the network's dtype as
        ``predict`` does. By default the input has the network's dtype.
    target_opset : int, optional
        Version of the ONNX operator set (13 or later; 17 by default).

    Returns
    -------
    onnx_model : onnx.ModelProto
        For an estimator: one input ``X`` of shape ``(n, n_features_in_)``
        (images flattened to rows, as scikit-learn passes them); a
        classifier outputs ``label`` and ``probabilities`` (what
        ``predict`` and ``predict_proba`` return), a regressor ``variable``
        of shape ``(n, n_outputs)``, in the network's dtype. For a network
        or model: one input per model input and one output per model
        output, named after them, samples channels-last as in skscratch.

    Examples
    --------
    >>> import onnxruntime as ort                                  # doctest: +SKIP
    >>> from skscratch.onnx import to_onnx                         # doctest: +SKIP
    >>> onx = to_onnx(model)                                       # doctest: +SKIP
    >>> session = ort.InferenceSession(onx.SerializeToString())    # doctest: +SKIP
    >>> label, proba = session.run(None, {"X": X.astype(model.network_.dtype)})  # doctest: +SKIP
    """
    opset = DEFAULT_OPSET if target_opset is None else target_opset
    if isinstance(model, Container):
        return _export_network(model, X_sample, opset)
    if not isinstance(model, ESTIMATORS):
        raise TypeError("to_onnx exports MLPFromScratch, ConvNetFromScratch, NetworkEstimator, "
                        f"Network and Model objects; got {type(model).__name__}.")
    check_is_fitted(model)
    network = model.network_
    input_dtype = _sample_dtype(X_sample, network.dtype, model.n_features_in_)
    graph = OnnxGraph(network.dtype, opset)
    names = ("label", "probabilities") if model.task == "classification" else ("variable",)
    x = graph_input(graph, "X", (model.n_features_in_,), input_dtype)
    for name in names:
        graph.reserve(name)
    raw = raw_output(graph, model, x)
    if model.task == "classification":
        outputs = classifier_outputs(graph, model, raw, names, network.dtype)
    else:
        outputs = regressor_outputs(graph, model, raw, names[0], network.dtype)
    inputs = [("X", element_type(input_dtype), [None, model.n_features_in_])]
    return model_proto(graph, inputs, outputs, doc_string=f"skscratch {type(model).__name__}")


def _export_network(network, X_sample, opset):
    """A built Network or Model: its inputs and raw outputs, named after them."""
    if not network.built:
        raise ValueError(f"This {type(network).__name__} is not built: build or fit it before "
                         "exporting it.")
    shapes = network.input_shape if isinstance(network.input_shape, list) else [
        network.input_shape]
    input_dtype = _sample_dtype(X_sample, network.dtype)
    graph = OnnxGraph(network.dtype, opset)
    in_names = _names([t.name for t in network.inputs] if isinstance(network, Model) else [None],
                      "X")
    # an output that is an input too (Model([a, b], [a, h])) needs its own graph name
    out_names = _names(network.output_names if isinstance(network, Model) else ["output"],
                       "output", taken=in_names)
    for name in out_names:
        graph.reserve(name)
    xs = [graph_input(graph, name, shape, input_dtype) for name, shape in zip(in_names, shapes)]
    outputs = []
    for name, value in zip(out_names, network_outputs(graph, network, xs)):
        value = graph.channels_last(value)
        graph.add("Identity", [value.name], outputs=[name])
        outputs.append((name, graph.element_type, [None, *value.shape]))
    inputs = [(name, element_type(input_dtype), [None, *shape])
              for name, shape in zip(in_names, shapes)]
    return model_proto(graph, inputs, outputs, doc_string=f"skscratch {type(network).__name__}")


def graph_input(graph, name, shape, dtype):
    """The input ``name`` as a Value in the graph's dtype (cast when ``dtype`` differs)."""
    graph.reserve(name)
    if np.dtype(dtype) == graph.dtype:
        return Value(name, shape)
    return Value(graph.add("Cast", [name], hint=f"{name}_cast", to=graph.element_type), shape)


def _names(names, default, taken=()):
    """Distinct names for graph inputs or outputs (``default_k`` where a name is missing).

    A name already in ``taken`` (an input's, for the outputs) or given
    earlier gets a trailing ``_``: ONNX names each value once.
    """
    result = []
    for k, name in enumerate(names):
        name = name or (default if len(names) == 1 else f"{default}_{k}")
        while name in result or name in taken:
            name += "_"
        result.append(name)
    return result


def _sample_dtype(X_sample, default, n_features=None):
    """The ONNX input's dtype from ``X_sample`` (float32 or float64), checking its width."""
    if X_sample is None:
        return np.dtype(default)
    first = X_sample[0] if isinstance(X_sample, (list, tuple)) else X_sample
    sample = np.asarray(first)
    if sample.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"X_sample sets the type of the ONNX input, float32 or float64; got "
                         f"dtype {sample.dtype}. Pass X[:1].astype(np.float32), for example.")
    width = int(np.prod(sample.shape[1:], dtype=np.int64)) if sample.ndim > 1 else None
    if n_features is not None and width != n_features:
        raise ValueError(f"X_sample has shape {sample.shape}; the model was fitted on "
                         f"{n_features} features per sample.")
    return sample.dtype
