"""Loading a model file: the estimator, network or model rebuilt from checked contents.

:func:`load` reads the archive within its limits (:mod:`skscratch.archive`)
and the header's declared sizes (:mod:`skscratch.persistence.checks`), then
rebuilds: only registered classes are instantiated, the estimator's
parameters pass its own constraints, and every array is checked against what
the rebuilt network, target and optimizer expect (presence, shape, dtype,
finiteness) before it is used.
"""

import inspect

import numpy as np

from ..archive import allowed, expect, read_archive
from ..configs import layer_from_config
from ..container import Container
from ..estimators import NetworkEstimator
from ..estimators._fitted import FittedState, publish
from ..estimators._sklearn_private import validate_parameter_constraints
from ..estimators._targets import REGRESSION_LOSSES, ClassificationTarget, RegressionTarget
from ..layers.base import leaf_layers
from ..losses import LOSSES
from ..optimizers import OPTIMIZERS
from .checks import (
    BUILD_SLACK,
    check_finite,
    check_format,
    check_input_layout,
    check_member_sizes,
    refuse_unknown,
    unbuilt_network,
)
from .declared_sizes import check_declared_layers
from .format import ESTIMATORS
from .records import count, flag, input_layout, rng_state, training_state


def load(path):
    """Read what :func:`save` wrote; never executes code from the file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    model : MLPFromScratch, ConvNetFromScratch, NetworkEstimator, Network or Model
        An estimator predicts exactly as the saved one and continues
        training with ``partial_fit`` (optimizer and random-generator state
        included); a network or model is built, with the saved weights.

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
    """:func:`_rebuild`, every malformed header raising ValueError (naming ``source``)."""
    try:
        return _rebuild(header, arrays)
    except (KeyError, TypeError, IndexError, AttributeError, RecursionError, OverflowError,
            MemoryError) as exc:
        raise ValueError(f"{source} has a malformed header: {exc!r}") from exc


def _rebuild(header, arrays):
    check_format(header)
    if header.get("kind") == "params":            # an unfitted estimator
        refuse_unknown(arrays, 0, 0)
        return _new_estimator(header)
    network, n_weights = _rebuild_network(header["network"], arrays)
    if header.get("kind") == "model":
        n_moments = 0
        if header.get("compiled") is not None:
            n_moments = _restore_compiled(network, header["compiled"], arrays)
        refuse_unknown(arrays, n_weights, n_moments)
        return network
    estimator = _new_estimator(header)
    rng = rng_state(header["rng"])
    for leaf in leaf_layers(network):
        if hasattr(leaf, "rng"):
            leaf.rng = rng
    target = _rebuild_target(header["target"], arrays)
    if network.output_shape != (target.n_outputs,):
        raise ValueError(f"The model file's target needs {target.n_outputs} output(s); its "
                         f"network gives {network.output_shape}.")
    optimizer, n_moments = None, 0           # a fit by solver="lbfgs" keeps no optimizer
    if header["optimizer"] is not None:
        optimizer = _saved_optimizer(header["optimizer"], estimator)
        n_moments = _restore_optimizer(optimizer, header["optimizer"], arrays, network)
    state = training_state(header["state"])
    refuse_unknown(arrays, n_weights, n_moments, "classes_", "feature_names_in_")
    fitted = header["fitted"]
    layout = input_layout(fitted, arrays, isinstance(estimator, NetworkEstimator))
    for name, value in layout.items():
        setattr(estimator, name, value)
    check_input_layout(estimator, network)
    publish(estimator, FittedState(network, target, optimizer, rng, state,
                                   flag(header["early_stopping"], "early_stopping"),
                                   count(fitted.get("epochs_before", 0), "epochs_before", 0,
                                         state.n_iter)))
    return estimator


def _new_estimator(header):
    """The unfitted estimator the header names, with its validated parameters."""
    cls = allowed(ESTIMATORS, header["estimator"], "estimator")
    params = header["params"]
    validate_parameter_constraints(cls._parameter_constraints, params, cls.__name__)
    if params.get("callbacks") is not None:       # code: never saved
        raise ValueError("The model file declares callbacks; a model file holds none.")
    task = header.get("target", {}).get("task")
    # MLPClassifier and MLPRegressor fix their task: it is no parameter of theirs
    if task is not None and params.get("task", getattr(cls, "task", "classification")) != task:
        raise ValueError(f"The model file's parameters say task={params.get('task')!r}; its "
                         f"target is for {task}.")
    if header.get("model") is not None:           # NetworkEstimator(model=a Network/Model)
        check_declared_layers(header["model"])    # made here, never built: count it first
        template = layer_from_config(header["model"])
        if not isinstance(template, Container):
            raise ValueError("The model file's model is a single layer, not a network.")
        params = {**params, "model": template}
    return cls(**params)


def _rebuild_network(spec, arrays):
    """The built network or model the header describes, with the file's weights."""
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


