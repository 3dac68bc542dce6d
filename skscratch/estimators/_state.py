"""An estimator's fitted state: one private object, the public attributes read from it,
and the estimator as plain data (its model files, skops's secure format; pickle keeps all).

A fit leaves one :class:`FittedState` (network, target, optimizer, random
generator, training record); :func:`publish` sets the public fitted
attributes (``loss_curve_``, ``classes_``, ...) from it.

An estimator's model file (:func:`skscratch.save`) holds what
:func:`file_contents` gives (parameters, target, network, optimizer, the
training record, the random generator's state, labels), and
:func:`from_file` reads it back through every check: the estimator classes'
``_file_contents`` and ``_from_file``, which persistence calls through
:data:`skscratch.registry.ESTIMATORS` without importing the estimators.

``skops.io.dump`` stores an object through its ``__getstate__``, and
``skops.io.load`` recreates it with ``cls.__new__`` and ``__setstate__``.
The estimators' ``__getstate__`` (:func:`plain_state`) gives what
:func:`skscratch.save` writes — a JSON header, as a string, and named
arrays — and their ``__setstate__`` (:func:`restore`) rebuilds from that
through :func:`skscratch.load`'s own checks. So a skops file holds no
skscratch object but the estimator: its class is the one type to trust.

pickle and :mod:`copy` never call ``__getstate__`` here: ``__reduce_ex__``
(:func:`reduction`) gives them the estimator's whole ``__dict__`` (callbacks,
build functions and generator objects included, unvalidated and fast), in a
:class:`PickledState`. skops cannot make one from a file unless that type is
trusted by name, so a skops file always goes through the checks.
"""

import copyreg
import json
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..archive import MAX_ARCHIVE_BYTES, MAX_HEADER_BYTES, MEMBER, allowed, expect, jsonable, plain
from ..callbacks import Callback
from ..callbacks.base import warn
from ..configs import layer_config, layer_from_config
from ..layers.base import leaf_layers
from ..losses import LOSSES
from ..optimizers import OPTIMIZERS
from ..persistence.checks import refuse_unknown
from ..persistence.declared_sizes import MAX_FEATURES, check_declared_layers
from ..persistence.format import STATE_FIELDS
from ..persistence.loading import rebuild_checked, rebuild_network, registered, restore_optimizer
from ..persistence.records import count, dims, flag, rng_state, training_state
from ..persistence.writing import (
    file_header,
    moment_arrays,
    network_header,
    optimizer_header,
    save,
    weight_arrays,
)
from ..registry import ESTIMATORS
from ..training import TrainingState
from ._data import (
    REGRESSION_LOSSES,
    ClassificationTarget,
    RegressionTarget,
    check_fitted_task,
    sample_shape,
)
from ._sklearn_private import validate_parameter_constraints


@dataclass
class FittedState:
    """Everything a fit leaves behind, kept together.

    Training, persistence and prediction pass this one object around; the
    public fitted attributes (``loss_curve_``, ``classes_``, ...) are read
    from it by :func:`publish`.

    Attributes
    ----------
    network : Network or Model
        The trained model.
    target : ClassificationTarget or RegressionTarget
        How ``y`` maps to the network's outputs, and back.
    optimizer : Optimizer
        With its moments, so ``partial_fit`` continues exactly.
    rng : numpy.random.Generator
        Shuffling and dropout randomness, continued by ``partial_fit``.
    training : TrainingState
        Epochs, losses, validation scores, history.
    early_stopping : bool
        Whether the last fit held out a validation split.
    epochs_before : int
        Epochs run before the current call: ``n_iter_`` counts the epochs of
        the latest call (as scikit-learn does), ``loss_curve_`` all of them.
    architecture : dict or None
        The parameters the network and its target were built from (the
        estimator's ``_built_from()`` at the first fit: its architecture and
        loss): continued fits are refused when they changed. None (a state
        made elsewhere, e.g. by ``load``) is filled from the estimator's
        parameters by :func:`publish`.
    """

    network: object
    target: object
    optimizer: object
    rng: object
    training: TrainingState
    early_stopping: bool = False
    epochs_before: int = 0
    architecture: dict = None


