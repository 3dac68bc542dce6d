"""The estimators as plain data, for skops's secure format; pickle and copy keep everything.

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

import numpy as np
from sklearn.base import BaseEstimator

from ..archive import MAX_ARCHIVE_BYTES, MAX_HEADER_BYTES, MEMBER

# the keys of the plain state
KEYS = ("header", "arrays")


class PickledState(dict):
    """An estimator's ``__dict__`` as pickle and :mod:`copy` carry it.

    A type of its own marks the trusted path: ``__setstate__`` restores it
    as it is, and checks anything else as an untrusted file.
    """


class StateMixin:
    """How every skscratch estimator pickles, copies and goes to skops.

    pickle and copy take ``__reduce_ex__``: the whole ``__dict__``, as ever.
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
    from .. import persistence  # it imports the estimators: imported when used

    cls = type(estimator)
    if persistence.ESTIMATORS.get(cls.__name__) is not cls:
        raise TypeError(f"{cls.__name__} cannot be stored as plain data (skops): only "
                        f"skscratch's own estimators, {sorted(persistence.ESTIMATORS)}, are "
                        "rebuilt from data. Use pickle for trusted, same-version use.")
    if estimator.__sklearn_is_fitted__():
        header, arrays = persistence._estimator_contents(estimator)
    else:
        params, model = persistence._saved_params(estimator, None)
        header = {"format": persistence.FORMAT, "version": persistence.VERSION,
                  "kind": "params", "estimator": cls.__name__, "params": params, "model": model}
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
    from .. import persistence  # it imports the estimators: imported when used

    source = f"The stored state of {type(estimator).__name__}"
    header, arrays = _checked_contents(state, source)
    loaded = persistence._rebuild_checked(header, arrays, source)
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
