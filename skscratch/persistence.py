"""Save and load fitted estimators and engine models as plain arrays + JSON: no pickle.

A model file is one ``.npz`` archive: a JSON header (the architecture as
layer configurations; for an estimator also its class and parameters,
fitted metadata, optimizer and random-generator state) stored as bytes, and
the arrays (weights, batch-norm statistics, optimizer moments, class labels).
:func:`load` reads it with ``allow_pickle=False`` and instantiates only what
the registries hold (estimator classes, :data:`skscratch.layers.LAYERS`,
:data:`skscratch.losses.LOSSES`, :data:`skscratch.optimizers.OPTIMIZERS`);
it rebuilds the model from the header and checks every key, shape and dtype
against it, so a malformed or tampered file fails with a ValueError. Any
registered layer, loss or optimizer is saved and loaded with no change here.
Files of format version 1 (skscratch 0.1) still load.
"""

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .archive import allowed, expect, jsonable, plain, read_archive, write_archive
from .container import Container
from .estimators import ConvNetFromScratch, MLPFromScratch, NetworkEstimator
from .estimators._fitted import FittedState, publish
from .estimators._inputs import sample_shape
from .estimators._sklearn_private import validate_parameter_constraints
from .estimators._targets import REGRESSION_LOSSES, ClassificationTarget, RegressionTarget
from .layers.base import leaf_layers
from .losses import LOSSES
from .network import Network, layer_config, layer_from_config
from .optimizers import OPTIMIZERS
from .training import TrainingState

FORMAT, VERSION, READABLE_VERSIONS = "skscratch-model", 2, (1, 2)
ESTIMATORS = {cls.__name__: cls for cls in (MLPFromScratch, ConvNetFromScratch,
                                            NetworkEstimator)}
DTYPES = ("float32", "float64")
# parameters a header may declare beyond the weight values its file holds
BUILD_SLACK = 1_000_000
# the .npy header of one array member: a few hundred bytes at most
NPY_HEADER_BYTES = 4096
STATE_FIELDS = ("n_iter", "t", "loss_curve", "validation_scores", "best_loss",
                "best_validation_score", "no_improvement_count", "history")


def save(model, path):
    """Write a fitted skscratch estimator, or a built network or model, to ``path``.

    Parameters
    ----------
    model : MLPFromScratch, ConvNetFromScratch, NetworkEstimator, Network or Model
        A fitted estimator (``callbacks`` are code and are not saved), or a
        built :class:`~skscratch.Network` / :class:`~skscratch.Model`
        (architecture and weights).
    path : str or path-like
        Written as an ``.npz`` archive.

    Examples
    --------
    >>> import skscratch, tempfile, os
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> model = skscratch.MLPFromScratch((8,), max_iter=5, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.npz")
    >>> skscratch.save(model, path)
    >>> (skscratch.load(path).predict(X) == model.predict(X)).all()
    np.True_
    """
    if isinstance(model, Container):
        header, arrays = _model_contents(model)
    elif type(model).__name__ in ESTIMATORS:
        header, arrays = _estimator_contents(model)
    else:
        raise TypeError("save() takes an skscratch estimator, Network or Model; got "
                        f"{type(model).__name__}.")
    write_archive(path, header, arrays)


def _model_param(params, network):
    """NetworkEstimator's ``model`` as a configuration (and None in ``params``).

    A network given as ``model`` is stored as it is. A build function is
    code, which a model file never holds: the fitted network's architecture
    is stored in its place (its ``model__*`` parameters dropped, a warning
    says so), so the loaded estimator refits the same architecture.
    """
    model = params.get("model")
    if model is None:
        return None
    params["model"] = None
    if isinstance(model, Container):
        return jsonable(layer_config(model))
    if network is None:
        raise TypeError("NetworkEstimator(model=<a build function>) cannot be stored as "
                        "data before it is fitted: a function is code. Fit it first (its "
                        "fitted architecture is stored), pass an unbuilt Network or Model "
                        "as model, or use pickle (trusted sources only).")
    routed = sorted(k for k in params if k.startswith("model__"))
    for key in routed:
        del params[key]
    warnings.warn("model is a build function, which is code and is not saved: the loaded "
                  f"estimator's model is the fitted architecture{' (without ' if routed else ''}"
                  f"{', '.join(routed)}{')' if routed else ''}.", UserWarning, stacklevel=5)
    return jsonable(layer_config(network))


