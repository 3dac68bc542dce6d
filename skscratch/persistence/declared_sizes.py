"""What the network a model file declares would cost to build and run, bounded.

Layers without weights grow with the shapes a header declares, not with the
weights a file holds: a convolution over 4000 x 4000 images holds no more
weights than over 8 x 8 ones, and a pooling layer none at all, yet building
them makes window indices for every pixel (gigabytes), and a 30000-pixel
pooling window with "same" padding loops over every offset of the window
(minutes). So the shapes are bounded before anything is built, counted as
Python integers from the layers' own shape arithmetic (nothing is allocated
and nothing overflows). :func:`~skscratch.save` refuses what :func:`~skscratch.load`
would refuse.
"""

import math

# numbers in one sample of the inputs (the widest X an estimator's file may declare)
MAX_FEATURES = 1 << 24
# pixels in one sliding window (an average-pooling build loops over them)
MAX_WINDOW = 1 << 16
# every window's pixels, summed over the network's window-layer calls: the index
# arrays a build makes (about 30 bytes each at their peak)
MAX_WINDOW_SLOTS = 1 << 24
# numbers one sample's forward pass keeps, summed over every layer call
MAX_ACTIVATIONS = 1 << 31
# layers and layer calls in an architecture, nested ones included: making a Network
# or a Model takes time quadratic in them (a 16 MiB header holds half a million)
MAX_LAYERS = 2048


def check_declared_layers(spec):
    """Refuse an architecture of more than :data:`MAX_LAYERS` layers and layer calls.

    Counted on the JSON configuration, before any layer is made: the layers
    of every network and model in it, and each model's nodes, inputs and
    outputs.

    Parameters
    ----------
    spec : dict
        ``{"type": ..., "config": ...}`` as :func:`~skscratch.configs.layer_config`
        gives it (or a version 1 header's list of layers).
    """
    total, stack = 0, [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            total += _declared_calls(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if total > MAX_LAYERS:
        raise ValueError(f"The architecture declares {total:,} layers and layer calls; a "
                         f"model file may declare at most {MAX_LAYERS:,}.")


def _declared_calls(config):
    """The layers (or, for a model, its layer calls, inputs and outputs) one config names.

    A model's layers are each called at least once, so its calls count them:
    a chain of ``n`` layers counts ``n + 2``, not twice ``n``.
    """
    lengths = {key: len(value) for key, value in config.items() if isinstance(value, list)}
    layers = lengths.get("layers", 0)
    if "nodes" in config:
        # a model's inputs and outputs are named in that quadratic time too
        return (max(layers, lengths.get("nodes", 0)) + lengths.get("inputs", 0)
                + lengths.get("outputs", 0))
    return layers


def check_declared_sizes(network, input_shape):
    """Refuse a network whose shapes would make building or predicting one sample huge.

    Parameters
    ----------
    network : Container
        Unbuilt (or built): only its layers' shape arithmetic is used.
    input_shape : tuple of int, or list of them

    Raises
    ------
    ValueError
        When the inputs hold more than :data:`MAX_FEATURES` numbers per
        sample, a window more than :data:`MAX_WINDOW` pixels, all windows
        together more than :data:`MAX_WINDOW_SLOTS`, or the forward pass of
        one sample more than :data:`MAX_ACTIVATIONS` numbers.
    """
    shapes = input_shape if isinstance(input_shape, list) else [input_shape]
    inputs = sum(math.prod(shape) for shape in shapes)
    if inputs > MAX_FEATURES:
        raise ValueError(f"The network's inputs hold {inputs:,} numbers per sample; a model "
                         f"file may declare at most {MAX_FEATURES:,}.")
    slots, activations = _costs(network, input_shape, {})
    for what, value, limit in (("window pixels", slots, MAX_WINDOW_SLOTS),
                               ("numbers in its forward pass", activations, MAX_ACTIVATIONS)):
        if value > limit:
            raise ValueError(f"The network has {value:,} {what} per sample; a model file may "
                             f"declare at most {limit:,}.")


def _costs(layer, input_shape, known):
    """``(window slots, activations)`` of one call of ``layer``, each distinct call once.

    A layer (or a whole network) called at several nodes counts at each
    call, as it computes at each; ``known`` keeps what is already counted,
    so a model calling a network calling a model... is walked once per
    distinct layer and shape, not once per path.
    """
    key = (id(layer), repr(input_shape))
    if key not in known:
        if layer.is_container:
            costs = [_costs(sub, shape, known) for sub, shape in layer._calls(input_shape)]
            known[key] = (sum(s for s, _ in costs), sum(a for _, a in costs))
        else:
            known[key] = (_window_slots(layer, input_shape),
                          layer.count_activations(input_shape))
    return known[key]


def _window_slots(layer, input_shape):
    """Pixels of every window of a sliding-window layer (Conv2D, pooling); 0 for others."""
    window = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
    if window is None:
        return 0
    if math.prod(window) > MAX_WINDOW:
        raise ValueError(f"{layer.describe()} has a window of {window[0]} x {window[1]} "
                         f"pixels; a model file may declare at most {MAX_WINDOW:,}.")
    out_h, out_w = layer.compute_output_shape(input_shape)[:2]
    return out_h * out_w * math.prod(window)
