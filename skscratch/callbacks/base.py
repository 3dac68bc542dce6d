"""The `Callback` contract (Keras's), how the loop notifies callbacks, what they share.

Besides the contract: the settings checks callbacks and fits make where a
setting is written, the rule of the monitoring callbacks (:class:`Monitor`),
and warnings that point at the user's line (:func:`warn`), whatever called
skscratch on the way. A fixed ``stacklevel`` names the right line for one
call path only (``fit`` directly, through a ``Pipeline``, a grid search,
cross-validation, ``partial_fit``, or a callback inside the training loop),
so :func:`warn` walks the stack past skscratch's frames and those of the
libraries that call estimators on the user's behalf
(:data:`INTERNAL_PACKAGES`), to the user's script or module: the location
``warnings`` shows, and the module ``filterwarnings(module=...)`` matches.
"""

import inspect
import numbers
import os
import sys
import warnings

import numpy as np

# packages whose frames stand between the user's call and the warning
INTERNAL_PACKAGES = ("skscratch", "sklearn", "joblib", "skops", "functools", "contextlib")
# where a worker process or thread starts: a stack that reaches them through
# internal frames holds no line of the user's
WORKER_PACKAGES = ("multiprocessing", "concurrent", "threading")


def _in(frame, packages):
    name = frame.f_globals.get("__name__") or ""
    return any(name == package or name.startswith(package + ".") for package in packages)


def _internal(frame):
    return _in(frame, INTERNAL_PACKAGES)


def caller_stacklevel():
    """The ``stacklevel`` of the first frame outside :data:`INTERNAL_PACKAGES`.

    Counted from the function calling this one, as ``warnings.warn`` counts
    it when that function calls it. In a worker of a parallel search (the
    internal frames lead to a process or thread start, or to the outermost
    frame) no line is the user's: the first frame outside skscratch, the
    library line that called it (scikit-learn's, as its own MLP's warnings
    name scikit-learn's lines, so filters by module work alike in workers).

    Returns
    -------
    stacklevel : int
    """
    frame, level, caller = sys._getframe(1), 1, None
    while frame.f_back is not None and _internal(frame):
        if caller is None and not _in(frame, ("skscratch",)):
            caller = level
        frame, level = frame.f_back, level + 1
    if caller is not None and (_internal(frame) or _in(frame, WORKER_PACKAGES)):
        return caller
    return level


def warn(message, category=UserWarning):
    """``warnings.warn(message, category)`` located at the user's line.

    Parameters
    ----------
    message : str
    category : type of Warning, default=UserWarning
    """
    warnings.warn(message, category, stacklevel=caller_stacklevel())


class Callback:
    """Base class of training callbacks: Keras's hooks, all optional.

    The training loop sets three attributes before the first hook:

    - ``self.model``: the :class:`~skscratch.Network` or :class:`~skscratch.Model`
      being trained (an estimator's ``network_``), with ``model.optimizer``
      and ``model.stop_training``: set it to True to stop after the current
      batch or epoch, as in Keras.
    - ``self.params``: ``epochs`` (the last epoch index plus one),
      ``initial_epoch`` (epochs run before this fit: a continued fit, such
      as ``warm_start`` or ``partial_fit``, starts above 0), ``steps``
      (batches per epoch), ``samples``, ``batch_size`` and ``verbose``.
    - ``self.trainer``: the :class:`~skscratch.Trainer` running the fit, for
      what Keras has no name for: ``trainer.state`` (epochs run, samples
      seen, the history so far) and ``trainer.owner`` (the estimator, or
      the model, that ``fit`` was called on); set during a fit only.

    Epochs are counted from 0, as in Keras; ``logs`` is the epoch's record
    (``loss``, each metric, ``val_loss`` and the validation metrics, plus
    ``epoch`` counted from 1, ``learning_rate`` and ``seconds``), the same
    dict the history keeps, so a callback may add entries to it. A callback
    that overrides no batch hook costs nothing per batch.

    Callbacks reset what they track in :meth:`on_train_begin` when a fresh
    fit begins (``self.params["initial_epoch"] == 0``), so one object serves
    every fit of a grid search or cross-validation (``clone`` copies it) and
    keeps, after a fit, what it saw during that fit; a continued fit
    carries on.

    A failed or interrupted fit puts the callbacks' attributes back as they
    were before it, with the model's (:mod:`skscratch.rollback`), but for the
    names in :attr:`reports`: what the callback measured about the call
    itself, which the failure does not make untrue (a range test's losses up
    to the divergence), stays as the call left it.

    Attributes
    ----------
    reports : tuple of str
        Attribute names a rollback leaves as the failed call left them;
        empty by default.

    Examples
    --------
    >>> from skscratch.callbacks import Callback
    >>> class PrintValTrainRatio(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"Epoch={epoch}, val/train={logs['val_loss'] / logs['loss']:.2f}")
    >>> class StopBelow(Callback):
    ...     def __init__(self, loss):
    ...         self.loss = loss
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         if logs["loss"] < self.loss:
    ...             self.model.stop_training = True
    """

    model = None
    params = None
    trainer = None
    reports = ()

    def set_model(self, model):
        """Keras's hook: the model being trained becomes ``self.model``."""
        self.model = model

    def set_params(self, params):
        """Keras's hook: the fit's settings become ``self.params``."""
        self.params = params

    def on_train_begin(self, logs=None):
        """Before the first epoch of a fit."""

    def on_train_end(self, logs=None):
        """After the last epoch (also after an error or Ctrl-C); ``logs`` is the last record."""

    def on_epoch_begin(self, epoch, logs=None):
        """Before each epoch (``epoch`` counted from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """After each epoch, with its record as ``logs``."""

    def on_train_batch_begin(self, batch, logs=None):
        """Before each gradient step (``batch`` counted from 0 within the epoch)."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        """After each gradient step; ``logs`` holds the batch's ``loss`` and ``size``."""
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None):
        """Keras's older name of :meth:`on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Keras's older name of :meth:`on_train_batch_end`."""

    def __getstate__(self):
        # what a fit lent the callback is not the callback: clones and pickles drop it
        return {k: v for k, v in self.__dict__.items() if k not in ("model", "trainer")}

    def __repr__(self):
        names = [n for n in inspect.signature(type(self).__init__).parameters
                 if n not in ("self", "args", "kwargs")]
        # the settings the object holds: a LambdaCallback's hooks it was not given are its
        # class's methods, whose repr is this one's (an endless recursion)
        args = ", ".join(f"{n}={vars(self)[n]!r}" for n in names if n in vars(self))
        return f"{type(self).__name__}({args})"


BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")


def overrides(callback, hook):
    """Whether ``callback`` has its own ``hook`` (its class's, or a LambdaCallback's function)."""
    return hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook)


def listens_to_batches(callback):
    """Whether ``callback`` overrides any batch hook (else the loop skips it per batch)."""
    return any(overrides(callback, hook) for hook in BATCH_HOOKS)


class FunctionCallback(Callback):
    """A plain function as a callback: ``function(owner, logs) -> bool`` after each epoch.

    ``owner`` is the estimator (or model) being fitted, with its fitted
    attributes up to date; a true return value stops training.

    Parameters
    ----------
    function : callable
    """

    def __init__(self, function):
        if not callable(function):
            raise TypeError(f"FunctionCallback takes a function f(owner, logs) -> bool; got "
                            f"{function!r}.")
        self.function = function

    def on_epoch_end(self, epoch, logs=None):
        if self.function(self.trainer.owner, logs):
            self.model.stop_training = True


class LambdaCallback(Callback):
    """Keras's ``LambdaCallback``: hooks given as functions.

    Parameters
    ----------
    on_epoch_begin, on_epoch_end : callable, optional
        ``f(epoch, logs)``.
    on_train_batch_begin, on_train_batch_end : callable, optional
        ``f(batch, logs)``.
    on_train_begin, on_train_end : callable, optional
        ``f(logs)``.

    Examples
    --------
    >>> from skscratch.callbacks import LambdaCallback
    >>> losses = []
    >>> keep = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_batch_begin=None,
                 on_train_batch_end=None, on_train_begin=None, on_train_end=None):
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end)
        for name, function in hooks.items():
            if function is not None and not callable(function):
                raise TypeError(f"LambdaCallback's {name} must be callable; got {function!r}.")
            if function is not None:
                setattr(self, name, function)


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
    if isinstance(items, Callback):
        raise TypeError(f"{name} must be a list of callbacks; got the single callback "
                        f"{items!r}: wrap it in a list.")
    if items is not None and not isinstance(items, (list, tuple)):
        # a number or a string would fail as "not iterable", or (0) pass as no callbacks
        raise TypeError(f"{name} must be a list of callbacks or None; got {items!r}.")
    callbacks = []
    for item in items or ():
        if isinstance(item, Callback):
            callbacks.append(item)
        elif callable(item):
            callbacks.append(FunctionCallback(item))
        else:
            # the type too: a History (Keras's is a callback; this one is the dict fit
            # returns) would show only as "{}"
            raise TypeError(f"{name} must hold skscratch.callbacks.Callback objects or "
                            f"functions f(estimator, logs) -> bool; got {item!r} (a "
                            f"{type(item).__name__}).")
    return callbacks


class CallbackList:
    """Notify callbacks in order; only those overriding a batch hook see batches.

    Parameters
    ----------
    callbacks : list of Callback
    model : Network or Model
        The model being trained: each callback's ``model``.
    params : dict
        Each callback's ``params``.
    trainer : Trainer
        Each callback's ``trainer``.
    """

    def __init__(self, callbacks, model=None, params=None, trainer=None):
        self.callbacks = list(callbacks)
        self.batch_callbacks = [c for c in self.callbacks if listens_to_batches(c)]
        self.started = []
        for c in self.callbacks:
            c.trainer = trainer
            c.set_model(model)
            c.set_params(dict(params or {}))

    def train_begin(self, logs=None):
        """Call every ``on_train_begin``; only those that ran are ended by :meth:`train_end`."""
        for c in self.callbacks:
            c.on_train_begin(logs)
            self.started.append(c)

    def epoch_begin(self, epoch, logs=None):
        """Call every ``on_epoch_begin``."""
        for c in self.callbacks:
            c.on_epoch_begin(epoch, logs)

    def batch_begin(self, batch, logs=None):
        """Call ``on_train_batch_begin`` of the callbacks that listen to batches."""
        for c in self.batch_callbacks:
            c.on_train_batch_begin(batch, logs)

    def batch_end(self, batch, logs=None):
        """Call ``on_train_batch_end`` of the callbacks that listen to batches."""
        for c in self.batch_callbacks:
            c.on_train_batch_end(batch, logs)

    def epoch_end(self, epoch, logs=None):
        """Call every ``on_epoch_end``."""
        for c in self.callbacks:
            c.on_epoch_end(epoch, logs)

    def train_end(self, logs=None, failure=None):
        """Call ``on_train_end`` of every callback that began, even after one fails.

        Each gets to close its files and put back its weights. Ending a fit
        that failed (``failure``, the exception), an error of a callback's
        ``on_train_end`` is added to ``failure`` as a note: the error that
        stopped the fit is the one raised. Otherwise the first such error is
        raised after all of them ran.
        """
        error = None
        for c in self.started:
            try:
                c.on_train_end(logs)
            except BaseException as exc:       # noqa: PERF203 - every callback must end
                error = error or exc
                if failure is not None:
                    failure.add_note(f"{type(c).__name__}.on_train_end then failed too: "
                                     f"{exc!r}")
        self.started = []
        for c in self.callbacks:       # the trainer (and its buffers) is not kept past the fit
            c.trainer = None
        if error is not None and failure is None:
            raise error


# a monitored validation quantity that is absent falls back to its training version
FALLBACKS = {"validation_score": "loss"}


class Monitor:
    """Whether a monitored quantity improved: the rule the stopping callbacks share.

    Parameters
    ----------
    monitor : str
        A key of the epoch records (``"val_loss"``, ``"loss"``,
        ``"validation_score"``, ``"val_accuracy"``, ...).
    mode : {"auto", "min", "max"}, default="auto"
        "auto" is "max" for names with "score" or "acc" (accuracy), "min"
        for anything else (losses).
    min_delta : float, default=0.0
        Smallest change that counts as an improvement.
    owner : str, default="Monitor"
        The callback's name, for the fallback warning.

    Notes
    -----
    A validation quantity absent from the records (no ``validation_data``,
    no ``early_stopping``) falls back to its training version (``val_loss``
    to ``loss``, ``validation_score`` to ``loss``), as scikit-learn's
    ``n_iter_no_change`` watches the training loss without a validation
    set; one warning says so per fit.
    """

    def __init__(self, monitor, mode="auto", min_delta=0.0, owner="Monitor"):
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"monitor must be the name of a logged quantity (a string such as "
                            f"'val_loss'); got {monitor!r}.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max'; got {mode!r}.")
        self.min_delta = check_rate(min_delta, f"{owner}'s min_delta")
        self.monitor, self.mode = monitor, mode
        self.owner = owner
        self.reset()

    def reset(self):
        """Forget the best value and the key watched (a new fit starts)."""
        self.best = -np.inf
        self.key = None
        self.sign = self._sign(self.monitor)

    def _sign(self, key):
        higher = any(word in key for word in ("score", "acc"))
        return 1.0 if self.mode == "max" or (self.mode == "auto" and higher) else -1.0

    def value(self, logs):
        """The monitored value of ``logs``; ValueError naming the keys if it is absent."""
        if self.key is None:
            self.key = self._key(logs)
        value = logs.get(self.key)
        if value is None:
            raise ValueError(f"{self.owner} monitors {self.key!r}, which this epoch did not "
                             f"record (it has {_present(logs)}).")
        return float(value)

    def _key(self, logs):
        """The key to watch in this fit: the monitor, or its training fallback (one warning)."""
        if logs.get(self.monitor) is not None:
            return self.monitor
        fallback = FALLBACKS.get(self.monitor) or (
            self.monitor[4:] if self.monitor.startswith("val_") else None)
        if fallback is None or logs.get(fallback) is None:
            raise ValueError(
                f"{self.owner} monitors {self.monitor!r}, which this fit does not record (it "
                f"records {_present(logs)}); 'val_*' needs validation_data (or "
                "early_stopping=True on an estimator).")
        warn(f"{self.owner} monitors {self.monitor!r}, which this fit does not record (no "
             f"validation data): it watches {fallback!r} instead.")
        self.sign = self._sign(fallback)
        return fallback

    @property
    def best_value(self):
        """The best value so far in the quantity's own terms (``inf`` or ``-inf`` before one)."""
        return self.sign * self.best

    def beats(self, reference):
        """Whether the best value so far beats ``reference`` (a value of the quantity)."""
        return self.best > self.sign * reference + self.min_delta

    def improved(self, logs):
        """True (and remember the value) when ``logs`` beats the best by ``min_delta``."""
        signed = self.sign * self.value(logs)
        if signed > self.best + self.min_delta:
            self.best = signed
            return True
        return False


