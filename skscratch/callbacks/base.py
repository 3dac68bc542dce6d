"""The `Callback` contract and how the training loop notifies callbacks."""

import inspect

import numpy as np


class Callback:
    """Base class of training callbacks: hooks the loop calls, all optional.

    Every hook receives the :class:`~skscratch.Trainer` running the fit
    (``trainer.network``, ``trainer.optimizer``, ``trainer.state`` with the
    history so far, and ``trainer.owner``: the estimator or model being
    fitted) and a record of what just happened. Override the ones you need;
    a callback that does not override :meth:`on_batch_end` costs nothing per
    batch.

    Callbacks reset what they track in :meth:`on_train_begin` when a fresh
    fit begins (``trainer.state.n_iter == 0``), so one object serves every
    fit of a grid search or cross-validation (``clone`` copies it) and keeps,
    after a fit, what it saw during that fit; a continued fit (``warm_start``,
    ``partial_fit``) carries on.

    Examples
    --------
    >>> from skscratch.callbacks import Callback
    >>> class StopBelow(Callback):
    ...     def __init__(self, loss):
    ...         self.loss = loss
    ...     def on_epoch_end(self, trainer, record):
    ...         return record["loss"] < self.loss      # True stops training
    """

    def on_train_begin(self, trainer, record):
        """Before the first epoch of a fit; ``record`` is ``{"epoch": next epoch}``."""

    def on_epoch_begin(self, trainer, record):
        """Before each epoch; ``record`` is ``{"epoch": its number}`` (from 1)."""

    def on_batch_end(self, trainer, record):
        """After each gradient step: ``{"epoch", "batch", "size", "loss"}``."""

    def on_epoch_end(self, trainer, record):
        """After each epoch, with its history record.

        Parameters
        ----------
        trainer : Trainer
        record : dict
            ``epoch``, ``loss`` (and each output's), ``validation_score``,
            ``learning_rate``, ``seconds`` and any validation losses.

        Returns
        -------
        stop : bool or None
            True stops training after this epoch.
        """

    def on_train_end(self, trainer, record):
        """After the last epoch (also after an interruption); ``record`` is the last one."""

    def __repr__(self):
        names = [n for n in inspect.signature(type(self).__init__).parameters if n != "self"]
        args = ", ".join(f"{n}={getattr(self, n)!r}" for n in names if hasattr(self, n))
        return f"{type(self).__name__}({args})"


class FunctionCallback(Callback):
    """A plain function as a callback: ``function(owner, record) -> bool`` per epoch.

    ``owner`` is the estimator (or model) being fitted, with its fitted
    attributes up to date; a true return value stops training.

    Parameters
    ----------
    function : callable
    """

    def __init__(self, function):
        self.function = function

    def on_epoch_end(self, trainer, record):
        return bool(self.function(trainer.owner, record))


def as_callbacks(items, name="callbacks"):
    """``items`` as a list of Callback objects; plain callables are wrapped.

    Parameters
    ----------
    items : None or sequence of Callback or callable
    name : str, default="callbacks"
        For the error message.

    Returns
    -------
    callbacks : list of Callback

    Raises
    ------
    TypeError
        When an item is neither a Callback nor callable (checked before training).
    """
    callbacks = []
    for item in items or ():
        if isinstance(item, Callback):
            callbacks.append(item)
        elif callable(item):
            callbacks.append(FunctionCallback(item))
        else:
            raise TypeError(f"{name} must hold skscratch.callbacks.Callback objects or "
                            f"functions f(estimator, record) -> bool; got {item!r}.")
    return callbacks


class CallbackList:
    """Notify callbacks in order; only those overriding ``on_batch_end`` see batches.

    Parameters
    ----------
    callbacks : list of Callback
    """

    def __init__(self, callbacks):
        self.callbacks = list(callbacks)
        self.batch_callbacks = [c for c in self.callbacks
                                if type(c).on_batch_end is not Callback.on_batch_end]

    def train_begin(self, trainer, record):
        """Call every ``on_train_begin``."""
        for c in self.callbacks:
            c.on_train_begin(trainer, record)

    def epoch_begin(self, trainer, record):
        """Call every ``on_epoch_begin``."""
        for c in self.callbacks:
            c.on_epoch_begin(trainer, record)

    def batch_end(self, trainer, record):
        """Call ``on_batch_end`` of the callbacks that have one."""
        for c in self.batch_callbacks:
            c.on_batch_end(trainer, record)

    def epoch_end(self, trainer, record):
        """Call every ``on_epoch_end`` (all of them); True if any asks to stop."""
        return any([bool(c.on_epoch_end(trainer, record)) for c in self.callbacks])

    def train_end(self, trainer, record):
        """Call every ``on_train_end``, even after one fails (then re-raise the first error).

        Each callback gets to close its files and put back its weights.
        """
        error = None
        for c in self.callbacks:
            try:
                c.on_train_end(trainer, record)
            except BaseException as exc:       # noqa: PERF203 - every callback must end
                error = error or exc
        if error is not None:
            raise error


class Monitor:
    """Whether a monitored quantity improved: the rule the stopping callbacks share.

    Parameters
    ----------
    monitor : str
        A key of the epoch records (``"loss"``, ``"validation_score"``,
        ``"val_loss"``, ...).
    mode : {"auto", "min", "max"}, default="auto"
        "auto" is "max" for names with "score" or "acc" (accuracy), "min"
        for anything else (losses).
    min_delta : float, default=0.0
        Smallest change that counts as an improvement.
    """

    def __init__(self, monitor, mode="auto", min_delta=0.0):
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max'; got {mode!r}.")
        if not min_delta >= 0:
            raise ValueError(f"min_delta must be non-negative; got {min_delta!r}.")
        self.monitor, self.min_delta = monitor, float(min_delta)
        higher = any(word in monitor for word in ("score", "acc"))
        self.sign = 1.0 if mode == "max" or (mode == "auto" and higher) else -1.0
        self.best = -np.inf

    def reset(self):
        """Forget the best value (a new fit starts)."""
        self.best = -np.inf

    def value(self, record):
        """The monitored value of ``record``; ValueError naming the keys if it is absent."""
        value = record.get(self.monitor)
        if value is None:
            present = sorted(k for k, v in record.items() if v is not None)
            raise ValueError(f"{self.monitor!r} is not recorded by this fit (records have "
                             f"{present}); 'validation_score' needs early_stopping=True on "
                             "an estimator, 'val_loss' needs validation_data.")
        return float(value)

    def improved(self, record):
        """True (and remember the value) when ``record`` beats the best by ``min_delta``."""
        signed = self.sign * self.value(record)
        if signed > self.best + self.min_delta:
            self.best = signed
            return True
        return False
