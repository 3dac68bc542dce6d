"""Converter of BatchNorm in its inference form, with the running statistics."""

import numpy as np

from .builder import Value
from .converters import register_converter


@register_converter("BatchNorm")
def convert_batch_norm(graph, layer, x):
    """``(x - running_mean) * scale + beta`` with ``scale = gamma / sqrt(running_var + eps)``.

    The same three element-wise steps as the layer's prediction, with
    ``scale`` computed by NumPy exactly as the layer computes it, so float64
    exports agree to the last bits. Constants are shaped ``(c,)`` for rows and
    channels-last images, ``(c, 1, 1)`` for a channels-first image.
    """
    channels = layer.input_shape[-1]
    shape = (channels, 1, 1) if x.channels_first else (channels,)

    def per_channel(array):
        """A maker of ``array`` shaped to broadcast over the channel axis."""
        return lambda: np.reshape(array, shape)

    scale = layer.params["gamma"] / np.sqrt(layer.state["running_var"] + layer.epsilon)
    layout = "chw" if x.channels_first else "c"
    mean = graph.weight(layer, "mean_" + layout, per_channel(layer.state["running_mean"]),
                        hint="running_mean")
    scale = graph.weight(layer, "scale_" + layout, per_channel(scale), hint="scale")
    beta = graph.weight(layer, "beta_" + layout, per_channel(layer.params["beta"]), hint="beta")
    y = graph.add("Sub", [x.name, mean], hint="centered")
    y = graph.add("Mul", [y, scale], hint="scaled")
    y = graph.add("Add", [y, beta], hint=layer.name or "batchnorm")
    return Value(y, x.shape, x.channels_first)


@register_converter("Normalization")
def convert_normalization(graph, layer, x):
    """``(x - mean) / max(sqrt(variance), 1e-7)``, the divisor computed as the layer does."""
    channels = layer.input_shape[-1]
    shape = (channels, 1, 1) if x.channels_first else (channels,)
    scale = np.maximum(np.sqrt(layer.state["variance"]), layer.EPSILON)
    layout = "chw" if x.channels_first else "c"
    mean = graph.weight(layer, "mean_" + layout, lambda: np.reshape(layer.state["mean"], shape),
                        hint="mean")
    scale = graph.weight(layer, "std_" + layout, lambda: np.reshape(scale, shape), hint="std")
    y = graph.add("Sub", [x.name, mean], hint="centered")
    y = graph.add("Div", [y, scale], hint=layer.name or "normalization")
    return Value(y, x.shape, x.channels_first)
