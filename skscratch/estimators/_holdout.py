"""The validation split behind ``early_stopping``."""

from sklearn.model_selection import train_test_split


def hold_out(X, y, Y, sample_weight, fraction, stratify, rng):
    """Split off ``fraction`` of the samples for validation.

    Parameters
    ----------
    X, y, Y : ndarray
        Inputs, raw targets (for scoring) and encoded targets (for training).
    sample_weight : ndarray or None
    fraction : float in (0, 1)
    stratify : ndarray or None
        Labels to stratify on (single-label classification).
    rng : numpy.random.Generator
        Seeds the split, so it is reproducible from ``random_state``.

    Returns
    -------
    train : (X, Y, sample_weight) of the training part
    validation : (Y, y, sample_weight) of the held-out part
    X_validation : ndarray
    """
    arrays = [X, y, Y] + ([] if sample_weight is None else [sample_weight])
    seed = int(rng.integers(2**31))
    try:
        parts = train_test_split(*arrays, test_size=fraction, random_state=seed,
                                 stratify=stratify)
    except ValueError as exc:
        raise ValueError(f"early_stopping could not hold out validation_fraction={fraction} "
                         f"of {X.shape[0]} samples: {exc}") from exc
    X_tr, X_val, _, y_val, Y_tr, Y_val = parts[:6]
    w_tr, w_val = parts[6:8] if sample_weight is not None else (None, None)
    return (X_tr, Y_tr, w_tr), (Y_val, y_val, w_val), X_val
