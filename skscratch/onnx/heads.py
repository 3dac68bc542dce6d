"""The estimator around the network: from ``X`` to the network's inputs, and from
its outputs to labels and probabilities (classifiers) or values (regressors).

Each estimator's ``predict`` reshapes ``X`` before the network sees it and
decodes the raw outputs after (:mod:`skscratch.estimators._prediction`); the
graph reproduces both:

- ``MLPFromScratch`` feeds the rows as they are; ``ConvNetFromScratch``
  reshapes them to ``input_shape_`` (channels-last); ``NetworkEstimator``
  picks each model input's columns (``input_columns_``) and gives them their
  sample shape (``input_shapes_``).
- Classifiers output ``label`` and ``probabilities``, skl2onnx's names: the
  probabilities are the sigmoid (binary: ``[1 - p, p]``; multilabel: one per
  label) or the softmax of the logits, as ``predict_proba``; the label is
  read from the logits as ``predict`` reads it (``argmax``, or ``logit > 0``)
  and mapped to ``classes_``. Regressors output ``variable``, shape
  ``(n, n_outputs)``: the network's values, or their exponential for the
  log link of ``loss="poisson"`` (``out_activation_ == "exp"``).
"""

import numpy as np

from ..estimators import ConvNetFromScratch, NetworkEstimator
from .builder import INT64, STRING, Value, element_type
from .walk import network_outputs


def network_inputs(graph, estimator, x):
    """The network's input values made from the 2-D ``X`` value, as the estimator makes them.

    Parameters
    ----------
    graph : OnnxGraph
    estimator : MLPFromScratch, ConvNetFromScratch or NetworkEstimator
    x : Value
        Rows of ``n_features_in_`` values, in the network's dtype.

    Returns
    -------
    inputs : list of Value
    """
    if isinstance(estimator, ConvNetFromScratch):
        return [_reshaped(graph, x, estimator.input_shape_)]
    if isinstance(estimator, NetworkEstimator) and estimator.input_columns_ is not None:
        shapes = estimator.input_shapes_ or [None] * len(estimator.input_columns_)
        return [_reshaped(graph, _columns(graph, x, columns), shape)
                for columns, shape in zip(estimator.input_columns_, shapes)]
    return [x]


def _columns(graph, x, columns):
    """The given columns of ``x``: a ``Slice`` for a contiguous run, else a ``Gather``."""
    columns = np.asarray(columns, dtype=np.int64)
    if np.array_equal(columns, np.arange(x.shape[0])):
        return x
    if np.array_equal(columns, np.arange(columns[0], columns[0] + len(columns))):
        name = graph.add("Slice", [x.name, graph.ints([columns[0]], "starts"),
                                   graph.ints([columns[-1] + 1], "ends"),
                                   graph.ints([1], "axes")], hint="columns")
    else:
        name = graph.add("Gather", [x.name, graph.constant(columns, "columns")],
                         hint="columns", axis=1)
    return Value(name, (len(columns),))


def _reshaped(graph, x, shape):
    """``x`` with samples of ``shape`` (unchanged when it already has it)."""
    if shape is None or tuple(shape) == x.shape:
        return x
    name = graph.add("Reshape", [x.name, graph.ints([-1, *shape])], hint="images")
    return Value(name, tuple(shape))


def raw_output(graph, estimator, x):
    """The network's one output for the 2-D input value ``x`` (cast to the network's dtype).

    As ``predict`` reads it: the logits where the network ends in the
    softmax (sigmoid) the estimator's cross-entropy was fused with.
    """
    network = estimator.network_
    logits = (getattr(estimator, "out_activation_", None) in ("softmax", "logistic")
              and network.output_activation == estimator.out_activation_)
    return network_outputs(graph, network, network_inputs(graph, estimator, x), logits)[0]