def _rebuild_target(spec, arrays):
    if spec["task"] == "classification":
        classes = expect(arrays, "classes_", kinds="iubfU", ndim=1)
        if classes.dtype.kind == "f" and not np.isfinite(classes).all():
            raise ValueError("The model file's classes_ hold NaN or infinity.")
        if classes.size > 1 and not (classes[1:] > classes[:-1]).all():
            raise ValueError("The model file's classes_ are not sorted and unique.")
        target = ClassificationTarget(classes, multilabel=flag(spec["multilabel"], "multilabel"))
        if "loss" in spec and spec["loss"] != LOSSES.name_of(target.loss):
            raise ValueError(f"The model file's target (multilabel={target.multilabel}, "
                             f"{len(classes)} classes) does not match its loss {spec['loss']!r}.")
        return target
    n_outputs = count(spec["n_outputs"], "n_outputs", 1, 2**31 - 1)
    one_d = flag(spec["one_d"], "one_d")
    # the engine's regression losses by name; version 1 stored the class name
    # ("HalfSquaredError") of the estimator's loss parameter
    engine = {n: cls for n, cls in LOSSES.items() if cls.task == "regression"}
    version_1 = {LOSSES[n].__name__: n for n in REGRESSION_LOSSES if n != "auto"}
    if spec["loss"] in engine:
        return RegressionTarget(n_outputs, one_d, engine[spec["loss"]]())
    return RegressionTarget(n_outputs, one_d, allowed(version_1, spec["loss"], "loss"))


def _saved_optimizer(spec, estimator):
    """The optimizer the file names with its settings; else the estimator's parameters make it.

    A compiled model's optimizer is not described by the estimator's
    parameters; files of version 2 before settings were stored have none.
    """
    if "config" not in spec:
        return estimator._make_optimizer()
    solver = estimator.solver           # None: the compiled optimizer, whichever it was
    if solver is not None and spec.get("name") != solver:
        raise ValueError(f"The optimizer state ({spec.get('name')!r}) does not match the "
                         f"saved solver ({solver!r}).")
    return _registered(OPTIMIZERS, spec["name"], spec["config"], "optimizer")


def _registered(table, name, config, what):
    """An instance of the class ``table`` registers as ``name``, made from a file's ``config``.

    The settings must be the class's constructor arguments, as numbers or
    flags, which its constructor then checks.
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
    losses = [_registered(LOSSES, item["name"], item["config"], "loss") for item in spec["loss"]]
    optimizer = _registered(OPTIMIZERS, spec["optimizer"]["name"], spec["optimizer"]["config"],
                            "optimizer")
    metrics = spec.get("metrics")
    if not _metric_names(metrics):
        raise ValueError(f"The model file's metrics are not metric names: {metrics!r}.")
    try:
        model.compile(optimizer=optimizer, loss=losses, loss_weights=spec["loss_weights"],
                      metrics=metrics)
    except TypeError as exc:
        raise ValueError(f"The model file's compile settings are refused: {exc}") from None
    return _restore_optimizer(optimizer, spec["optimizer"], arrays, model)


def _metric_names(metrics):
    """Whether ``metrics`` is None or Keras's forms of metric names (strings only)."""
    def names(items):
        return isinstance(items, list) and all(isinstance(m, str) for m in items)
    if metrics is None or names(metrics):
        return True
    if isinstance(metrics, list):
        return all(names(m) for m in metrics)
    return isinstance(metrics, dict) and all(
        isinstance(k, str) and names(v) for k, v in metrics.items())


def _restore_optimizer(optimizer, spec, arrays, network):
    """Set the optimizer's saved state; return how many moment arrays it had."""
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