def _saved_params(estimator, network):
    """The parameters as JSON and ``model`` as a configuration; ``network``: None if unfitted.

    Callbacks are code and are dropped (a warning says so); a generator
    object as random_state is stored as None (a fitted one's state is kept).
    """
    params = estimator.get_params(deep=False)
    if params.get("callbacks"):
        warnings.warn("callbacks are code and are not saved; the loaded model has none.",
                      UserWarning, stacklevel=4)
    params["callbacks"] = None
    if not isinstance(params["random_state"], (int, type(None))):
        if network is None:
            warnings.warn("random_state is a generator object, which is not saved: the "
                          "loaded estimator has random_state=None.", UserWarning, stacklevel=4)
        params["random_state"] = None
    model_config = _model_param(params, network)
    return jsonable(params), model_config


def _network_header(network):
    return {"dtype": network.dtype.name, "input_shape": jsonable(network.input_shape),
            "model": jsonable(layer_config(network))}


def _model_contents(model):
    model._check_built()
    header = {"format": FORMAT, "version": VERSION, "kind": "model",
              "network": _network_header(model)}
    return header, {f"weight.{i}": w for i, w in enumerate(model.get_weights())}


def _estimator_contents(estimator):
    check_is_fitted(estimator)
    if not np.isfinite(estimator._fitted.network.flat_params).all():
        raise ValueError("This estimator's weights are not finite; load() would refuse the "
                         "file, so it is not written.")
    params, model_config = _saved_params(estimator, estimator._fitted.network)
    fitted = estimator._fitted
    scalars, moments = fitted.optimizer.get_state()
    header = {
        "format": FORMAT, "version": VERSION, "kind": "estimator",
        "estimator": type(estimator).__name__,
        "params": params, "target": _target_header(fitted.target),
        "network": _network_header(fitted.network),
        "optimizer": {"name": OPTIMIZERS.name_of(fitted.optimizer),
                      "scalars": jsonable(scalars), "n_arrays": len(moments)},
        "state": jsonable({name: getattr(fitted.training, name) for name in STATE_FIELDS}),
        "early_stopping": fitted.early_stopping,
        "rng": jsonable(fitted.rng.bit_generator.state),
        "fitted": {"n_features_in_": int(estimator.n_features_in_),
                   "epochs_before": int(fitted.epochs_before),
                   "input_shape_": list(getattr(estimator, "input_shape_", ()) or ()),
                   "input_columns_": jsonable(getattr(estimator, "input_columns_", None)),
                   "input_shapes_": jsonable(getattr(estimator, "input_shapes_", None))},
        "model": model_config,
    }
    arrays = {f"weight.{i}": w for i, w in enumerate(fitted.network.get_weights())}
    arrays.update({f"moment.{i}": m for i, m in enumerate(moments)})
    if hasattr(estimator, "classes_"):
        arrays["classes_"] = plain(estimator.classes_, "classes_")
    if hasattr(estimator, "feature_names_in_"):
        arrays["feature_names_in_"] = plain(estimator.feature_names_in_, "feature_names_in_")
    return header, arrays


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
    header, arrays = read_archive(path, _check_weight_sizes)
    return _rebuild_checked(header, arrays, path)


def _check_weight_sizes(header, sizes):
    """Refuse weight and moment members the header's network cannot need, before decompressing.

    The header's architecture gives its weight arrays and their sizes
    without building anything: the weight members may hold that many numbers
    (plus the build slack and each member's ``.npy`` header), in at most that
    many arrays; the optimizer moments as many per state slot, of the
    trainable ones. An extra member numbered in sequence (``weight.5`` of a
    five-array network) is thus refused from the zip directory, not after
    expanding. A file of an unfitted estimator (skops' parameter state) may
    hold no such members, and a header whose network cannot be read is
    refused here too (the full checks would refuse it after decompressing
    everything).
    """
    _check_format(header)
    found = {prefix: [size for name, size in sizes.items() if name.startswith(prefix)]
             for prefix in ("weight.", "moment.")}
    if header.get("kind") == "params":
        if found["weight."] or found["moment."]:
            raise ValueError("the file of an unfitted estimator holds weight or moment arrays")
        return
    try:
        network, shape, dtype = _unbuilt_network(header["network"])
        arrays, numbers = network.count_weights(shape)
        trainable, itemsize = network.count_params(shape), np.dtype(dtype).itemsize
    except (KeyError, TypeError, IndexError, AttributeError, RecursionError, OverflowError,
            ValueError) as exc:
        raise ValueError(f"it has a malformed header: its network cannot be read ({exc!r})"
                         ) from exc
    slots = max(len(cls.state_slots) for cls in OPTIMIZERS.values())
    for prefix, most_arrays, most_numbers in (("weight.", arrays, numbers),
                                              ("moment.", slots * arrays, slots * trainable)):
        sizes_found = found[prefix]
        limit = ((most_numbers + BUILD_SLACK) * itemsize
                 + NPY_HEADER_BYTES * min(len(sizes_found), most_arrays))
        if sum(sizes_found) > limit:
            raise ValueError(f"its {prefix[:-1]} arrays would decompress to "
                             f"{sum(sizes_found):,} bytes; the {most_numbers:,} numbers its "
                             f"header declares need at most {limit:,}")
        if len(sizes_found) > most_arrays:
            raise ValueError(f"it holds {len(sizes_found)} {prefix[:-1]} arrays; the network "
                             f"its header declares has at most {most_arrays}")


