"""Writing a model file: an estimator, network or model as a JSON header and named arrays.

The header holds the architecture as layer configurations (and, for a
compiled model, its losses, metrics and optimizer); the arrays hold the
weights, batch-norm statistics and optimizer moments. An estimator gives
its own contents (``_file_contents``: class, parameters, target, fitted
metadata, random-generator state, class labels and feature names), built
with the helpers here; persistence never imports the estimators. What is
code (callbacks, a build function) is never written.
"""

from ..archive import jsonable, write_archive
from ..configs import layer_config
from ..optimizers import OPTIMIZERS
from ..registry import ESTIMATORS
from .checks import NPY_HEADER_BYTES, check_member_sizes
from .declared_sizes import check_declared_layers, check_declared_sizes
from .format import FORMAT, VERSION


def save(model, path):
    """Write a fitted skscratch estimator, or a built network or model, to ``path``.

    Parameters
    ----------
    model : estimator, Network or Model
        A fitted skscratch estimator (``callbacks`` are code and are not
        saved), or a built :class:`~skscratch.Network` /
        :class:`~skscratch.Model` (architecture, weights, and what
        ``compile`` set).
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
    if getattr(model, "is_container", False):
        header, arrays = model_contents(model)
    elif ESTIMATORS.get(type(model).__name__) is type(model):    # not scikit-learn's MLP
        header, arrays = model._file_contents()
    else:
        raise TypeError("save() takes an skscratch estimator, Network or Model; got "
                        f"{type(model).__name__}.")
    check_loadable(header, arrays)
    write_archive(path, header, arrays)


def check_loadable(header, arrays):
    """Refuse to write what load's checks before decompressing would refuse.

    Each member counts as its data plus the largest ``.npy`` header load
    allows, so a file save writes is never refused for its members' sizes
    (labels longer than load's limit, say).

    Parameters
    ----------
    header : dict
    arrays : dict of str to ndarray
    """
    sizes = {name: a.nbytes + NPY_HEADER_BYTES for name, a in arrays.items()}
    try:
        check_member_sizes(header, sizes)
    except ValueError as exc:
        raise ValueError(f"load() would refuse this model file, so it is not written: "
                         f"{exc}.") from exc


def file_header(kind, **fields):
    """A file's header: format, version, ``kind`` ("model", "estimator" or "params"), fields."""
    return {"format": FORMAT, "version": VERSION, "kind": kind, **fields}


def network_header(network):
    """The network's dtype, input shape and configuration; ValueError over load's size limits.

    Parameters
    ----------
    network : Network or Model
        Built.

    Returns
    -------
    spec : dict
    """
    config = jsonable(layer_config(network))
    check_declared_layers(config)
    check_declared_sizes(network, network.input_shape)
    return {"dtype": network.dtype.name, "input_shape": jsonable(network.input_shape),
            "model": config}


def model_contents(model):
    """``(header, arrays)`` of a built network or model's file.

    Parameters
    ----------
    model : Network or Model

    Returns
    -------
    header : dict
    arrays : dict of str to ndarray
    """
    model._check_built()
    header = file_header("model", network=network_header(model))
    arrays = weight_arrays(model)
    compiled = getattr(model, "compiled", None)
    if compiled is not None:                       # Keras's model files keep the compile
        header["compiled"] = {**compiled.get_config(),
                              "optimizer": optimizer_header(compiled.optimizer)}
        arrays.update(moment_arrays(compiled.optimizer))
    return header, arrays


def weight_arrays(network):
    """``{"weight.<i>": array}``: every parameter, then every state array, of ``network``."""
    return {f"weight.{i}": w for i, w in enumerate(network.get_weights())}


def optimizer_header(optimizer):
    """The optimizer's name, settings, scalars and number of moment arrays.

    Parameters
    ----------
    optimizer : Optimizer

    Returns
    -------
    spec : dict
    """
    scalars, moments = optimizer.get_state()
    return {"name": OPTIMIZERS.name_of(optimizer), "config": jsonable(optimizer.get_config()),
            "scalars": jsonable(scalars), "n_arrays": len(moments)}


def moment_arrays(optimizer):
    """``{"moment.<i>": array}``: the optimizer's per-parameter state."""
    return {f"moment.{i}": m for i, m in enumerate(optimizer.get_state()[1])}
