"""Learning-rate schedules that work with any optimizer."""

import inspect

from .base import Callback, Monitor


class LearningRateScheduler(Callback):
    """Set the learning rate before each epoch from a schedule.

    Parameters
    ----------
    schedule : callable
        ``schedule(epoch) -> rate`` or, as in Keras, ``schedule(epoch, rate)
        -> rate``, with ``epoch`` counted from 0 and ``rate`` the current one.
        Use a module-level function (or a picklable object) so the estimator
        can be cloned and pickled.

    Examples
    --------
    >>> from skscratch.callbacks import LearningRateScheduler
    >>> def halve_every_10(epoch, rate):
    ...     return rate / 2 if epoch and epoch % 10 == 0 else rate
    >>> scheduler = LearningRateScheduler(halve_every_10)
    """

    def __init__(self, schedule):
        if not callable(schedule):
            raise TypeError(f"schedule must be callable; got {schedule!r}.")
        self.schedule = schedule

    def on_train_begin(self, trainer, record):
        # schedule(epoch, rate) when it has two parameters without defaults
        required = [p for p in inspect.signature(self.schedule).parameters.values()
                    if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        self._takes_rate = len(required) >= 2

    def on_epoch_begin(self, trainer, record):
        epoch, rate = record["epoch"] - 1, trainer.optimizer.learning_rate
        new = self.schedule(epoch, rate) if self._takes_rate else self.schedule(epoch)
        if not new > 0:
            raise ValueError(f"The schedule gave learning rate {new!r} at epoch {epoch}; "
                             "rates must be positive.")
        trainer.optimizer.learning_rate = float(new)


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
        self.power_t = power_t

    def on_epoch_begin(self, trainer, record):
        optimizer = trainer.optimizer
        if not optimizer.started:          # a fresh optimizer (a warm_start fit too)
            optimizer.learning_rate = optimizer.learning_rate_init
            return
        optimizer.learning_rate = (optimizer.learning_rate_init
                                   / (trainer.state.t + 1) ** self.power_t)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when the monitored quantity stalls.

    Parameters
    ----------
    monitor : str, default="loss"
        A key of the epoch records.
    factor : float in (0, 1), default=0.1
    patience : int, default=10
        Epochs without improvement before the rate is lowered.
    min_delta : float, default=1e-4
        Smallest change that counts as an improvement.
    min_lr : float, default=0.0
        The rate is never lowered below this.
    mode : {"auto", "min", "max"}, default="auto"

    Attributes
    ----------
    reductions : list of (int, float)
        ``(epoch, new rate)`` of each reduction since the fit began (continued
        fits, ``partial_fit`` calls included, carry on counting).
    """

    def __init__(self, monitor="loss", factor=0.1, patience=10, min_delta=1e-4, min_lr=0.0,
                 mode="auto"):
        if not 0 < factor < 1:
            raise ValueError(f"factor must be in (0, 1); got {factor!r}.")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.min_delta = min_delta
        self.min_lr = min_lr
        self.mode = mode
        self._rule = Monitor(monitor, mode, min_delta)
        self._wait = 0
        self.reductions = []

    def on_train_begin(self, trainer, record):
        if trainer.state.n_iter == 0:        # a fresh fit; warm_start/partial_fit continue
            self._rule = Monitor(self.monitor, self.mode, self.min_delta)   # as set now
            self._wait, self.reductions = 0, []

    def on_epoch_end(self, trainer, record):
        if self._rule.improved(record):
            self._wait = 0
            return False
        self._wait += 1
        optimizer = trainer.optimizer
        if self._wait >= self.patience and optimizer.learning_rate > self.min_lr:
            optimizer.learning_rate = max(optimizer.learning_rate * self.factor, self.min_lr)
            self.reductions.append((record["epoch"], optimizer.learning_rate))
            self._wait = 0
        return False
