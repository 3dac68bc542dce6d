"""Layers as JSON-ready data, and back: what persistence stores and ONNX export reads.

Only classes registered in :data:`skscratch.layers.LAYERS` are made from a
configuration, and nesting is bounded, so a configuration from an untrusted
file can name nothing else and cannot recurse without end.
"""

from .layers.base import LAYERS

# nested networks deeper than this are refused when reading a configuration
MAX_NESTING = 32


def layer_config(layer):
    """``{"type": ..., "config": ...}``: a layer as JSON-ready data.

    Parameters
    ----------
    layer : Layer
        A layer whose class is registered in :data:`skscratch.layers.LAYERS`.

    Returns
    -------
    spec : dict
    """
    return {"type": LAYERS.name_of(layer), "config": layer.get_config()}


def layer_from_config(spec, depth=0):
    """The layer :func:`layer_config` describes; only registered types are made.

    Parameters
    ----------
    spec : dict
        ``{"type": name, "config": constructor arguments}``.
    depth : int, default=0

    Returns
    -------
    layer : Layer
    """
    if depth > MAX_NESTING:
        raise ValueError(f"Layers are nested more than {MAX_NESTING} deep.")
    cls = LAYERS.get_class(spec["type"])
    config = spec["config"]
    if not isinstance(config, dict):
        raise ValueError(f"The configuration of a {spec['type']} layer is not a mapping.")
    if hasattr(cls, "from_config"):
        return cls.from_config(config, depth)
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()})
