"""Save and load fitted estimators as plain arrays + JSON: no pickle, no code.

A model file is one ``.npz`` archive: a JSON header (estimator class and
parameters, architecture, fitted metadata, optimizer and random-generator
state) stored as bytes, and the arrays (weights, batch-norm statistics,
optimizer moments, class labels). :func:`load` reads it with
``allow_pickle=False``, instantiates only allowlisted estimator and layer
types, rebuilds the network from the header and checks every key, shape and
dtype against it, so a malformed or tampered file fails with a ValueError.
"""

import json
import warnings
import zipfile

import numpy as np
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted

from . import layers as layer_module
from .estimators import ConvNetFromScratch, MLPFromScratch
from .estimators._targets import ClassificationTarget, RegressionTarget
from .network import Network
from .optimizers import SGD, Adam
from .training import TrainingState

FORMAT, VERSION = "skscratch-model", 1
ESTIMATORS = {cls.__name__: cls for cls in (MLPFromScratch, ConvNetFromScratch)}
LAYERS = {name: getattr(layer_module, name) for name in (
    "Dense", "Conv2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "BatchNorm", "Dropout",
    "Flatten", "Activation")}
DTYPES = ("float32", "float64")
STATE_FIELDS = ("n_iter", "t", "loss_curve", "validation_scores", "best_loss",
                "best_validation_score", "no_improvement_count", "history")


