"""The callbacks an estimator's fit runs: scikit-learn's rules first, then the user's.

scikit-learn's stopping rule (``tol``, ``n_iter_no_change``, the adaptive
rate) and its "invscaling" schedule, with that schedule's overflow named.
"""

from ..callbacks import InvScaling, PlateauStopping, as_callbacks
from ._fitted import Published


class CheckedInvScaling(InvScaling):
    """scikit-learn's "invscaling" schedule; a ``power_t`` too large to compute is a ValueError.

    ``(t + 1) ** power_t`` overflows a float (a bare ``OverflowError``) once
    ``power_t * log(t + 1)`` passes about 709: the rate would underflow to
    zero, which trains nothing.

    Parameters
    ----------
    power_t : float, default=0.5
    """

    def on_epoch_begin(self, epoch, logs=None):
        try:
            super().on_epoch_begin(epoch, logs)
        except OverflowError:
            raise ValueError(
                f"power_t={self.power_t!r} is too large for learning_rate='invscaling': "
                f"learning_rate_init / (t + 1) ** power_t underflows to zero after "
                f"t={self.trainer.state.t} samples. Use a smaller power_t (the default is 0.5)."
            ) from None


def estimator_callbacks(estimator, fitted):
    """scikit-learn's stopping rule and schedules, then the user's callbacks.

    The user's callbacks see the estimator's fitted attributes as of each
    epoch (published first); the schedules apply to ``solver="sgd"``, as
    in scikit-learn. ``solver="lbfgs"`` stops by SciPy's own rules: it runs
    the user's callbacks only (once per iteration).

    Parameters
    ----------
    estimator : BaseNeuralEstimator
        Its ``solver``, ``learning_rate``, ``tol``, ``n_iter_no_change``,
        ``power_t`` and ``callbacks``.
    fitted : FittedState
        The fit in progress (``early_stopping`` restores the best weights).

    Returns
    -------
    callbacks : list of Callback
    """
    user = as_callbacks(estimator.callbacks)
    published = [Published(fitted)] + user if user else []
    if estimator.solver == "lbfgs":
        return published
    sgd = estimator.solver == "sgd"
    callbacks = [PlateauStopping(estimator.tol, estimator.n_iter_no_change,
                                 adaptive=sgd and estimator.learning_rate == "adaptive",
                                 restore_best_weights=fitted.early_stopping)]
    if sgd and estimator.learning_rate == "invscaling":
        callbacks.append(CheckedInvScaling(estimator.power_t))
    return callbacks + published