def _present(logs):
    return sorted(k for k, v in logs.items() if v is not None)


def check_count(value, name, minimum=0, maximum=None):
    """``value`` as an int when it is an integer >= ``minimum`` (not a bool); else an error.

    Callbacks check their settings in the constructor, so a bad one fails
    where it is written, not epochs into training. ``maximum`` bounds a
    count that enters float arithmetic (a schedule's length: ``10**400``
    steps cannot be turned into a float).
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value!r}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}; got an integer of "
                         f"{len(str(value))} digits.")
    return int(value)


# the most steps a schedule or a range test spans: its step counts enter float arithmetic
MAX_STEPS = 2**53


def check_rate(value, name, low=0.0, high=np.inf, closed="left", must=None):
    """``value`` as a float in the interval (``low``, ``high``) closed as said; else an error.

    The one number check of settings, where they are written: callbacks,
    optimizers, layers and fits. ``must`` words the interval in the messages
    ("be positive and finite") instead of writing it out.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {value!r}.")
    try:
        number = float(value)
    except OverflowError:       # an int beyond float64's range
        if must is not None:
            raise ValueError(f"{name} must {must}; got an integer of "
                             f"{len(str(abs(value)))} digits.") from None
        raise ValueError(f"{name} must be a number a float can hold; got an integer of "
                         f"{len(str(abs(value)))} digits.") from None
    above = number >= low if closed in ("left", "both") else number > low
    below = number <= high if closed in ("right", "both") else number < high
    if not (above and below):
        must = must or (f"lie in {'[' if closed in ('left', 'both') else '('}{low:g}, "
                        f"{high:g}{']' if closed in ('right', 'both') else ')'}")
        raise ValueError(f"{name} must {must}; got {value!r}.")
    return number


