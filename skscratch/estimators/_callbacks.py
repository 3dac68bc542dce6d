"""The callbacks an estimator's fit runs: scikit-learn's rules first, then the user's.

scikit-learn's stopping rule (``tol``, ``n_iter_no_change``, the adaptive
rate) and its "invscaling" schedule, with that schedule's overflow named;
the per-step schedules ``learning_rate="one_cycle"`` and ``"cosine"``.
"""

from ..callbacks import CosineDecay, InvScaling, OneCycle, PlateauStopping, as_callbacks
from ._fitted import Published

# schedules that span the max_iter epochs of one fit, for any solver
FIT_SCHEDULES = ("one_cycle", "cosine")
# OneCycle's momentum at the peak rate, as a fraction of the momentum at the ends
# (Smith's and PyTorch's 0.85 against 0.95): momentum=0 stays plain SGD
MOMENTUM_DIP = 0.85 / 0.95


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
    epoch (published first). scikit-learn's schedules apply to
    ``solver="sgd"``, as in scikit-learn; "one_cycle" and "cosine" to any
    mini-batch solver, over the ``max_iter`` epochs of the fit, peaking at the
    optimizer's initial rate (``learning_rate_init``). "one_cycle" cycles
    the momentum of an optimizer that has one between the estimator's
    ``momentum`` (at the ends) and ``0.85 / 0.95`` of it (at the peak rate).
    ``solver="lbfgs"`` stops by SciPy's own rules and has no rate to
    schedule (scikit-learn ignores ``learning_rate`` there too): it runs the
    user's callbacks only (once per iteration).

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
    callbacks += fit_schedule(estimator.learning_rate, fitted.optimizer)
    return callbacks + published


def fit_schedule(learning_rate, optimizer):
    """The callback of ``learning_rate="one_cycle"`` or ``"cosine"`` (a list of 0 or 1).

    Parameters
    ----------
    learning_rate : str
        The estimator's ``learning_rate``.
    optimizer : Optimizer
        The fit's optimizer: its momentum, if it has one, is the cycle's top.
    """
    if learning_rate == "cosine":
        return [CosineDecay()]
    if learning_rate != "one_cycle":
        return []
    momentum = getattr(optimizer, "momentum", None)
    if momentum is None:
        return [OneCycle(cycle_momentum=False)]
    return [OneCycle(base_momentum=MOMENTUM_DIP * momentum, max_momentum=momentum)]


def check_incremental_schedule(estimator):
    """Refuse ``partial_fit`` with a schedule that spans one fit's ``max_iter`` epochs."""
    if estimator.learning_rate in FIT_SCHEDULES:
        raise ValueError(
            f"learning_rate={estimator.learning_rate!r} schedules the max_iter epochs of one "
            "fit; partial_fit trains one epoch per call with no end known. Use fit, or "
            "learning_rate='constant' with a OneCycle or CosineDecay callback given "
            "total_steps (skscratch.callbacks).")
