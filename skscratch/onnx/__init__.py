"""Export fitted skscratch models to ONNX, alone or inside scikit-learn pipelines.

:func:`to_onnx` turns a fitted ``MLPFromScratch``, ``ConvNetFromScratch`` or
``NetworkEstimator`` (or a built ``Network`` or ``Model``) into an
``onnx.ModelProto`` that onnxruntime runs; :func:`register_skl2onnx` lets
``skl2onnx.to_onnx`` convert whole pipelines containing them.

It needs the optional packages of ``pip install "skscratch[onnx]"`` (onnx,
onnxruntime, skl2onnx), imported only when a model is written: importing
this module costs nothing without them. The converters record the graph in
plain Python (:mod:`.builder`), one converter per layer class
(:data:`CONVERTERS`), reached through one walk over networks and models
(:mod:`.walk`); :mod:`.heads` adds what the estimator does around the
network, and :mod:`.emit` writes the result.
"""

# the converter families register themselves in CONVERTERS when imported
from . import conv, dense, merge, normalization, pooling, walk  # noqa: F401
from .builder import DEFAULT_OPSET, MIN_OPSET, OnnxGraph, Value
from .converters import CONVERTERS, convert_layer, register_converter
from .export import to_onnx
from .skl2onnx_support import register_skl2onnx

__all__ = [
    "CONVERTERS",
    "DEFAULT_OPSET",
    "MIN_OPSET",
    "OnnxGraph",
    "Value",
    "convert_layer",
    "register_converter",
    "register_skl2onnx",
    "to_onnx",
]
