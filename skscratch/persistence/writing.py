"""Writing a model file: an estimator, network or model as a JSON header and named arrays.

The header holds the architecture as layer configurations and, for an
estimator, its class and parameters, target, fitted metadata, optimizer
and random-generator state; the arrays hold the weights, batch-norm
statistics, optimizer moments, class labels and feature names. What is code
(callbacks, a build function) is never written.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..archive import jsonable, plain, write_archive
from ..configs import layer_config
from ..container import Container
from ..estimators._targets import ClassificationTarget
from ..losses import LOSSES
from ..optimizers import OPTIMIZERS
from ..user_warnings import warn
from .checks import NPY_HEADER_BYTES, check_member_sizes
from .declared_sizes import check_declared_layers, check_declared_sizes
from .format import ESTIMATORS, FORMAT, STATE_FIELDS, VERSION


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
    elif ESTIMATORS.get(type(model).__name__) is type(model):    # not scikit-learn's MLP
        header, arrays = estimator_contents(model)
    else:
        raise TypeError("save() takes an skscratch estimator, Network or Model; got "
                        f"{type(model).__name__}.")
    _check_loadable(header, arrays)
    write_archive(path, header, arrays)


def _check_loadable(header, arrays):
    """Refuse to write what load's checks before decompressing would refuse.

    Each member counts as its data plus the largest ``.npy`` header load
    allows, so a file save writes is never refused for its members' sizes
    (labels longer than load's limit, say).
    """
    sizes = {name: a.nbytes + NPY_HEADER_BYTES for name, a in arrays.items()}
    try:
        check_member_sizes(header, sizes)
    except ValueError as exc:
        raise ValueError(f"load() would refuse this model file, so it is not written: "
                         f"{exc}.") from exc


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


def _network_header(network):
    """The network's dtype, input shape and configuration; ValueError over load's size limits."""
    config = jsonable(layer_config(network))
    check_declared_layers(config)
    check_declared_sizes(network, network.input_shape)
    return {"dtype": network.dtype.name, "input_shape": jsonable(network.input_shape),
            "model": config}


def _model_contents(model):
    """``(header, arrays)`` of a built network or model's file."""
    model._check_built()
    header = {"format": FORMAT, "version": VERSION, "kind": "model",
              "network": _network_header(model)}
    arrays = {f"weight.{i}": w for i, w in enumerate(model.get_weights())}
    compiled = getattr(model, "compiled", None)
    if compiled is not None:                       # Keras's model files keep the compile
        header["compiled"] = {**compiled.get_config(),
                              "optimizer": _optimizer_header(compiled.optimizer)}
        arrays.update(_moments(compiled.optimizer))
    return header, arrays


def _optimizer_header(optimizer):
    """The optimizer's name, settings, scalars and number of moment arrays."""
    scalars, moments = optimizer.get_state()
    return {"name": OPTIMIZERS.name_of(optimizer), "config": jsonable(optimizer.get_config()),
            "scalars": jsonable(scalars), "n_arrays": len(moments)}


def _moments(optimizer):
    return {f"moment.{i}": m for i, m in enumerate(optimizer.get_state()[1])}


def estimator_contents(estimator):
    """``(header, arrays)`` of a fitted estimator's file; ValueError for non-finite weights."""
    check_is_fitted(estimator)
    if not np.isfinite(estimator._fitted.network.flat_params).all():
        raise ValueError("This estimator's weights are not finite; load() would refuse the "
                         "file, so it is not written.")
    params, model_config = saved_params(estimator, estimator._fitted.network)
    fitted = estimator._fitted
    header = {
        "format": FORMAT, "version": VERSION, "kind": "estimator",
        "estimator": type(estimator).__name__,
        "params": params, "target": _target_header(fitted.target),
        "network": _network_header(fitted.network),
        "optimizer": (None if fitted.optimizer is None       # lbfgs keeps no state
                      else _optimizer_header(fitted.optimizer)),
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
    if fitted.optimizer is not None:
        arrays.update(_moments(fitted.optimizer))
    if hasattr(estimator, "classes_"):
        arrays["classes_"] = plain(estimator.classes_, "classes_")
    if hasattr(estimator, "feature_names_in_"):
        arrays["feature_names_in_"] = plain(estimator.feature_names_in_, "feature_names_in_")
    return header, arrays


def _target_header(target):
    if isinstance(target, ClassificationTarget):
        # the loss is implied by the flag and the classes: stored too, so a lone edit of
        # either is caught
        return {"task": "classification", "multilabel": target.multilabel,
                "loss": LOSSES.name_of(target.loss)}
    return {"task": "regression", "n_outputs": target.n_outputs, "one_d": target.one_d,
            "loss": target.loss_name}
