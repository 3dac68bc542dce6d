"""What the estimators do to their inputs before training: checks and conversions.

The network input is one array, or a tuple of arrays for a model with several
inputs; sparse X stays sparse (as CSR rows). Also the per-fit random
generator and the sample-weight check.
"""

import numpy as np
from scipy.sparse import issparse
from sklearn.utils import check_random_state

from ..layers.base import leaf_layers


def generator(random_state):
    """A Generator for one fit, seeded by a draw from ``random_state``'s RandomState.

    An int seeds it reproducibly; a RandomState instance is consumed as
    scikit-learn estimators consume it; None draws from NumPy's global
    RandomState, as scikit-learn's ``check_random_state(None)`` does, so
    ``np.random.seed`` makes such fits reproducible.
    """
    return np.random.default_rng(check_random_state(random_state).randint(2**31))


def validate_sample_weight(sample_weight, X):
    """Non-negative finite weights, one per sample, with a positive sum (or None)."""
    if sample_weight is None:
        return None
    n = X.shape[0]
    try:
        sample_weight = np.asarray(sample_weight).astype(X.dtype, copy=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"sample_weight must be numbers; {exc}") from None
    if sample_weight.ndim == 0:
        sample_weight = np.full(n, sample_weight)
    if sample_weight.shape != (n,):
        raise ValueError(f"sample_weight.shape == {sample_weight.shape}, expected ({n},)!")
    if not np.isfinite(sample_weight).all():
        raise ValueError("sample_weight must be finite (no NaN or infinity).")
    if (sample_weight < 0).any():
        raise ValueError("Negative values in data passed to `sample_weight`.")
    if not sample_weight.sum() > 0:
        raise ValueError("sample_weight must have a positive sum; all weights are zero.")
    return sample_weight


def as_tuple(X):
    """The network input as a tuple of arrays (one per model input)."""
    return X if isinstance(X, tuple) else (X,)


def first_input(X):
    """The first array of the network input (all share rows and dtype)."""
    return as_tuple(X)[0]


def sample_shape(X):
    """One sample's shape, or a list of them for a model with several inputs."""
    return [a.shape[1:] for a in X] if isinstance(X, tuple) else X.shape[1:]


def cast(X, dtype):
    """The network input in ``dtype`` (no copy when it already is)."""
    if isinstance(X, tuple):
        return tuple(a.astype(dtype, copy=False) for a in X)
    return X.astype(dtype, copy=False)


def csr(X):
    """Sparse X as CSR (batches take rows); arrays unchanged."""
    return X.tocsr() if issparse(X) else X


def scale_hint(X, spread=10.0, steps="epochs"):
    """A sentence for the ConvergenceWarning when ``X`` looks unscaled, else "".

    Inputs whose columns have standard deviations or means far from 1 and 0
    (raw iris: up to 5.8; digits pixels: up to 6.0 with means up to 14) train
    slowly with the default learning rate; scaling them is usually the fix.
    Only dense single-array rows are looked at, through about a thousand of
    them.
    """
    if not isinstance(X, np.ndarray) or X.ndim != 2 or not len(X):
        return ""
    # about a thousand rows suffice for a hint: never a copy of a large (or mapped) X
    rows = np.asarray(X[::max(1, len(X) // 1000)], dtype=np.float64)
    size = max(float(np.abs(rows.mean(axis=0)).max()), float(rows.std(axis=0).max()))
    if not size > spread / 2:
        return ""
    return (f" The inputs look unscaled (column means or standard deviations up to "
            f"{size:.3g}): scaling them, e.g. with StandardScaler in a Pipeline, usually "
            f"converges in far fewer {steps}.")


def init_output_bias(network, target, Y, sample_weight):
    """Let the target start the output layer's bias (when the last leaf has one that fits)."""
    last = leaf_layers(network)[-1]
    bias = last.params.get("b")
    if bias is not None and bias.shape == (target.n_outputs,):
        target.init_output_bias(bias, Y, sample_weight)


def reject_datetimes(X):
    """Raise ValueError naming the date, time and duration columns of ``X``.

    NumPy cannot turn them into floats (pandas gives a bare
    ``DTypePromotionError``, time-zone-aware columns a ``TypeError``), and
    polars would hand them over as integers (microseconds since 1970, days,
    nanoseconds...): a network trained on those is silently wrong. The
    network needs numbers, e.g. elapsed seconds or calendar features.

    Parameters
    ----------
    X : DataFrame (pandas or polars), array-like or sparse matrix
    """
    dtypes = getattr(X, "dtypes", None)
    schema = getattr(X, "schema", None)
    if hasattr(schema, "items"):                       # a polars DataFrame
        columns = [name for name, dtype in schema.items() if _temporal(dtype)]
    elif hasattr(dtypes, "items"):                     # a pandas DataFrame
        columns = [name for name, dtype in dtypes.items() if _temporal(dtype)]
    else:
        columns = ["X"] if _temporal(getattr(X, "dtype", None)) else []
    if columns:
        raise ValueError(f"X has date, time or duration column(s) {columns}: the network "
                         "takes numbers. Convert them first (e.g. to elapsed seconds, or to "
                         "calendar features such as month and weekday).")


def _temporal(dtype):
    """Whether a NumPy, pandas or polars column dtype holds dates, times or durations."""
    if getattr(dtype, "kind", None) in ("m", "M"):    # NumPy; pandas, time zones too
        return True
    is_temporal = getattr(dtype, "is_temporal", None)  # polars Datetime, Date, Time, Duration
    if callable(is_temporal):
        return bool(is_temporal())
    if type(dtype).__name__ == "PeriodDtype":         # pandas periods ("2020-01")
        return True
    categories = getattr(dtype, "categories", None)    # pandas categories of dates
    return categories is not None and _temporal(getattr(categories, "dtype", None))
