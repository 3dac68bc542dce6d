"""Learning-rate schedules that work with any optimizer."""

import inspect
import math

import numpy as np

from .base import MAX_STEPS, Callback, Monitor, check_count, check_rate, check_verbose


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
        t = self.trainer.state.t
        try:
            optimizer.learning_rate = optimizer.learning_rate_init / (t + 1) ** self.power_t
        except OverflowError:
            # (t + 1) ** power_t beyond a float: the rate would underflow to zero
            raise ValueError(self.too_large(t)) from None

    def too_large(self, t):
        """The message when ``(t + 1) ** power_t`` overflows a float after ``t`` samples."""
        return (f"InvScaling's power_t={self.power_t!r} is too large: learning_rate_init / "
                f"(t + 1) ** power_t underflows to zero after t={t} samples.")


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
    best : float
        The best value of the monitored quantity so far, as in Keras.
    wait : int
        Epochs without improvement counted towards ``patience`` (Keras's).
    cooldown_counter : int
        Epochs of cooldown left (Keras's).
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
        self.wait = self.cooldown_counter = 0
        self.reductions = []

    def on_train_begin(self, logs=None):
        if self.params["initial_epoch"] == 0:       # a fresh fit; continued fits go on
            self._rule = Monitor(self.monitor, self.mode, self.min_delta,
                                 owner="ReduceLROnPlateau")   # as set now
            self.wait, self.cooldown_counter, self.reductions = 0, 0, []

    def on_epoch_end(self, epoch, logs=None):
        if self.cooldown_counter:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._rule.improved(logs):
            self.wait = 0
            return
        if self.cooldown_counter:
            return
        self.wait += 1
        optimizer = self.model.optimizer
        if self.wait >= self.patience and optimizer.learning_rate > self.min_lr:
            optimizer.learning_rate = max(optimizer.learning_rate * self.factor, self.min_lr)
            self.reductions.append((epoch, optimizer.learning_rate))
            self.wait, self.cooldown_counter = 0, self.cooldown
            if self.verbose:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                      f"{optimizer.learning_rate:g}.", flush=True)

    @property
    def best(self):
        """The best value of the monitored quantity so far (Keras's ``best``)."""
        return self._rule.best_value


class StepSchedule(Callback):
    """Base of the schedules that set the rate before every gradient step.

    A subclass gives :meth:`rate` (and, if it cycles momentum,
    :meth:`momentum`) at step ``s`` of ``total`` steps. The schedule spans
    the steps of one fit, ``epochs x batches per epoch`` (what
    ``max_iter`` or ``epochs`` and the batch size make), unless
    ``total_steps`` says otherwise; past its end the last value holds. Its
    peak rate is ``max_lr``, or the optimizer's initial rate
    (``learning_rate_init``, the ``learning_rate`` the optimizer was made
    with) when ``max_lr`` is None.

    Steps count from 0 when a fresh fit begins and carry on through a
    continued one (``warm_start``, ``partial_fit``), as every callback's
    counts do: pass ``total_steps`` to spread one schedule over several
    calls. The rate is also set at each epoch's start, so the epoch's record
    (``history_``, ``learning_rate``) shows the rate of its first step.

    Parameters
    ----------
    max_lr : float or None
    total_steps : int or None
    """

    def __init__(self, max_lr=None, total_steps=None):
        self.max_lr = None if max_lr is None else check_rate(
            max_lr, f"{type(self).__name__}'s max_lr", closed="neither")
        self.total_steps = None if total_steps is None else check_count(
            total_steps, f"{type(self).__name__}'s total_steps", minimum=1, maximum=MAX_STEPS)
        self._peak, self._total, self._step = self.max_lr, self.total_steps, 0

    def on_train_begin(self, logs=None):
        params = self.params
        if params["initial_epoch"] == 0 or self._peak is None or self._total is None:
            self._peak = (self.model.optimizer.learning_rate_init if self.max_lr is None
                          else self.max_lr)
            self._total = self.total_steps or max(
                1, (params["epochs"] - params["initial_epoch"]) * params["steps"])
            self._step = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._apply(self._step)

    def on_train_batch_begin(self, batch, logs=None):
        self._apply(self._step)
        self._step += 1

    def _apply(self, step):
        optimizer = self.model.optimizer
        optimizer.learning_rate = self.rate(step)
        momentum = self.momentum(step)
        if momentum is not None and hasattr(optimizer, "momentum"):
            optimizer.momentum = momentum

    def _known(self):
        """The peak rate and the length; a RuntimeError while neither a fit nor the
        constructor has given them."""
        if self._peak is None or self._total is None:
            raise RuntimeError(f"{type(self).__name__} knows its peak rate and length once a "
                               "fit begins: give max_lr and total_steps to ask before.")
        return self._peak, self._total

    def rate(self, step):
        """The learning rate of gradient step ``step`` (counted from 0)."""
        raise NotImplementedError

    def momentum(self, step):
        """The momentum of step ``step``, or None to leave the optimizer's alone."""
        return None


def cosine_between(start, end, fraction):
    """``end + (start - end) (1 + cos(pi f)) / 2``: ``start`` at f = 0, ``end`` at f = 1."""
    return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * fraction))


