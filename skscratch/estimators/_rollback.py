"""A failed ``fit``/``partial_fit`` leaves the estimator exactly as it was before the call."""

import copy
from contextlib import contextmanager

from ..rollback import restore, snapshot
from ._fitted import publish


def _fitted_attributes(estimator):
    return {k: v for k, v in vars(estimator).items()
            if (k.endswith("_") and not k.startswith("__")) or k == "_fitted"}


@contextmanager
def rollback_on_failure(estimator):
    """Restore the estimator's fitted state if the body raises.

    A fresh fit builds a new network, so putting back the previous fitted
    attributes is enough; a continued fit (``warm_start``, ``partial_fit``)
    trains the existing network and optimizer in place, so their arrays, the
    training record and the random generator's state are copied first: the
    next call then computes exactly what it would have without the failed one.
    Ctrl-C (``KeyboardInterrupt``) is handled like any failure: the estimator
    is put back and the interrupt propagates, so it also stops a grid search
    or a script rather than letting it carry on with a half-trained model.

    Parameters
    ----------
    estimator : BaseNeuralEstimator
    """
    attributes = _fitted_attributes(estimator)
    fitted = attributes.get("_fitted")
    saved = None
    if fitted is not None:
        saved = (snapshot(fitted.network, fitted.optimizer),
                 copy.deepcopy(fitted.training), fitted.optimizer,
                 copy.deepcopy(fitted.rng.bit_generator.state))
    try:
        yield
    except BaseException:
        for key in _fitted_attributes(estimator):
            delattr(estimator, key)
        estimator.__dict__.update(attributes)
        if saved is not None:
            weights, training, optimizer, rng_state = saved
            fitted.rng.bit_generator.state = rng_state     # shuffling, dropout, splits
            restore(fitted.network, optimizer, weights)
            fitted.training, fitted.optimizer = training, optimizer
            # the public lists (loss_curve_, history_) are the training record's own:
            # publish them again from the restored copy
            publish(estimator, fitted)
        raise
