"""Matching what ``fit`` and ``predict`` are given to a network's or model's inputs."""

import numpy as np
from scipy.sparse import issparse


def model_inputs(model, x):
    """One array per model input, checked, from an array, a tuple/list, or a dict by name.

    Parameters
    ----------
    model : Network or Model
    x : array-like, or tuple/list of them, or dict from input name to array

    Returns
    -------
    xs : list of ndarray
        In the order of the model's inputs; each checked for a numeric dtype,
        the same number of rows, and (once known) the input's sample shape.
    """
    names = [t.name for t in getattr(model, "inputs", [])]
    n_inputs = len(model.input_shape) if isinstance(model.input_shape, list) else 1
    if isinstance(x, dict):
        if not names or None in names or set(x) != set(names):
            raise ValueError(f"x is a dict with keys {sorted(map(str, x))}; a dict must name "
                             f"each of the model's inputs, which are named {names or 'not'}.")
        x = [x[n] for n in names]
    elif n_inputs == 1 and isinstance(x, (list, tuple)) and not (
            len(x) == 1 and isinstance(x[0], np.ndarray)):
        x = [x]                   # one input given as nested lists of numbers
    xs = [_as_array(a) for a in x] if isinstance(x, (list, tuple)) else [_as_array(x)]
    if len(xs) != n_inputs:
        raise ValueError(f"The model has {n_inputs} input(s); x holds {len(xs)} array(s).")
    for i, a in enumerate(xs):
        if a.dtype.kind not in "iubf" or a.ndim < 2:
            raise ValueError(f"Input {i} must be a numeric array of shape (n_samples, ...); got "
                             f"shape {a.shape} and dtype {a.dtype}.")
    if len({a.shape[0] for a in xs}) > 1:
        raise ValueError(f"The inputs have different numbers of samples: "
                         f"{[a.shape[0] for a in xs]}.")
    expected = model.input_shape if isinstance(model.input_shape, list) else [model.input_shape]
    for i, (a, shape) in enumerate(zip(xs, expected)):
        if shape is not None and a.shape[1:] != tuple(shape):
            raise ValueError(f"Input {i} has samples of shape {a.shape[1:]}; the model expects "
                             f"{tuple(shape)}.")
    return xs


def _as_array(a):
    """An input as an array; SciPy sparse matrices stay sparse (as CSR rows)."""
    return a.tocsr() if issparse(a) else np.asarray(a)


def rows_as(rows, dtype):
    """A chunk of rows in ``dtype``: sparse stays sparse, arrays are converted."""
    return rows.astype(dtype) if issparse(rows) else np.asarray(rows, dtype=dtype)