def publish(estimator, fitted):
    """Store ``fitted`` on the estimator and set the public fitted attributes from it."""
    if fitted.architecture is None:
        fitted.architecture = estimator._built_from()
    estimator._fitted = fitted
    network, state, target = fitted.network, fitted.training, fitted.target
    early = fitted.early_stopping
    estimator.network_ = network
    estimator.n_iter_, estimator.t_ = state.n_iter - fitted.epochs_before, state.t
    estimator.loss_curve_ = state.loss_curve
    # an L-BFGS start that already meets tol records no iteration: its loss is the starting
    # point's (SciPy's fun, scikit-learn's loss_), kept as the best seen
    estimator.loss_ = state.loss_curve[-1] if state.loss_curve else (
        state.best_loss if np.isfinite(state.best_loss) else None)
    estimator.best_loss_ = None if early else state.best_loss
    estimator.validation_scores_ = state.validation_scores if early else None
    estimator.best_validation_score_ = state.best_validation_score if early else None
    estimator.history_ = state.history
    estimator.n_layers_ = sum("W" in leaf.params for leaf in leaf_layers(network)) + 1
    estimator.n_outputs_ = target.n_outputs
    estimator.out_activation_ = target.out_activation
    if isinstance(target, ClassificationTarget):
        estimator.classes_ = target.classes


class Published(Callback):
    """Publish the fitted attributes after every epoch, for the callbacks after it.

    Parameters
    ----------
    fitted : FittedState
        The state of the fit in progress.
    """

    def __init__(self, fitted):
        self.fitted = fitted

    def on_epoch_end(self, epoch, logs=None):
        self.fitted.training = self.trainer.state
        publish(self.trainer.owner, self.fitted)


# the keys of the plain state
KEYS = ("header", "arrays")


class PickledState(dict):
    """An estimator's ``__dict__`` as pickle and :mod:`copy` carry it.

    A type of its own marks the trusted path: ``__setstate__`` restores it
    as it is, and checks anything else as an untrusted file.
    """


class StateMixin:
    """How every skscratch estimator saves, pickles, copies and goes to skops.

    pickle and copy take ``__reduce_ex__``: the whole ``__dict__``, as it is.
    skops takes ``__getstate__``: plain data, which ``__setstate__`` checks
    as :func:`skscratch.load` does (see the module's docstring for why a
    file cannot skip the checks).
    """

    def __reduce_ex__(self, protocol):
        return reduction(self)

    def __reduce__(self):
        return reduction(self)

    def __getstate__(self):
        """The estimator as plain data, as :func:`skscratch.save` writes it (for skops).

        Returns
        -------
        state : dict
            ``{"header": str, "arrays": dict of str to ndarray}``: the JSON
            header and named arrays of a model file (class and parameters
            only when unfitted). pickle and :mod:`copy` do not use it.
        """
        return plain_state(self)

    def __setstate__(self, state):
        """Restore a state; plain data is checked as :func:`skscratch.load` checks a file.

        Parameters
        ----------
        state : dict
            :meth:`__getstate__`'s plain data, or what pickle and :mod:`copy`
            carry.

        Raises
        ------
        ValueError
            When plain data is malformed, tampered or of another class.
        """
        restore(self, state)

    def save(self, filepath):
        """Write the fitted estimator to ``filepath`` (:func:`skscratch.save`; no pickle).

        What a :class:`~skscratch.callbacks.ModelCheckpoint` calls; read it
        back with :func:`skscratch.load`.

        Parameters
        ----------
        filepath : str or path-like
        """
        save(self, filepath)

    def _file_contents(self):
        """``(header, arrays)`` of this fitted estimator's model file (what ``save`` writes)."""
        return file_contents(self)

    @classmethod
    def _from_file(cls, header, arrays):
        """The estimator a model file's header and arrays describe, read through every check."""
        return from_file(cls, header, arrays)

    def summary(self, print_fn=None):
        """Print the fitted network's layers, output shapes and parameter counts.

        Parameters
        ----------
        print_fn : callable, optional
            Called with the table's text instead of ``print``.
        """
        check_is_fitted(self)
        self.network_.summary(print_fn)



