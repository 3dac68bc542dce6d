"""Loading a model file: a network, model or estimator rebuilt from checked contents.

:func:`load` reads the archive within its limits (:mod:`skscratch.archive`)
and the header's declared sizes (:mod:`skscratch.persistence.checks`), then
rebuilds: only registered classes are instantiated, and every array is
checked against what the rebuilt network and optimizer expect (presence,
shape, dtype, finiteness) before it is used. An estimator's file is read by
its own class (``_from_file``, found in :data:`skscratch.registry.ESTIMATORS`)
with the helpers here; persistence never imports the estimators.
"""

import inspect

import numpy as np

from ..archive import allowed, expect, read_archive
from ..losses import LOSSES
from ..optimizers import OPTIMIZERS
from ..registry import ESTIMATORS
from .checks import (
    BUILD_SLACK,
    check_finite,
    check_format,
    check_member_sizes,
    refuse_unknown,
    unbuilt_network,
)
from .records import count


def load(path):
    """Read what :func:`save` wrote; never executes code from the file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    model : estimator, Network or Model
        An estimator predicts exactly as the saved one and continues
        training with ``partial_fit`` (optimizer and random-generator state
        included); a network or model is built, with the saved weights (and
        compiled, when the saved one was).

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``.
    ValueError
        When the file is not a valid skscratch model (malformed, tampered,
        inconsistent, over the size limits of :mod:`skscratch.archive`, or
        holding objects that would need pickle).
    """
    header, arrays = read_archive(path, check_member_sizes)
    return rebuild_checked(header, arrays, path)


def rebuild_checked(header, arrays, source):
    """The file's network, model or estimator; every malformed header a ValueError.

    Parameters
    ----------
    header : dict
    arrays : dict of str to ndarray
    source : str
        What to name in the messages (the path).
    """
    try:
        return _rebuild(header, arrays)
    except (KeyError, TypeError, IndexError, AttributeError, RecursionError, OverflowError,
            MemoryError) as exc:
        raise ValueError(f"{source} has a malformed header: {exc!r}") from exc


def _rebuild(header, arrays):
    check_format(header)
    if header.get("kind") != "model":       # an estimator, fitted or not (version 1 too)
        return allowed(ESTIMATORS, header["estimator"], "estimator")._from_file(header, arrays)
    network, n_weights = rebuild_network(header["network"], arrays)
    n_moments = 0
    if header.get("compiled") is not None:
        n_moments = _restore_compiled(network, header["compiled"], arrays)
    refuse_unknown(arrays, n_weights, n_moments)
    return network


def rebuild_network(spec, arrays):
    """The built network or model the header describes, with the file's weights.

    Parameters
    ----------
    spec : dict
        The header's ``network`` record.
    arrays : dict of str to ndarray

    Returns
    -------
    network : Network or Model
    n_weights : int
        How many weight arrays it read.
    """
    network, shape, dtype = unbuilt_network(spec)
    # what the header declares must be in the file: building allocates at most the
    # arrays' size plus a small slack (the exact shapes are checked after the build)
    declared = network.count_weights(shape)[1]
    stored = sum(a.size for name, a in arrays.items() if name.startswith("weight."))
    if declared > stored + BUILD_SLACK:
        raise ValueError(f"The model file declares {declared:,} parameters but its weight "
                         f"arrays hold {stored:,} values: their shapes do not match the "
                         "architecture.")
    network.build(shape, 0, dtype)
    expected = network.get_weights()
    weights = [expect(arrays, f"weight.{i}", dtype, w.shape) for i, w in enumerate(expected)]
    check_finite(weights, "weights")
    network.set_weights(weights)
    return network, len(expected)