def _check_format(header):
    """Refuse a header of another format, or of a version this one cannot read."""
    if header.get("format") != FORMAT or header.get("version") not in READABLE_VERSIONS:
        raise ValueError("Not an skscratch model file (format/version mismatch).")


def _rebuild_checked(header, arrays, source):
    """:func:`_rebuild`, every malformed header raising ValueError (naming ``source``)."""
    try:
        return _rebuild(header, arrays)
    except (KeyError, TypeError, IndexError, AttributeError, RecursionError, OverflowError,
            MemoryError) as exc:
        raise ValueError(f"{source} has a malformed header: {exc!r}") from exc


def _rebuild(header, arrays):
    _check_format(header)
    if header.get("kind") == "params":            # an unfitted estimator
        _refuse_unknown(arrays, 0, 0)
        return _new_estimator(header)
    network, n_weights = _rebuild_network(header["network"], arrays)
    if header.get("kind") == "model":
        _refuse_unknown(arrays, n_weights, 0)
        return network
    estimator = _new_estimator(header)
    cls = type(estimator)
    rng = np.random.default_rng()
    rng.bit_generator.state = header["rng"]
    for leaf in leaf_layers(network):
        if hasattr(leaf, "rng"):
            leaf.rng = rng
    target = _rebuild_target(header["target"], arrays)
    if network.output_shape != (target.n_outputs,):
        raise ValueError(f"The model file's target needs {target.n_outputs} output(s); its "
                         f"network gives {network.output_shape}.")
    optimizer = estimator._make_optimizer()
    n_moments = _restore_optimizer(optimizer, header["optimizer"], arrays, network)
    state = _training_state(header["state"])
    _refuse_unknown(arrays, n_weights, n_moments, "classes_", "feature_names_in_")
    fitted = header["fitted"]
    estimator.n_features_in_ = int(fitted["n_features_in_"])
    if fitted["input_shape_"]:
        estimator.input_shape_ = tuple(int(d) for d in fitted["input_shape_"])
    if cls is NetworkEstimator:
        columns, shapes = fitted.get("input_columns_"), fitted.get("input_shapes_")
        estimator.input_columns_ = (None if columns is None else
                                    [np.asarray(c, dtype=np.int64) for c in columns])
        estimator.input_shapes_ = (None if shapes is None else
                                   [tuple(int(d) for d in s) for s in shapes])
    if "feature_names_in_" in arrays:
        estimator.feature_names_in_ = expect(arrays, "feature_names_in_", kinds="U", ndim=1)
    _check_input_layout(estimator, network)
    publish(estimator, FittedState(network, target, optimizer, rng, state,
                                   bool(header["early_stopping"]),
                                   int(fitted.get("epochs_before", 0))))
    return estimator


def _training_state(spec):
    """The saved training record, each field of the type training reads it as."""
    values = {name: spec[name] for name in STATE_FIELDS}

    def number(v):
        """Whether ``v`` is a JSON number (not a bool)."""
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    counts = [values[k] for k in ("n_iter", "t", "no_improvement_count")]
    if not (all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**62
                for v in counts)
            and all(isinstance(values[k], list) and all(number(v) for v in values[k])
                    for k in ("loss_curve", "validation_scores"))
            and number(values["best_loss"]) and number(values["best_validation_score"])
            and isinstance(values["history"], list)
            and all(isinstance(r, dict) for r in values["history"])):
        raise ValueError("The model file's training record is malformed.")
    return TrainingState(**{k: float(v) if k.startswith("best_") else v
                            for k, v in values.items()})


def _new_estimator(header):
    """The unfitted estimator the header names, with its validated parameters."""
    cls = allowed(ESTIMATORS, header["estimator"], "estimator")
    params = header["params"]
    validate_parameter_constraints(cls._parameter_constraints, params, cls.__name__)
    if params.get("callbacks") is not None:       # code: never saved
        raise ValueError("The model file declares callbacks; a model file holds none.")
    task = header.get("target", {}).get("task")
    if task is not None and params.get("task", "classification") != task:
        raise ValueError(f"The model file's parameters say task={params.get('task')!r}; its "
                         f"target is for {task}.")
    if header.get("model") is not None:           # NetworkEstimator(model=a Network/Model)
        template = layer_from_config(header["model"])
        if not isinstance(template, Container):
            raise ValueError("The model file's model is a single layer, not a network.")
        params = {**params, "model": template}
    return cls(**params)


