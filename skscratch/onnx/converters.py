"""The table of layer converters, and the one function that dispatches to them.

A converter turns one skscratch layer into ONNX nodes: it is called as
``converter(graph, layer, inputs)`` with an :class:`~.builder.OnnxGraph`,
the built layer, and the :class:`~.builder.Value` it reads (a list of them
for a layer with several inputs, such as ``Concatenate``), and returns the
``Value`` of the layer's output. Converters are registered under the name
the layer class has in :data:`skscratch.layers.LAYERS`; lookup is by exact
class, so a subclass of ``Dense`` with its own ``forward`` is never exported
as a plain ``Dense``.
"""

from ..layers.base import LAYERS, Layer
from ..registry import Registry

CONVERTERS = Registry("ONNX converter")


def register_converter(*layer_names):
    """Decorator registering a converter for the layers named ``layer_names``.

    Parameters
    ----------
    *layer_names : str
        Names of layer classes in :data:`skscratch.layers.LAYERS`.

    Returns
    -------
    decorator : callable
    """
    def add(function):
        """Register ``function`` under every name and return it unchanged."""
        for name in layer_names:
            CONVERTERS.register(name)(function)
        return function
    return add


def converter_for(layer):
    """The converter of ``layer``'s class; TypeError naming the layer when there is none.

    Parameters
    ----------
    layer : Layer

    Returns
    -------
    converter : callable
    """
    name = next((n for n, cls in LAYERS.items() if type(layer) is cls), None)
    if name is None or name not in CONVERTERS:
        kind = type(layer).__name__
        what = layer.describe() if isinstance(layer, Layer) else repr(layer)
        hint = ("" if name is not None else
                f" {kind} is not one of skscratch's layers (skscratch.layers.LAYERS);")
        raise TypeError(
            f"Cannot export {what} to ONNX: no converter is registered for {kind}.{hint} "
            f"layers that export: {sorted(CONVERTERS)}. A custom layer needs its own "
            "converter in skscratch.onnx.CONVERTERS (see the ONNX page of the docs).")
    return CONVERTERS[name]


def convert_layer(graph, layer, inputs):
    """Add ``layer``'s computation on ``inputs`` to ``graph``; return its output.

    Parameters
    ----------
    graph : OnnxGraph
    layer : Layer
        Built (its weights exist).
    inputs : Value or list of Value

    Returns
    -------
    output : Value
    """
    converter = converter_for(layer)
    if not layer.built:
        raise ValueError(f"{layer.describe()} is not built: fit or build the model before "
                         "exporting it.")
    return converter(graph, layer, inputs)