def registered(table, name, config, what):
    """An instance of the class ``table`` registers as ``name``, made from a file's ``config``.

    The settings must be the class's constructor arguments, as numbers or
    flags, which its constructor then checks.

    Parameters
    ----------
    table : Registry
    name : str
    config : dict
    what : str
        For the messages ("loss", "optimizer").

    Returns
    -------
    instance : object
    """
    cls = allowed(table, name, what)
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self", "lr"}
    if not isinstance(config, dict) or not set(config) <= accepted or not all(
            isinstance(v, (int, float, bool)) and np.isfinite(v) for v in config.values()):
        raise ValueError(f"The model file's {what} settings are not {cls.__name__}'s: "
                         f"{config!r}.")
    try:
        return cls(**config)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The model file's {what} settings are refused: {exc}") from None


def _restore_compiled(model, spec, arrays):
    """Compile ``model`` as its file says (losses, weights, metrics, optimizer and its state).

    Returns the number of optimizer moment arrays read.
    """
    losses = [registered(LOSSES, item["name"], item["config"], "loss") for item in spec["loss"]]
    optimizer = registered(OPTIMIZERS, spec["optimizer"]["name"], spec["optimizer"]["config"],
                            "optimizer")
    metrics = spec.get("metrics")
    if not _metric_names(metrics):
        raise ValueError(f"The model file's metrics are not metric names: {metrics!r}.")
    try:
        model.compile(optimizer=optimizer, loss=losses, loss_weights=spec["loss_weights"],
                      metrics=metrics)
    except TypeError as exc:
        raise ValueError(f"The model file's compile settings are refused: {exc}") from None
    return restore_optimizer(optimizer, spec["optimizer"], arrays, model)


def _metric_names(metrics):
    """Whether ``metrics`` is None or Keras's forms of metric names (strings only)."""
    def names(items):
        """Whether ``items`` is a list of strings."""
        return isinstance(items, list) and all(isinstance(m, str) for m in items)
    if metrics is None or names(metrics):
        return True
    if isinstance(metrics, list):
        return all(names(m) for m in metrics)
    return isinstance(metrics, dict) and all(
        isinstance(k, str) and names(v) for k, v in metrics.items())


def restore_optimizer(optimizer, spec, arrays, network):
    """Set the optimizer's saved state; return how many moment arrays it had.

    Parameters
    ----------
    optimizer : Optimizer or None
        None (no optimizer, an lbfgs fit's) refuses any saved state.
    spec : dict
        The header's optimizer record.
    arrays : dict of str to ndarray
    network : Network or Model
        Whose flat parameters the moments are shaped like.

    Returns
    -------
    n_arrays : int
    """
    if optimizer is None:                  # the estimator's solver is "lbfgs"
        raise ValueError(f"The optimizer state ({spec.get('name', spec.get('type'))!r}) does "
                         "not match the saved solver.")
    if "name" in spec:
        saved, scalars = spec["name"], spec["scalars"]
        matches = saved == OPTIMIZERS.name_of(optimizer)
    else:                                  # version 1: class name, learning rate and t
        saved, scalars = spec["type"], {"learning_rate": spec["learning_rate"], "t": spec["t"]}
        matches = saved == type(optimizer).__name__
    if not matches:
        raise ValueError(f"The optimizer state ({saved!r}) does not match the saved solver.")
    rate, steps = scalars.get("learning_rate"), scalars.get("t", 0)
    if not (isinstance(rate, (int, float)) and np.isfinite(rate) and rate > 0) or not (
            isinstance(steps, int) and 0 <= steps < 2**62):
        raise ValueError(f"The model file's optimizer state is out of range: {scalars}.")
    n = count(spec["n_arrays"], "optimizer's n_arrays")
    params = [network.flat_params]
    if n not in (0, len(optimizer.state_slots) * len(params)):
        raise ValueError(f"Expected {len(optimizer.state_slots)} optimizer arrays; the file "
                         f"says {n}.")
    moments = [expect(arrays, f"moment.{i}", network.dtype, params[0].shape)
               for i in range(n)]
    check_finite(moments, "optimizer moments")
    optimizer.set_state(scalars, moments, params)
    return n