class OneCycle(StepSchedule):
    """Smith's one-cycle policy, step by step: warm up to ``max_lr``, then anneal far below.

    The rate rises from ``max_lr / div_factor`` to ``max_lr`` over the first
    ``pct_start`` of the steps and falls to ``max_lr / (div_factor *
    final_div_factor)`` over the rest, both along half a cosine; the
    momentum (of optimizers that have one: SGD, RMSprop) moves the other
    way, from ``max_momentum`` down to ``base_momentum`` and back (Smith,
    "Super-convergence", 2018; PyTorch's ``OneCycleLR``, whose formulas
    these are). With ``T`` steps and the warm-up ending at step ``w =
    pct_start * T - 1``, step ``s`` runs at::

        s <= w:  cosine_between(max_lr / div_factor, max_lr, s / w)
        s >  w:  cosine_between(max_lr, max_lr / div_factor / final_div_factor,
                                (s - w) / (T - 1 - w))

    with ``cosine_between(a, b, f) = b + (a - b) (1 + cos(pi f)) / 2``, and
    the momentum likewise from ``max_momentum`` to ``base_momentum`` and
    back. Adam's ``beta_1`` is not cycled: its moments are kept unscaled
    for a fixed ``beta_1`` (:class:`~skscratch.optimizers.Adam`).

    Parameters
    ----------
    max_lr : float or None, default=None
        The peak rate; None is the optimizer's initial rate (an estimator's
        ``learning_rate_init``).
    total_steps : int or None, default=None
        None: the gradient steps of the fit (epochs x batches per epoch).
    pct_start : float in (0, 1), default=0.3
        Fraction of the steps spent warming up.
    div_factor : float >= 1, default=25.0
        The first rate is ``max_lr / div_factor``.
    final_div_factor : float >= 1, default=1e4
        The last rate is the first one divided by this.
    cycle_momentum : bool, default=True
        Cycle the momentum of optimizers that have one (SGD, RMSprop; also
        an SGD made without momentum).
    base_momentum, max_momentum : float in [0, 1], default=0.85, 0.95
        The momentum at the peak rate, and at the start and end.

    Examples
    --------
    >>> from skscratch.callbacks import OneCycle
    >>> schedule = OneCycle(max_lr=0.1, total_steps=100)
    >>> round(schedule.rate(0), 4), schedule.rate(29), round(schedule.rate(99), 9)
    (0.004, 0.1, 4e-07)
    """

    def __init__(self, max_lr=None, total_steps=None, pct_start=0.3, div_factor=25.0,
                 final_div_factor=1e4, cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95):
        super().__init__(max_lr, total_steps)
        self.pct_start = check_rate(pct_start, "OneCycle's pct_start", 0.0, 1.0, "neither")
        self.div_factor = check_rate(div_factor, "OneCycle's div_factor", 1.0)
        self.final_div_factor = check_rate(final_div_factor, "OneCycle's final_div_factor", 1.0)
        if not isinstance(cycle_momentum, (bool, np.bool_)):
            raise TypeError(f"OneCycle's cycle_momentum must be True or False; got "
                            f"{cycle_momentum!r}.")
        self.cycle_momentum = bool(cycle_momentum)
        self.base_momentum = check_rate(base_momentum, "OneCycle's base_momentum", 0.0, 1.0,
                                        "both")
        self.max_momentum = check_rate(max_momentum, "OneCycle's max_momentum", 0.0, 1.0,
                                       "both")
        if self.base_momentum > self.max_momentum:
            raise ValueError(f"OneCycle's base_momentum ({base_momentum!r}) may not exceed "
                             f"max_momentum ({max_momentum!r}).")

    def _phase(self, step):
        """``(phase, fraction)``: 0 warming up, 1 annealing; the fraction done of it."""
        total = self._known()[1]
        warm_end = self.pct_start * total - 1.0
        if step <= warm_end:
            return 0, step / warm_end if warm_end > 0 else 1.0
        span = total - 1.0 - warm_end
        return 1, min(1.0, (step - warm_end) / span) if span > 0 else 1.0

    def rate(self, step):
        """The learning rate of step ``step`` (counted from 0): the formula above."""
        peak = self._known()[0]
        first = peak / self.div_factor
        phase, fraction = self._phase(step)
        if phase == 0:
            return cosine_between(first, peak, fraction)
        return cosine_between(peak, first / self.final_div_factor, fraction)

    def momentum(self, step):
        """The momentum of step ``step``, or None when ``cycle_momentum`` is False."""
        if not self.cycle_momentum:
            return None
        phase, fraction = self._phase(step)
        if phase == 0:
            return cosine_between(self.max_momentum, self.base_momentum, fraction)
        return cosine_between(self.base_momentum, self.max_momentum, fraction)