# the widest X a model file may declare (a probe row of it is made)
MAX_FEATURES = 1 << 24


def _check_input_layout(estimator, network):
    """``n_features_in_`` and the input layout must give exactly the network's inputs."""
    n = estimator.n_features_in_
    if not 0 < n <= MAX_FEATURES:
        raise ValueError(f"The model file declares n_features_in_={n}.")
    try:
        probe = estimator._shape_input(np.zeros((1, n), network.dtype), None, reset=False)
    except (ValueError, IndexError, TypeError) as exc:
        raise ValueError(f"The model file's input layout does not fit its data: {exc}") from exc
    if sample_shape(probe) != network.input_shape:
        raise ValueError(f"The model file's {n} features give inputs of shape "
                         f"{sample_shape(probe)}; its network takes {network.input_shape}.")


def _unbuilt_network(spec):
    """``(network, input_shape, dtype)`` as the header describes them, nothing allocated."""
    dtype = allowed({d: d for d in DTYPES}, spec["dtype"], "dtype")
    if "model" in spec:
        network = layer_from_config(spec["model"])
    else:                                  # version 1: a flat list of layers
        network = Network.from_config({"layers": spec["layers"]})
    if not isinstance(network, Container):
        raise ValueError("The model file describes a single layer, not a network or model.")
    return network, _shape(spec["input_shape"]), dtype


def _rebuild_network(spec, arrays):
    """The built network or model the header describes, with the file's weights."""
    network, shape, dtype = _unbuilt_network(spec)
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
    if not all(np.isfinite(w).all() for w in weights):
        raise ValueError("The model file holds non-finite weights (NaN or infinity).")
    network.set_weights(weights)
    return network, len(expected)


def _shape(value):
    """A JSON shape: ``[5]`` -> ``(5,)``; ``[[5], [6]]`` -> ``[(5,), (6,)]``."""
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return [_shape(v) for v in value]
    if not (isinstance(value, list) and all(isinstance(d, int) and not isinstance(d, bool)
                                            and 0 < d < 2**31 for d in value)):
        raise ValueError(f"The model file declares an input shape of {value!r}.")
    return tuple(value)


def _refuse_unknown(arrays, n_weights, n_moments, *optional):
    known = {f"weight.{i}" for i in range(n_weights)} | {
        f"moment.{i}" for i in range(n_moments)} | {"header", *optional}
    if set(arrays) - known:
        raise ValueError(f"Unexpected arrays in the model file: {sorted(set(arrays) - known)}.")


def _target_header(target):
    if isinstance(target, ClassificationTarget):
        # the loss is implied by the flag and the classes: stored too, so a lone edit of
        # either is caught
        return {"task": "classification", "multilabel": target.multilabel,
                "loss": LOSSES.name_of(target.loss)}
    return {"task": "regression", "n_outputs": target.n_outputs, "one_d": target.one_d,
            "loss": target.loss_name}


def _rebuild_target(spec, arrays):
    if spec["task"] == "classification":
        classes = expect(arrays, "classes_", kinds="iubfU", ndim=1)
        if classes.dtype.kind == "f" and not np.isfinite(classes).all():
            raise ValueError("The model file's classes_ hold NaN or infinity.")
        if classes.size > 1 and not (classes[1:] > classes[:-1]).all():
            raise ValueError("The model file's classes_ are not sorted and unique.")
        target = ClassificationTarget(classes, multilabel=bool(spec["multilabel"]))
        if "loss" in spec and spec["loss"] != LOSSES.name_of(target.loss):
            raise ValueError(f"The model file's target (multilabel={target.multilabel}, "
                             f"{len(classes)} classes) does not match its loss {spec['loss']!r}.")
        return target
    # version 1 stored the loss's class name ("SquaredError")
    names = {**{n: n for n in REGRESSION_LOSSES if n != "auto"},
             **{LOSSES[n].__name__: n for n in REGRESSION_LOSSES if n != "auto"}}
    return RegressionTarget(int(spec["n_outputs"]), bool(spec["one_d"]),
                            allowed(names, spec["loss"], "loss"))


def _restore_optimizer(optimizer, spec, arrays, network):
    """Set the optimizer's saved state; return how many moment arrays it had."""
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
    n = int(spec["n_arrays"])
    params = [network.flat_params]
    if n not in (0, len(optimizer.state_slots) * len(params)):
        raise ValueError(f"Expected {len(optimizer.state_slots)} optimizer arrays; the file "
                         f"says {n}.")
    moments = [expect(arrays, f"moment.{i}", network.dtype, params[0].shape)
               for i in range(n)]
    optimizer.set_state(scalars, moments, params)
    return n
