"""How ``NetworkEstimator`` feeds a model's inputs from X, and back to rows.

X is one 2-D array (all of it one input, or split by columns with
``inputs=``), a tuple or a dict (by input name) of arrays, or images. For
scikit-learn's validation it goes through as rows (:func:`flat_rows`); the
columns of each input are recorded at the first fit (:func:`input_columns`)
and the rows split into the network's inputs again (:func:`split_columns`).
"""

import numpy as np
from scipy.sparse import issparse


def input_names(model):
    """The names of the model's inputs, when the model is given as a Model (else None)."""
    inputs = getattr(model, "inputs", None)
    return None if inputs is None else [t.name for t in inputs]


def by_input_name(mapping, what, model):
    """The values of a dict keyed by the model's input names, in the inputs' order.

    Parameters
    ----------
    mapping : dict
    what : str
        What the dict is (``"X"``, ``"inputs"``), for error messages.
    model : Model, Network, callable or None
        The estimator's ``model``; only a Model names its inputs.
    """
    names = input_names(model)
    if names is None:
        raise ValueError(f"{what} as a dict needs model= a Model, whose inputs have names; "
                         "with a build function give them in the inputs' order.")
    if set(mapping) != set(names):
        raise ValueError(f"{what} is a dict with keys {sorted(map(str, mapping))}; the "
                         f"model's inputs are named {names}.")
    return [mapping[n] for n in names]


def flat_rows(X, inputs, model):
    """Rows for validation: a tuple/dict (or images) is flattened, its shapes kept.

    Parameters
    ----------
    X : array-like, sparse matrix, tuple or dict of array-like
    inputs : list or dict or None
        The estimator's ``inputs`` (a column layout of a 2-D X).
    model : Model, Network, callable or None

    Returns
    -------
    rows : array-like or sparse matrix
    shapes : list of tuple or None
        Each block's sample shape; None when X was already rows.
    """
    if isinstance(X, dict) and not issparse(X):       # (a DOK matrix is a dict too)
        X = tuple(by_input_name(X, "X", model))
    if not isinstance(X, tuple):
        if getattr(X, "ndim", 2) <= 2:
            return X, None
        X = (X,)                          # images: one input of several axes
    if inputs is not None:
        raise ValueError("Pass X as one 2-D array when inputs= gives the column layout, "
                         "or as a tuple of arrays without it; not both.")
    if any(issparse(a) for a in X):
        raise ValueError("Sparse inputs come as one sparse X with inputs= giving each "
                         "model input's columns, not as a tuple of matrices.")
    blocks = [np.asarray(a) for a in X]
    if len({len(b) for b in blocks}) > 1:
        raise ValueError(f"The arrays of X have different numbers of samples: "
                         f"{[len(b) for b in blocks]}.")
    rows = [b.reshape(len(b), int(np.prod(b.shape[1:]))) for b in blocks]   # 0 rows too
    return np.hstack(rows), [b.shape[1:] for b in blocks]


def input_columns(n_features, shapes, inputs, model):
    """Each input's column indices, from ``inputs`` or the tuple's blocks (None: all, as rows).

    Parameters
    ----------
    n_features : int
    shapes : list of tuple or None
        The blocks' sample shapes (:func:`flat_rows`).
    inputs : list or dict or None
        The estimator's ``inputs``.
    model : Model, Network, callable or None
    """
    if shapes is not None:
        edges = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
        return [np.arange(a, b) for a, b in zip(edges[:-1], edges[1:])]
    if inputs is None:
        return None
    layout = inputs
    if isinstance(layout, dict):
        layout = by_input_name(layout, "inputs", model)
    everything = range(n_features)
    columns = [np.asarray(list(everything[c]) if isinstance(c, slice) else
                          list(c) if isinstance(c, range) else c) for c in layout]
    for c in columns:
        if c.ndim != 1 or c.dtype.kind not in "iu" or not c.size or (
                c.min() < 0 or c.max() >= n_features):
            raise ValueError(f"inputs must list column indices 0 to {n_features - 1} for "
                             f"each model input; got {inputs!r}.")
    return columns


def split_columns(X, columns, shapes):
    """The network input: X itself, or one array per model input taken from its columns.

    Parameters
    ----------
    X : ndarray or sparse matrix
        Validated rows.
    columns : list of ndarray or None
        :func:`input_columns`.
    shapes : list of tuple or None
        Each input's sample shape (a column layout's parts stay 2-D).
    """
    if columns is None:
        return X
    if shapes is None:                        # column layout: 2-D parts (sparse too)
        parts = tuple(X[:, c] for c in columns)
    else:
        parts = tuple(X[:, c].reshape(X.shape[0], *shape)
                      for c, shape in zip(columns, shapes))
    return parts if len(parts) > 1 else parts[0]
