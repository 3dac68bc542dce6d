"""The optional packages ONNX export needs, imported only when export runs.

``import skscratch`` and ``import skscratch.onnx`` never import them: the
converters record their graph in plain Python (:mod:`.builder`), and only
writing the final model reads ``onnx`` (and ``skl2onnx`` for pipelines).
"""

import importlib

INSTALL_HINT = 'pip install "skscratch[onnx]"'


def require(module):
    """Import an optional module, or raise an ImportError saying how to install it.

    Parameters
    ----------
    module : str
        ``"onnx"``, ``"onnxruntime"`` or ``"skl2onnx"`` (or one of their submodules).

    Returns
    -------
    module : module
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        raise ImportError(
            f"ONNX export needs the optional package {package!r}, which is not installed: "
            f"{INSTALL_HINT} installs onnx, onnxruntime and skl2onnx.") from exc
