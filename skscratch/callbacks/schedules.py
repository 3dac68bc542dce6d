"""Learning-rate schedules that work with any optimizer."""

import inspect
import math

from .base import Callback, Monitor, check_count, check_rate, check_verbose


class LearningRateScheduler(Callback):
    """Set the learning rate before each epoch from a schedule (Keras's).

    Parameters
    ----------
    schedule : callable
        ``schedule(epoch) -> rate`` or, as in Keras, ``schedule(epoch, rate)
        -> rate``, with ``epoch`` counted from 0 and ``rate`` the current one.
        Use a module-level function (or a picklable object) so the estimator
        can be cloned and pickled.
    verbose : int, default=0
        1 prints each new rate.

    Examples
    --------
    >>> from skscratch.callbacks import LearningRateScheduler
    >>> def halve_every_10(epoch, rate):
    ...     return rate / 2 if epoch and epoch % 10 == 0 else rate
    >>> scheduler = LearningRateScheduler(halve_every_10)
    """

    def __init__(self, schedule, verbose=0):
        if not callable(schedule):
            raise TypeError(f"schedule must be callable; got {schedule!r}.")
        self.schedule = schedule
        self.verbose = check_verbose(verbose, "LearningRateScheduler's verbose")

    def on_train_begin(self, logs=None):
        # schedule(epoch, rate) when it has two parameters without defaults
        required = [p for p in inspect.signature(self.schedule).parameters.values()
                    if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        self._takes_rate = len(required) >= 2

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        rate = optimizer.learning_rate
        new = self.schedule(epoch, rate) if self._takes_rate else self.schedule(epoch)
        optimizer.learning_rate = checked_rate(new, f"The schedule at epoch {epoch}")
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{optimizer.learning_rate:g}.", flush=True)


def checked_rate(value, source):
    """``value`` as a positive finite float; TypeError/ValueError naming ``source`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(
            value, "__float__"):
        raise TypeError(f"{source} gave the learning rate {value!r}; rates are numbers.")
    rate = float(value)
    if not 0 < rate < math.inf:
        raise ValueError(f"{source} gave the learning rate {value!r}; rates must be positive "
                         "and finite.")
    return rate


class InvScaling(Callback):
    """scikit-learn's ``learning_rate="invscaling"``: ``rate = initial / (t + 1) ** power_t``.

    ``t`` is the number of training samples seen before the epoch (it
    continues across ``partial_fit`` calls). As in scikit-learn, a fresh
    optimizer (a new or ``warm_start`` fit) runs its first epoch at the
    initial rate.

    Parameters
    ----------
    power_t : float, default=0.5
    """

    def __init__(self, power_t=0.5):
        self.power_t = check_rate(power_t, "InvScaling's power_t")

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not optimizer.started:          # a fresh optimizer (a warm_start fit too)
            optimizer.learning_rate = optimizer.learning_rate_init
            return
        optimizer.learning_rate = (optimizer.learning_rate_init
                                   / (self.trainer.state.t + 1) ** self.power_t)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when the monitored quantity stalls (Keras's).

    Parameters
    ----------
    monitor : str, default="val_loss"
        A key of the epoch records; a validation quantity the fit does not
        record falls back to its training version, with one warning.
    factor : float in (0, 1), default=0.1
    patience : int, default=10
        Epochs without improvement before the rate is lowered.
    verbose : int, default=0
        1 prints each reduction.
    mode : {"auto", "min", "max"}, default="auto"
    min_delta : float, default=1e-4
        Smallest change that counts as an improvement.
    cooldown : int, default=0
        Epochs to wait after a reduction before counting again.
    min_lr : float, default=0.0
        The rate is never lowered below this.

    Attributes
    ----------
    reductions : list of (int, float)
        ``(epoch, new rate)`` of each reduction since the fit began (epochs
        counted from 0; continued fits, ``partial_fit`` calls included,
        carry on counting).
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        self._rule = Monitor(monitor, mode, min_delta, owner="ReduceLROnPlateau")
        self.monitor = monitor
        self.factor = check_rate(factor, "ReduceLROnPlateau's factor", 0.0, 1.0, "neither")
        self.patience = check_count(patience, "ReduceLROnPlateau's patience")
        self.verbose = check_verbose(verbose, "ReduceLROnPlateau's verbose")
        self.mode = mode
        self.min_delta = min_delta
        self.cooldown = check_count(cooldown, "ReduceLROnPlateau's cooldown")
        self.min_lr = check_rate(min_lr, "ReduceLROnPlateau's min_lr")
        self._wait = self._cooling = 0
        self.reductions = []

    def on_train_begin(self, logs=None):
        if self.params["initial_epoch"] == 0:       # a fresh fit; continued fits go on
            self._rule = Monitor(self.monitor, self.mode, self.min_delta,
                                 owner="ReduceLROnPlateau")   # as set now
            self._wait, self._cooling, self.reductions = 0, 0, []

    def on_epoch_end(self, epoch, logs=None):
        if self._cooling:
            self._cooling -= 1
            self._wait = 0
        if self._rule.improved(logs):
            self._wait = 0
            return
        if self._cooling:
            return
        self._wait += 1
        optimizer = self.model.optimizer
        if self._wait >= self.patience and optimizer.learning_rate > self.min_lr:
            optimizer.learning_rate = max(optimizer.learning_rate * self.factor, self.min_lr)
            self.reductions.append((epoch, optimizer.learning_rate))
            self._wait, self._cooling = 0, self.cooldown
            if self.verbose:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                      f"{optimizer.learning_rate:g}.", flush=True)