def reduction(estimator):
    """What pickle and :mod:`copy` store: the class and the whole ``__dict__``.

    Parameters
    ----------
    estimator : BaseNeuralEstimator

    Returns
    -------
    reduction : tuple
        ``(copyreg.__newobj__, (cls,), PickledState)``, the form of
        ``object.__reduce_ex__`` (so reference cycles still pickle).
    """
    state = PickledState(BaseEstimator.__getstate__(estimator))
    return copyreg.__newobj__, (type(estimator),), state


def plain_state(estimator):
    """The estimator as :func:`skscratch.save` would write it: JSON text and named arrays.

    Parameters
    ----------
    estimator : MLPFromScratch, ConvNetFromScratch or NetworkEstimator
        Fitted or not (unfitted: its class and parameters only).

    Returns
    -------
    state : dict
        ``{"header": str, "arrays": dict of str to ndarray}``.

    Raises
    ------
    TypeError
        For a subclass (only skscratch's own classes are rebuilt from data),
        an unfitted ``NetworkEstimator`` whose model is a build function, or
        parameters that are not plain data.
    """
    cls = type(estimator)
    if ESTIMATORS.get(cls.__name__) is not cls:
        raise TypeError(f"{cls.__name__} cannot be stored as plain data (skops): only "
                        f"skscratch's own estimators, {sorted(ESTIMATORS)}, are "
                        "rebuilt from data. Use pickle for trusted, same-version use.")
    if estimator.__sklearn_is_fitted__():
        header, arrays = file_contents(estimator)
    else:
        params, model = saved_params(estimator, None)
        header = file_header("params", estimator=cls.__name__, params=params, model=model)
        arrays = {}
    try:
        text = json.dumps(header)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"The parameters of this {cls.__name__} cannot be stored as plain "
                        f"data (skops): {exc}.") from exc
    return {"header": text, "arrays": arrays}


def restore(estimator, state):
    """Set ``estimator`` from ``state``: :func:`reduction`'s as it is, any other checked.

    Parameters
    ----------
    estimator : BaseNeuralEstimator
        A new instance (made by pickle, :mod:`copy` or skops with ``__new__``).
    state : PickledState or dict
        A :class:`PickledState`, or :func:`plain_state`'s dict, which goes
        through every check of :func:`skscratch.load` and must describe an
        estimator of ``estimator``'s class.

    Raises
    ------
    ValueError
        For a state that is malformed, tampered or of another class.
    """
    if type(state) is PickledState:
        BaseEstimator.__setstate__(estimator, dict(state))
        return
    source = f"The stored state of {type(estimator).__name__}"
    header, arrays = _checked_contents(state, source)
    loaded = rebuild_checked(header, arrays, source)
    if type(loaded) is not type(estimator):
        raise ValueError(f"{source} describes a {type(loaded).__name__}.")
    estimator.__dict__.clear()
    estimator.__dict__.update(vars(loaded))


def _checked_contents(state, source):
    """``(header, arrays)`` of a plain state, checked as :func:`~skscratch.archive.read_archive`.

    Only a dict of a JSON string and named arrays of numbers or strings
    passes, within the model file's size limits: anything else in ``state``
    (any object a skops file could hold) is refused before it is used.
    """
    if type(state) is not dict or set(state) != set(KEYS):
        got = sorted(map(str, state)) if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"{source} is not skscratch plain data: expected a dict with keys "
                         f"{list(KEYS)}; got {got}. (A pickle is read only by the skscratch "
                         "version that wrote it.)")
    text, arrays = state["header"], state["arrays"]
    if type(text) is not str or len(text) > MAX_HEADER_BYTES:
        raise ValueError(f"{source} has no JSON header within {MAX_HEADER_BYTES:,} characters.")
    try:
        header = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"{source} has a malformed header: {exc}") from exc
    if type(header) is not dict or type(arrays) is not dict:
        raise ValueError(f"{source} needs a JSON object as header and a dict of arrays.")
    for name, array in arrays.items():
        if type(name) is not str or name == "header" or not MEMBER.fullmatch(f"{name}.npy"):
            raise ValueError(f"Unexpected array {name!r} in {source}.")
        if type(array) is not np.ndarray or array.dtype.kind not in "iubfU":
            raise ValueError(f"{source}'s {name!r} is not an array of numbers or strings: "
                             f"got {type(array).__name__} {getattr(array, 'dtype', '')}.")
    if sum(a.nbytes for a in arrays.values()) > MAX_ARCHIVE_BYTES:
        raise ValueError(f"{source}'s arrays exceed {MAX_ARCHIVE_BYTES:,} bytes.")
    return header, arrays