class CosineDecay(StepSchedule):
    """A linear warm-up to ``max_lr``, then half a cosine down to ``alpha * max_lr``, per step.

    With ``T`` steps and ``W = round(warmup * T)`` of them warming up, step
    ``s`` runs at::

        s <  W:  max_lr * (s + 1) / W
        s >= W:  max_lr * (alpha + (1 - alpha) (1 + cos(pi (s - W) / (T - W))) / 2)

    (Loshchilov and Hutter's SGDR without restarts, as Keras's
    ``CosineDecay`` with ``warmup_steps``; the warm-up starts one step above
    zero, so no step is wasted at rate 0).

    Parameters
    ----------
    max_lr : float or None, default=None
        The rate after the warm-up; None is the optimizer's initial rate (an
        estimator's ``learning_rate_init``).
    total_steps : int or None, default=None
        None: the gradient steps of the fit (epochs x batches per epoch).
    warmup : float in [0, 1), default=0.05
        Fraction of the steps spent warming up (0: none).
    alpha : float in [0, 1], default=0.0
        The rate the decay ends at, as a fraction of ``max_lr``.

    Examples
    --------
    >>> from skscratch.callbacks import CosineDecay
    >>> schedule = CosineDecay(max_lr=0.1, total_steps=100, warmup=0.1)
    >>> schedule.rate(0), schedule.rate(9), schedule.rate(55)
    (0.01, 0.1, 0.05)
    """

    def __init__(self, max_lr=None, total_steps=None, warmup=0.05, alpha=0.0):
        super().__init__(max_lr, total_steps)
        self.warmup = check_rate(warmup, "CosineDecay's warmup", 0.0, 1.0, "left")
        self.alpha = check_rate(alpha, "CosineDecay's alpha", 0.0, 1.0, "both")

    def rate(self, step):
        """The learning rate of step ``step`` (counted from 0): the formula above."""
        peak, total = self._known()
        warm = round(self.warmup * total)
        if step < warm:
            return peak * (step + 1) / warm
        fraction = min(1.0, (step - warm) / (total - warm)) if total > warm else 1.0
        return peak * cosine_between(1.0, self.alpha, fraction)
