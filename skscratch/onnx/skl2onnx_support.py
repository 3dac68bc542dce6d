"""skscratch's estimators in skl2onnx's converter registry: whole pipelines export.

After :func:`register_skl2onnx`, ``skl2onnx.to_onnx(pipeline, X[:1])`` converts
a ``Pipeline`` ending in (or containing) an skscratch estimator, each step by
its own converter. skl2onnx needs three functions per model type:

- a *parser* declaring the outputs: ``label`` and ``probabilities`` for a
  classifier (followed by skl2onnx's ``ZipMap`` unless ``zipmap=False``),
  ``variable`` for a regressor. The estimators are one class per model for
  both tasks (``task=``), so the parser reads the instance;
- a *shape calculator* typing them: labels int64 or string, probabilities
  and values in the input's float type (skl2onnx's convention);
- a *converter* adding the nodes, written by the same code as
  :func:`skscratch.onnx.to_onnx` (:mod:`.heads`), into skl2onnx's container.
"""

import numpy as np

from .builder import DEFAULT_OPSET, STRING, OnnxGraph
from .dependencies import require
from .emit import into_container
from .export import ESTIMATORS, graph_input
from .heads import classifier_outputs, label_constant, raw_output, regressor_outputs

# what skl2onnx's own classifiers accept: zipmap=True (the default), False or "columns";
# nocl=True outputs class indices instead of the labels
OPTIONS = {"zipmap": [True, False, "columns"], "nocl": [False, True]}


def register_skl2onnx():
    """Register converters for the skscratch estimators with skl2onnx (idempotent).

    Afterwards ``skl2onnx.to_onnx`` converts ``MLPFromScratch``,
    ``ConvNetFromScratch`` and ``NetworkEstimator``, alone or inside
    scikit-learn pipelines. Classifiers follow skl2onnx's ``zipmap`` option:
    by default (``zipmap=True``) the probabilities come out as a list of
    ``{class: probability}`` dictionaries named ``output_probability`` (with
    ``output_label``); ``options={id(estimator): {"zipmap": False}}`` (or
    ``{type(estimator): ...}``) gives plain ``label`` and ``probabilities``
    tensors, and ``"columns"`` one output per class. ZipMap takes float32
    probabilities only: with a float64 input, pass ``zipmap=False``.
    Multilabel classifiers always give tensors. ``nocl=True`` outputs class
    indices instead of ``classes_``.

    Examples
    --------
    >>> from skl2onnx import to_onnx                        # doctest: +SKIP
    >>> from skscratch.onnx import register_skl2onnx        # doctest: +SKIP
    >>> register_skl2onnx()                                 # doctest: +SKIP
    >>> onx = to_onnx(pipeline, X[:1].astype(np.float32),   # doctest: +SKIP
    ...               options={MLPFromScratch: {"zipmap": False}})
    """
    skl2onnx = require("skl2onnx")
    for cls in ESTIMATORS:
        skl2onnx.update_registered_converter(
            cls, f"Skscratch{cls.__name__}", _shape_calculator, _converter,
            parser=_parser, options=OPTIONS)


def _is_multilabel(estimator):
    return estimator.out_activation_ == "logistic" and estimator.n_outputs_ > 1


def _labels(operator):
    """The labels the graph outputs: ``classes_``, or indices with the ``nocl`` option."""
    from skl2onnx.common.utils_classifier import get_label_classes

    return get_label_classes(operator.scope_inst, operator.raw_operator)


def _parser(scope, model, inputs, custom_parsers=None):
    """Declare the operator and its outputs (with skl2onnx's ZipMap after a classifier)."""
    from skl2onnx._parse import _apply_zipmap, _get_sklearn_operator_name
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, guess_tensor_type

    operator = scope.declare_local_operator(_get_sklearn_operator_name(type(model)), model)
    operator.inputs = inputs
    float_type = guess_tensor_type(inputs[0].type)
    if model.task != "classification":
        operator.outputs.append(scope.declare_local_variable("variable", float_type))
        return operator.outputs
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    operator.outputs.append(scope.declare_local_variable("probabilities", float_type))
    zipmap = scope.get_options(model, {"zipmap": True})["zipmap"]
    if zipmap is False or _is_multilabel(model):
        return operator.outputs
    if not isinstance(float_type, FloatTensorType):
        # skl2onnx's own classifiers write a model onnxruntime then refuses
        raise ValueError(f"ONNX's ZipMap takes float32 probabilities only, and this "
                         f"{type(model).__name__} gets float64 inputs: convert with "
                         "options={id(model): {'zipmap': False}} (or a float32 X sample).")
    # skl2onnx's own step for classifiers (its documented custom-parser recipe)
    return _apply_zipmap(zipmap, scope, model, inputs[0].type, operator.outputs)


def _shape_calculator(operator):
    """Type the outputs: labels int64 or string, floats of the input's type."""
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )

    model, x = operator.raw_operator, operator.inputs[0]
    if len(operator.inputs) != 1 or not isinstance(x.type, (FloatTensorType, DoubleTensorType)):
        raise TypeError(f"{type(model).__name__} takes one float or double tensor in ONNX; got "
                        f"{[v.type for v in operator.inputs]}.")
    width = x.type.shape[1] if len(x.type.shape) > 1 else None
    if width is not None and width != model.n_features_in_:
        raise ValueError(f"{type(model).__name__} was fitted on {model.n_features_in_} "
                         f"features; the ONNX input before it has {width}.")
    n, float_type = x.get_first_dimension(), type(x.type)
    if model.task != "classification":
        operator.outputs[0].type = float_type([n, model.n_outputs_])
        return
    if _is_multilabel(model):
        operator.outputs[0].type = Int64TensorType([n, model.n_outputs_])
    else:
        kind = label_constant(_labels(operator))[1]
        operator.outputs[0].type = (StringTensorType if kind == STRING else Int64TensorType)([n])
    operator.outputs[1].type = float_type([n, max(model.n_outputs_, 2)
                                           if not _is_multilabel(model) else model.n_outputs_])


def _converter(scope, operator, container):
    """Add the estimator's nodes (from its input to its declared outputs) to the container."""
    from skl2onnx.common.data_types import DoubleTensorType

    model, x = operator.raw_operator, operator.inputs[0]
    dtype = np.dtype(np.float64 if isinstance(x.type, DoubleTensorType) else np.float32)
    graph = OnnxGraph(model.network_.dtype, container.target_opset or DEFAULT_OPSET,
                      unique_name=scope.get_unique_variable_name)
    names = [graph.reserve(v.full_name) for v in operator.outputs]
    x = graph_input(graph, x.full_name, (model.n_features_in_,), dtype)
    raw = raw_output(graph, model, x)
    if model.task == "classification":
        classes = None if _is_multilabel(model) else _labels(operator)
        classifier_outputs(graph, model, raw, names, dtype, classes)
    else:
        regressor_outputs(graph, model, raw, names[0], dtype)
    into_container(graph, scope, container)