# ------------------------------------------------------------------- model files
def file_contents(estimator):
    """``(header, arrays)`` of a fitted estimator's model file; ValueError for non-finite weights.

    Parameters
    ----------
    estimator : BaseNeuralEstimator
        Fitted.

    Returns
    -------
    header : dict
    arrays : dict of str to ndarray
    """
    check_is_fitted(estimator)
    check_fitted_task(estimator)          # load() refuses a task its target is not for
    fitted = estimator._fitted
    if not np.isfinite(fitted.network.flat_params).all():
        raise ValueError("This estimator's weights are not finite; load() would refuse the "
                         "file, so it is not written.")
    params, model_config = saved_params(estimator, fitted.network)
    header = file_header(
        "estimator", estimator=type(estimator).__name__, params=params,
        target=_target_header(fitted.target), network=network_header(fitted.network),
        optimizer=(None if fitted.optimizer is None       # lbfgs keeps no state
                   else optimizer_header(fitted.optimizer)),
        state=jsonable({name: getattr(fitted.training, name) for name in STATE_FIELDS}),
        early_stopping=fitted.early_stopping, rng=jsonable(fitted.rng.bit_generator.state),
        fitted={"n_features_in_": int(estimator.n_features_in_),
                "epochs_before": int(fitted.epochs_before),
                "input_shape_": list(getattr(estimator, "input_shape_", ()) or ()),
                "input_columns_": jsonable(getattr(estimator, "input_columns_", None)),
                "input_shapes_": jsonable(getattr(estimator, "input_shapes_", None))},
        model=model_config)
    arrays = weight_arrays(fitted.network)
    if fitted.optimizer is not None:
        arrays.update(moment_arrays(fitted.optimizer))
    if hasattr(estimator, "classes_"):
        arrays["classes_"] = plain(estimator.classes_, "classes_")
    if hasattr(estimator, "feature_names_in_"):
        arrays["feature_names_in_"] = plain(estimator.feature_names_in_, "feature_names_in_")
    return header, arrays


def saved_params(estimator, network):
    """The parameters as JSON and ``model`` as a configuration; ``network``: None if unfitted.

    Callbacks are code and are dropped (a warning says so); a generator
    object as random_state is stored as None (a fitted one's state is kept).
    """
    params = estimator.get_params(deep=False)
    if params.get("callbacks"):
        warn("callbacks are code and are not saved; the loaded model has none.", UserWarning)
    params["callbacks"] = None
    if not isinstance(params["random_state"], (int, type(None))):
        if network is None:
            warn("random_state is a generator object, which is not saved: the loaded "
                 "estimator has random_state=None.", UserWarning)
        params["random_state"] = None
    model_config = _model_param(params, network)
    return jsonable(params), model_config


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
    if getattr(model, "is_container", False):
        config = jsonable(layer_config(model))
        check_declared_layers(config)
        return config
    if network is None:
        raise TypeError("NetworkEstimator(model=<a build function>) cannot be stored as "
                        "data before it is fitted: a function is code. Fit it first (its "
                        "fitted architecture is stored), pass an unbuilt Network or Model "
                        "as model, or use pickle (trusted sources only).")
    routed = sorted(k for k in params if k.startswith("model__"))
    for key in routed:
        del params[key]
    warn("model is a build function, which is code and is not saved: the loaded "
         f"estimator's model is the fitted architecture{' (without ' if routed else ''}"
         f"{', '.join(routed)}{')' if routed else ''}.", UserWarning)
    return jsonable(layer_config(network))