def save(estimator, path):
    """Write a fitted skscratch estimator to ``path`` (an ``.npz`` archive).

    Parameters
    ----------
    estimator : MLPFromScratch or ConvNetFromScratch
        A fitted estimator. ``callbacks`` are code and are not saved.
    path : str or path-like

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
    if type(estimator).__name__ not in ESTIMATORS:
        raise TypeError(f"save() takes an skscratch estimator; got {type(estimator).__name__}.")
    check_is_fitted(estimator)
    params = estimator.get_params(deep=False)
    if params.get("callbacks"):
        warnings.warn("callbacks are code and are not saved; the loaded model has none.",
                      UserWarning, stacklevel=2)
    params["callbacks"] = None
    if not isinstance(params["random_state"], (int, type(None))):
        params["random_state"] = None
    network, optimizer, state = estimator.network_, estimator._optimizer, estimator._state
    weights = network.get_weights()
    moments = _optimizer_arrays(optimizer)
    header = {
        "format": FORMAT, "version": VERSION, "estimator": type(estimator).__name__,
        "params": _jsonable(params), "target": _target_header(estimator._target),
        "network": {"dtype": network.dtype.name, "input_shape": list(network.input_shape),
                    "layers": [{"type": type(layer).__name__, "config": _jsonable(
                        layer.get_config())} for layer in network.layers]},
        "optimizer": {"type": type(optimizer).__name__, "t": getattr(optimizer, "t", 0),
                      "learning_rate": optimizer.learning_rate, "n_arrays": len(moments)},
        "state": _jsonable({name: getattr(state, name) for name in STATE_FIELDS}),
        "early_stopping": estimator.validation_scores_ is not None,
        "rng": _jsonable(estimator._rng.bit_generator.state),
        "fitted": {"n_features_in_": int(estimator.n_features_in_),
                   "input_shape_": list(getattr(estimator, "input_shape_", ()) or ())},
    }
    arrays = {f"weight.{i}": w for i, w in enumerate(weights)}
    arrays.update({f"moment.{i}": m for i, m in enumerate(moments)})
    if hasattr(estimator, "classes_"):
        arrays["classes_"] = _plain(estimator.classes_, "classes_")
    if hasattr(estimator, "feature_names_in_"):
        arrays["feature_names_in_"] = _plain(estimator.feature_names_in_, "feature_names_in_")
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def load(path):
    """Read an estimator written by :func:`save`; never executes code from the file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator : MLPFromScratch or ConvNetFromScratch
        Predicts exactly as the saved one and continues training with
        ``partial_fit`` (optimizer and random-generator state included).

    Raises
    ------
    ValueError
        When the file is not a valid skscratch model (malformed, tampered,
        or holding objects that would need pickle).
    """
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not an skscratch model file: not an .npz archive.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        header = json.loads(bytes(_expect(arrays, "header", np.uint8, ndim=1)).decode())
        if not isinstance(header, dict):
            raise ValueError("its header is not a JSON object")
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError,
            EOFError) as exc:
        raise ValueError(f"{path} is not an skscratch model file: {exc}") from exc
    except ValueError as exc:   # e.g. object arrays refused by allow_pickle=False
        raise ValueError(f"{path} is not a safe skscratch model file: {exc}") from exc
    try:
        return _rebuild(header, arrays)
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"{path} has a malformed header: {exc!r}") from exc


def _rebuild(header, arrays):
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise ValueError("Not an skscratch model file (format/version mismatch).")
    cls = _allowed(ESTIMATORS, header["estimator"], "estimator")
    params = header["params"]
    validate_parameter_constraints(cls._parameter_constraints, params, cls.__name__)
    estimator = cls(**params)
    net_header = header["network"]
    dtype = _allowed({d: d for d in DTYPES}, net_header["dtype"], "dtype")
    network = Network([_allowed(LAYERS, spec["type"], "layer")(**_tuples(spec["config"]))
                       for spec in net_header["layers"]])
    network.build(tuple(int(d) for d in net_header["input_shape"]), 0, dtype)
    expected = network.get_weights()
    network.set_weights([_expect(arrays, f"weight.{i}", dtype, w.shape)
                         for i, w in enumerate(expected)])
    rng = np.random.default_rng()
    rng.bit_generator.state = header["rng"]
    for layer in network.layers:
        if hasattr(layer, "rng"):
            layer.rng = rng
    target = _rebuild_target(header["target"], arrays)
    optimizer = estimator._make_optimizer()
    _restore_optimizer(optimizer, header["optimizer"], arrays, network, dtype)
    state = TrainingState(**{name: header["state"][name] for name in STATE_FIELDS})
    known = {f"weight.{i}" for i in range(len(expected))} | {
        f"moment.{i}" for i in range(header["optimizer"]["n_arrays"])} | {
        "header", "classes_", "feature_names_in_"}
    if set(arrays) - known:
        raise ValueError(f"Unexpected arrays in the model file: {sorted(set(arrays) - known)}.")
    fitted = header["fitted"]
    estimator.n_features_in_ = int(fitted["n_features_in_"])
    if fitted["input_shape_"]:
        estimator.input_shape_ = tuple(int(d) for d in fitted["input_shape_"])
    if "feature_names_in_" in arrays:
        estimator.feature_names_in_ = _expect(arrays, "feature_names_in_", kinds="U", ndim=1)
    estimator._store_fitted(network, target, optimizer, rng, state, header["early_stopping"])
    return estimator


def _target_header(target):
    if isinstance(target, ClassificationTarget):
        return {"task": "classification", "multilabel": target.multilabel}
    return {"task": "regression", "n_outputs": target.n_outputs, "one_d": target.one_d,
            "loss": type(target.loss).__name__}


def _rebuild_target(spec, arrays):
    if spec["task"] == "classification":
        classes = _expect(arrays, "classes_", kinds="iubfU", ndim=1)
        return ClassificationTarget(classes, multilabel=bool(spec["multilabel"]))
    losses = {"SquaredError": "squared_error", "AbsoluteError": "absolute_error",
              "Huber": "huber"}
    return RegressionTarget(int(spec["n_outputs"]), bool(spec["one_d"]),
                            _allowed(losses, spec["loss"], "loss"))


def _optimizer_arrays(optimizer):
    if isinstance(optimizer, Adam):
        return [] if optimizer._m is None else optimizer._m + optimizer._v
    return [] if optimizer._velocities is None else optimizer._velocities


def _restore_optimizer(optimizer, spec, arrays, network, dtype):
    if type(optimizer).__name__ != spec["type"]:
        raise ValueError("The optimizer state does not match the saved solver.")
    optimizer.learning_rate = float(spec["learning_rate"])
    n = int(spec["n_arrays"])
    if n == 0:
        return
    flat = network.flat_params
    shapes = [flat.shape] * (2 if isinstance(optimizer, Adam) else 1)
    if n != len(shapes):
        raise ValueError(f"Expected {len(shapes)} optimizer arrays; the file says {n}.")
    moments = [_expect(arrays, f"moment.{i}", dtype, shape) for i, shape in enumerate(shapes)]
    optimizer._buffers = [np.empty_like(flat)]
    if isinstance(optimizer, Adam):
        optimizer._m, optimizer._v, optimizer.t = moments[:1], moments[1:], int(spec["t"])
    elif isinstance(optimizer, SGD):
        optimizer._velocities = moments


def _expect(arrays, name, dtype=None, shape=None, ndim=None, kinds=None):
    """The array ``name``, checked for presence, dtype (or dtype kinds) and shape."""
    if name not in arrays:
        raise ValueError(f"The model file lacks the array {name!r}.")
    a = arrays[name]
    if (dtype is not None and a.dtype != np.dtype(dtype)) or (
            kinds is not None and a.dtype.kind not in kinds):
        raise ValueError(f"Array {name!r} has dtype {a.dtype}; expected "
                         f"{dtype if dtype is not None else 'kind in ' + kinds}.")
    if (shape is not None and a.shape != tuple(shape)) or (ndim is not None and a.ndim != ndim):
        expected = tuple(shape) if shape is not None else f"{ndim} dimension(s)"
        raise ValueError(f"Array {name!r} has shape {a.shape}; expected {expected}.")
    return a


def _allowed(table, name, what):
    if not isinstance(name, str) or name not in table:
        raise ValueError(f"Unknown {what} {name!r} in the model file; expected one of "
                         f"{sorted(table)}.")
    return table[name]


def _plain(values, name):
    values = np.asarray(values)
    if values.dtype.kind == "O":
        kinds = {type(v) for v in values}
        values = values.astype(str) if kinds <= {str} else values
        if values.dtype.kind == "O":
            raise TypeError(f"{name} holds Python objects; only numbers and strings can be "
                            "saved without pickle.")
    return values


def _jsonable(value):
    """Tuples and NumPy scalars/arrays to JSON types, recursively."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _tuples(config):
    """JSON lists back to the tuples layer constructors expect."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}
