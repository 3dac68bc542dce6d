"""What a network is built from: recorded at the first fit, compared on continued fits."""

import numpy as np


def canonical(value):
    """A comparable form of a parameter value.

    Sequences and arrays become tuples, NumPy scalars Python ones, so
    ``[8]``, ``(8,)`` and ``np.array([8])`` compare equal.
    """
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(canonical(v) for v in value)
    return value.item() if isinstance(value, np.generic) else value


def sizes(value, repeat=1):
    """A sequence as a tuple; a scalar as ``repeat`` copies (``3 -> (3, 3)`` for a pair)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return canonical(value)
    return (canonical(value),) * repeat


def same(a, b):
    """Whether two recorded values are equal (``is``, else ``==``; False if incomparable)."""
    if a is b:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):       # e.g. arrays in routed model parameters
        return False


def check_unchanged(recorded, current, incremental):
    """Raise ValueError naming a parameter that differs from the recorded architecture.

    Parameters
    ----------
    recorded : dict
        The architecture of the first fit.
    current : dict
        The estimator's architecture now.
    incremental : bool
        Whether the call is ``partial_fit`` (else a ``warm_start`` fit).
    """
    for name in {**recorded, **current}:
        old, new = recorded.get(name), current.get(name)
        if not same(old, new):
            how = "partial_fit" if incremental else "a warm_start fit"
            raise ValueError(
                f"{name}={new!r} differs from the previous fit's {name}={old!r}: {how} "
                "continues the network built then. Set it back, or fit with "
                "warm_start=False to build a new network.")