def check_flag(value, name):
    """``value`` as a bool when it is one (NumPy's too); else TypeError.

    ``bool("no")`` is True: a string or a number given for a switch is
    refused, not read as on.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def check_verbose(value, name):
    """``value`` as an int when it is a verbosity, an integer >= 0 or a bool; else an error."""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    return check_count(value, name)


def check_keras_verbose(value, name):
    """Keras's ``verbose``: 0, 1, 2, or ``"auto"`` (1); True and False count as 1 and 0.

    Parameters
    ----------
    value : int, bool or "auto"
    name : str
        What the value is, for the error messages.

    Returns
    -------
    verbose : int
        0, 1 or 2.
    """
    if isinstance(value, str):
        if value == "auto":
            return 1
        raise TypeError(f"{name} must be 0, 1, 2 or 'auto' (Keras's); got {value!r}.")
    value = check_verbose(value, name)
    if value > 2:
        raise ValueError(f"{name} must be 0, 1, 2 or 'auto' (Keras's); got {value!r}.")
    return value


def trainer_verbosity(value, name):
    """Keras's ``fit(verbose=...)`` as the `Trainer`'s ``verbose``.

    Keras's 1 (and "auto") draws a progress bar within each epoch and ends
    the epoch with its line, which is the Trainer's 2 (the estimators'
    ``verbose``, scikit-learn's, prints lines from 1); Keras's 2 prints the
    line alone, the Trainer's 1.

    Parameters
    ----------
    value : int, bool or "auto"
        Keras's verbosity, checked by :func:`check_keras_verbose`.
    name : str
        What the value is, for the error messages.

    Returns
    -------
    verbose : int
        0, 1 or 2, for `Trainer`.
    """
    return (0, 2, 1)[check_keras_verbose(value, name)]


def check_path(value, name):
    """``value`` when it is a path (a string or path-like); else TypeError."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (a string or path-like); got {value!r}.")
    return value