def label_constant(classes):
    """``classes_`` as an ONNX label table: ``(array, element type)``.

    Integers and booleans become int64 labels and strings stay strings, as in
    skl2onnx; float labels must hold whole numbers (skl2onnx's rule too).
    """
    classes = np.asarray(classes)
    if classes.dtype.kind in "iub":
        return classes.astype(np.int64), INT64
    values = classes.ravel().tolist()
    if all(isinstance(v, str) for v in values):
        return np.array(values, dtype=object), STRING
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
           and float(v).is_integer() for v in values):
        return np.array([int(v) for v in values], dtype=np.int64), INT64
    raise ValueError(f"ONNX labels are integers or strings; classes_ {classes.tolist()} are "
                     "neither (float labels must be whole numbers). Fit on integer or string "
                     "labels to export.")


def classifier_outputs(graph, estimator, raw, names, dtype, classes=None):
    """Add the ``label`` and ``probabilities`` nodes; return their declarations.

    Parameters
    ----------
    graph : OnnxGraph
    estimator : fitted classifier
    raw : Value
        The logits, ``(n, n_outputs)``.
    names : (str, str)
        Names of the label and probability outputs.
    dtype : numpy dtype
        Dtype of the probabilities.
    classes : array-like, optional
        The labels to output in place of ``classes_`` (skl2onnx's ``nocl``
        option asks for class indices).

    Returns
    -------
    outputs : list of (str, int, list)
        ``(name, ONNX element type, shape)`` of each output.
    """
    label, proba = names
    n_outputs = estimator.n_outputs_
    multilabel = estimator.out_activation_ == "logistic" and n_outputs > 1
    if multilabel:                             # predict: (logit > 0) as integers
        graph.add("Cast", [_positive(graph, raw)], outputs=[label], to=INT64)
        probabilities = graph.add("Sigmoid", [raw.name], hint="probability")
        label_type, label_shape = INT64, [None, n_outputs]
    else:
        classes, label_type = label_constant(estimator.classes_ if classes is None else classes)
        if n_outputs == 1:                     # binary: one logit, the class is logit > 0
            index = graph.add("Cast", [_positive(graph, raw)], hint="index", to=INT64)
            index = graph.add("Reshape", [index, graph.ints([-1])], hint="index")
            p = graph.add("Sigmoid", [raw.name], hint="p")
            q = graph.add("Sub", [graph.scalar(1.0, "one"), p], hint="q")
            probabilities = graph.add("Concat", [q, p], hint="probability", axis=1)
        else:
            index = graph.add("ArgMax", [raw.name], hint="index", axis=1, keepdims=0)
            probabilities = graph.add("Softmax", [raw.name], hint="probability", axis=1)
        graph.add("Gather", [graph.constant(classes, "classes"), index], outputs=[label],
                  axis=0)
        label_shape = [None]
    _name_output(graph, probabilities, proba, dtype)
    width = max(n_outputs, 2) if not multilabel else n_outputs
    return [(label, label_type, label_shape), (proba, element_type(dtype), [None, width])]


def _positive(graph, raw):
    """``logit > 0``: a class's sigmoid above one half, as ``predict`` decides."""
    return graph.add("Greater", [raw.name, graph.scalar(0.0, "zero")], hint="positive")


def regressor_outputs(graph, estimator, raw, name, dtype):
    """Name the predictions as the ``variable`` output; return its declaration.

    The network's values, through ``Exp`` when the estimator's output
    activation is "exp" (``loss="poisson"``), as ``predict`` applies it.
    """
    values = raw.name
    if estimator.out_activation_ == "exp":
        values = graph.add("Exp", [values], hint="mean")
    _name_output(graph, values, name, dtype)
    return [(name, element_type(dtype), [None, raw.shape[0]])]


def _name_output(graph, tensor, name, dtype):
    """Copy (or cast, when ``dtype`` is not the graph's) ``tensor`` into the output ``name``."""
    if np.dtype(dtype) == graph.dtype:
        graph.add("Identity", [tensor], outputs=[name])
    else:
        graph.add("Cast", [tensor], outputs=[name], to=element_type(dtype))
