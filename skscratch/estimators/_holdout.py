"""The validation split behind ``early_stopping``."""

import numpy as np
from sklearn.model_selection import train_test_split

from ..user_warnings import warn
from ._targets import raw_output


def hold_out(X, y, Y, sample_weight, fraction, stratify, rng):
    """Split off ``fraction`` of the samples for validation.

    Parameters
    ----------
    X : ndarray, or tuple of ndarray (one per model input)
    y, Y : ndarray
        Raw targets (for scoring) and encoded targets (for training).
    sample_weight : ndarray or None
    fraction : float in (0, 1)
    stratify : ndarray or None
        Labels to stratify on (single-label classification).
    rng : numpy.random.Generator or numpy.random.RandomState
        Seeds the split, so it is reproducible from ``random_state``; a
        RandomState is used as is (scikit-learn's MLP splits with its own).

    Returns
    -------
    train : (X, Y, sample_weight) of the training part
    validation : (Y, y, sample_weight) of the held-out part
    X_validation : ndarray
    """
    inputs = list(X) if isinstance(X, tuple) else [X]
    arrays = [y, Y] + ([] if sample_weight is None else [sample_weight]) + inputs
    seed = rng if isinstance(rng, np.random.RandomState) else int(rng.integers(2**31))
    try:
        parts = train_test_split(*arrays, test_size=fraction, random_state=seed,
                                 stratify=stratify)
    except ValueError as exc:
        raise ValueError(f"early_stopping could not hold out validation_fraction={fraction} "
                         f"of {len(y)} samples: {exc}") from exc
    train, validation = parts[0::2], parts[1::2]
    if len(validation[0]) < 2:
        raise ValueError("The validation set is too small. Increase 'validation_fraction' or "
                         f"the size of your dataset ({len(validation[0])} validation sample(s) "
                         f"out of {len(y)}).")
    y_val, (Y_tr, Y_val) = validation[0], (train[1], validation[1])
    w_tr, w_val = (train[2], validation[2]) if sample_weight is not None else (None, None)
    k = 3 if sample_weight is not None else 2
    X_tr, X_val = train[k:], validation[k:]
    if isinstance(X, tuple):
        return (tuple(X_tr), Y_tr, w_tr), (Y_val, y_val, w_val), tuple(X_val)
    return (X_tr[0], Y_tr, w_tr), (Y_val, y_val, w_val), X_val[0]


def validation_split(data, fitted, fraction, classification, rng):
    """Hold out ``fraction`` of the data (drawn from ``rng``); return a scorer with the rest.

    Parameters
    ----------
    data : tuple
        ``(X, y, Y, sample_weight)``: inputs, raw and encoded targets, weights.
    fitted : FittedState
        The fit's network and target (the scorer predicts with the network
        as it trains).
    fraction : float in (0, 1)
    classification : bool
        Whether the estimator classifies: the split is then stratified for
        one output (binary classification), as scikit-learn's.
    rng : numpy.random.Generator or numpy.random.RandomState

    Returns
    -------
    X_train, Y_train, sample_weight_train
    validation_score : callable
        ``validation_score() -> {"validation_score": float, "val_loss": float}``
        (the score, and the loss Keras's callbacks watch by default), NaN
        (with a RuntimeWarning) when the network's predictions overflow.
    """
    X, y, Y, sample_weight = data
    target, network = fitted.target, fitted.network
    stratify = y if classification and target.n_outputs == 1 else None
    (X_tr, Y_tr, w_tr), (Y_val, y_val, w_val), X_val = hold_out(
        X, y, Y, sample_weight, fraction, stratify, rng)

    def validation_score():
        with np.errstate(over="ignore", invalid="ignore"):
            raw = raw_output(network, target, X_val)
        if not np.isfinite(raw).all():
            # scikit-learn's answer to diverging early-stopped fits: the epoch
            # scores NaN, never counts as an improvement, and the best weights
            # come back at the end
            warn("The validation predictions overflowed: this epoch's validation score is "
                 "NaN. Try a smaller learning rate.", RuntimeWarning)
            return {"validation_score": float("nan"), "val_loss": float("nan")}
        return {"validation_score": target.score(y_val, target.decode(raw), w_val),
                "val_loss": target.loss(raw, Y_val, w_val)[0]}

    return X_tr, Y_tr, w_tr, validation_score


def joined(evaluators):
    """One ``evaluate()`` merging the records of ``evaluators`` (None when there are none)."""
    if not evaluators:
        return None

    def evaluate():
        record = {}
        for evaluator in evaluators:
            record.update(evaluator())
        return record

    return evaluate