def _target_header(target):
    if isinstance(target, ClassificationTarget):
        # the loss is implied by the flag and the classes: stored too, so a lone edit of
        # either is caught
        return {"task": "classification", "multilabel": target.multilabel,
                "loss": LOSSES.name_of(target.loss)}
    return {"task": "regression", "n_outputs": target.n_outputs, "one_d": target.one_d,
            "loss": target.loss_name}


def from_file(cls, header, arrays):
    """The estimator of class ``cls`` a model file's checked header and arrays describe.

    Parameters
    ----------
    cls : type
        The estimator class the header names (from
        :data:`skscratch.registry.ESTIMATORS`).
    header : dict
    arrays : dict of str to ndarray

    Returns
    -------
    estimator : BaseNeuralEstimator
        Fitted (unfitted for a file of parameters alone).
    """
    if header.get("kind") == "params":            # an unfitted estimator
        refuse_unknown(arrays, 0, 0)
        return _new_estimator(cls, header)
    network, n_weights = rebuild_network(header["network"], arrays)
    estimator = _new_estimator(cls, header)
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
        n_moments = restore_optimizer(optimizer, header["optimizer"], arrays, network)
    state = training_state(header["state"])
    refuse_unknown(arrays, n_weights, n_moments, "classes_", "feature_names_in_")
    fitted = header["fitted"]
    layout = input_layout(fitted, arrays, hasattr(estimator, "inputs"))
    for name, value in layout.items():
        setattr(estimator, name, value)
    _check_input_layout(estimator, network)
    publish(estimator, FittedState(network, target, optimizer, rng, state,
                                   flag(header["early_stopping"], "early_stopping"),
                                   count(fitted.get("epochs_before", 0), "epochs_before", 0,
                                         state.n_iter)))
    return estimator


def _new_estimator(cls, header):
    """The unfitted estimator the header names, with its validated parameters."""
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
        if not template.is_container:
            raise ValueError("The model file's model is a single layer, not a network.")
        params = {**params, "model": template}
    return cls(**params)


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
    return registered(OPTIMIZERS, spec["name"], spec["config"], "optimizer")


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


def input_layout(fitted, arrays, network_estimator):
    """The fitted input attributes the header's ``fitted`` record declares, type-checked.

    Parameters
    ----------
    fitted : dict
        The header's ``fitted`` record.
    arrays : dict of str to ndarray
    network_estimator : bool
        Whether the record is a NetworkEstimator's (input columns and shapes).

    Returns
    -------
    attributes : dict
        ``n_features_in_``, and ``input_shape_``, ``input_columns_``,
        ``input_shapes_``, ``feature_names_in_`` where the file has them.
    """
    n = count(fitted["n_features_in_"], "n_features_in_", 1, MAX_FEATURES)
    layout = {"n_features_in_": n}
    if fitted["input_shape_"]:
        layout["input_shape_"] = dims(fitted["input_shape_"], "input_shape_")
    if network_estimator:
        columns, shapes = fitted.get("input_columns_"), fitted.get("input_shapes_")
        layout["input_columns_"] = (None if columns is None else
                                    [_columns(c, n) for c in _items(columns, "input_columns_")])
        layout["input_shapes_"] = (None if shapes is None else
                                   [dims(s, "input_shapes_") for s in _items(shapes,
                                                                             "input_shapes_")])
    if "feature_names_in_" in arrays:
        layout["feature_names_in_"] = expect(arrays, "feature_names_in_", kinds="U", shape=(n,))
    return layout


def _items(value, what):
    if not isinstance(value, list):
        raise ValueError(f"The model file's {what} is {value!r}; expected a list.")
    return value


def _columns(value, n_features):
    """One input's column indices: a JSON list of integers in ``[0, n_features)``."""
    columns = np.asarray(_items(value, "input_columns_"))
    if columns.size == 0:
        return columns.astype(np.int64)
    if (columns.ndim != 1 or columns.dtype.kind != "i" or columns.min() < 0
            or columns.max() >= n_features):
        raise ValueError(f"The model file's input layout does not fit its data: input_columns_ "
                         f"hold {value!r:.80}; expected column indices from 0 to "
                         f"{n_features - 1}.")
    return columns.astype(np.int64)
