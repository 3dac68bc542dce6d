"""The version of skscratch (one place: the package face and the ONNX producer read it)."""

__version__ = "0.1.0"
