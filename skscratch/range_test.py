"""The learning-rate range test: one short run over exponentially growing rates.

Smith ("Cyclical Learning Rates for Training Neural Networks", 2017) trains
for a bounded number of steps while the rate grows exponentially from
``min_lr`` to ``max_lr``, and records each step's loss: it falls where the
rate is large enough to learn and shoots up where it is too large. fastai's
``lr_find`` and PyTorch Lightning's ``Tuner.lr_find`` run it the same way.

:class:`RangeTest` is the callback that ramps the rate, records the losses
and stops the run when the loss diverges; :class:`LearningRateRange` is what
it found, with the suggested rate and a plot. :func:`find_learning_rate`
runs it on a copy of a :class:`~skscratch.Network` or
:class:`~skscratch.Model` (what ``model.find_learning_rate`` calls);
:func:`skscratch.model_selection.find_learning_rate` runs the same callback
in a fit of a clone of an estimator or a pipeline.
"""

import copy
import math
import warnings

import numpy as np

from .callbacks import Callback
from .callbacks.base import MAX_STEPS, check_count, check_rate
from .figures import pyplot
from .fitting import fit_model
from .optimizers import Optimizer


class RangeTest(Callback):
    """Raise the rate exponentially step by step, record the losses, stop on divergence.

    Step ``k`` (from 0) runs at ``min_lr * (max_lr / min_lr) ** (k / (steps -
    1))``. After each step the batch loss is recorded, and smoothed by an
    exponential moving average with bias correction (``smoothing`` is its
    decay, as in fastai and Lightning). The run stops after ``steps`` steps,
    or as soon as the smoothed loss exceeds ``divergence`` times its lowest
    value so far or stops being finite: divergence is where the test ends,
    not an error.

    Parameters
    ----------
    min_lr, max_lr : float, default=1e-6, 10.0
        The first and the last rate: positive, finite, ``min_lr < max_lr``.
    steps : int, default=100
        Gradient steps at most (at least 2); they may span several epochs.
    smoothing : float in [0, 1), default=0.98
        Decay of the moving average of the losses (0: no smoothing).
    divergence : float > 1, default=4.0
        The run stops once the smoothed loss exceeds this many times its
        lowest value.

    Attributes
    ----------
    learning_rates, raw_losses, losses : list of float
        Each step's rate, batch loss, and smoothed loss, of the last run.
    diverged : bool
        Whether the last run ended because the loss diverged.
    """

    # a fit the trainer stops with a divergence error is rolled back; what the test
    # recorded up to it is the test's finding
    reports = ("learning_rates", "raw_losses", "losses", "diverged", "_average", "_lowest")

    def __init__(self, min_lr=1e-6, max_lr=10.0, steps=100, smoothing=0.98, divergence=4.0):
        self.min_lr = check_rate(min_lr, "min_lr", closed="neither")
        self.max_lr = check_rate(max_lr, "max_lr", closed="neither")
        if not self.min_lr < self.max_lr:
            raise ValueError(f"min_lr must be below max_lr: the test raises the rate from one to "
                             f"the other; got min_lr={min_lr!r} and max_lr={max_lr!r}.")
        self.steps = check_count(steps, "steps", minimum=2, maximum=MAX_STEPS)
        self.smoothing = check_rate(smoothing, "smoothing", 0.0, 1.0)
        self.divergence = check_rate(divergence, "divergence", 1.0, closed="neither")
        self._reset()

    def _reset(self):
        self.learning_rates, self.raw_losses, self.losses = [], [], []
        self.diverged = False
        self._average, self._lowest = 0.0, math.inf

    def on_train_begin(self, logs=None):
        self._reset()

    def rate(self, step):
        """The rate of step ``step`` (counted from 0)."""
        # min_lr ** (1 - f) * max_lr ** f: each factor lies between its rate and 1, so no
        # range overflows (max_lr / min_lr does past 1e308), and both ends are exact
        fraction = step / (self.steps - 1)
        return self.min_lr ** (1.0 - fraction) * self.max_lr ** fraction

    def on_train_batch_begin(self, batch, logs=None):
        rate = self.rate(len(self.raw_losses))
        self.model.optimizer.learning_rate = rate
        self.learning_rates.append(rate)

    def on_train_batch_end(self, batch, logs=None):
        loss = float(logs["loss"])
        self.raw_losses.append(loss)
        beta, n = self.smoothing, len(self.raw_losses)
        self._average = beta * self._average + (1.0 - beta) * loss
        smoothed = self._average / (1.0 - beta ** n)
        self.losses.append(smoothed)
        if not math.isfinite(smoothed) or 0 < self._lowest < smoothed / self.divergence:
            self.diverged = True
            self.model.stop_training = True
            return
        self._lowest = min(self._lowest, smoothed)
        if n >= self.steps:
            self.model.stop_training = True

    def result(self):
        """The :class:`LearningRateRange` of the last run.

        Raises
        ------
        ValueError
            When the loss was not finite or did not fall once: ``min_lr`` is
            already too large (or the data cannot be trained on).
        """
        steps = len(self.raw_losses)
        found = LearningRateRange(self.learning_rates[:steps], self.raw_losses, self.losses,
                                  self.diverged)
        if found.suggestion_ is None:
            raise ValueError(
                f"The loss never fell in {steps} step(s) from min_lr={self.min_lr:g}"
                f"{' before it diverged' if self.diverged else ''}: no rate of the range "
                "trains. Lower min_lr (and check that the inputs are scaled).")
        return found


def run_range_test(test, fit):
    """Run ``fit()``, a fit with ``test`` among its callbacks; return what it found.

    The trainer's divergence error (a ``FloatingPointError``, or an
    estimator's ``ValueError`` raised from one) ends the test like the
    test's own divergence rule; any other error propagates. RuntimeWarnings
    of overflowing steps are silenced: divergence is the test's business.

    Parameters
    ----------
    test : RangeTest
    fit : callable
        Runs the fit; its result is ignored.

    Returns
    -------
    found : LearningRateRange
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            fit()
        except (FloatingPointError, ValueError) as exc:
            if not isinstance(exc, FloatingPointError) and not isinstance(
                    exc.__cause__, FloatingPointError):
                raise
            test.diverged = True
    return test.result()


def valley(learning_rates, losses):
    """The rate halfway down the longest valley of ``losses`` (fastai's ``valley`` rule).

    The valley is the longest decreasing subsequence of the (smoothed)
    losses: the steps along which the loss keeps falling, noise skipped.
    If it has ``L`` steps and ends at step ``e``, the suggestion is the
    rate of step ``e - L + floor(L / 3) + floor(L / 6)``, a little before
    halfway along it: well inside the rates that learn, and well below
    where the loss turns up. Measured on digits against a grid search (see
    ``docs/learning_rate_finder.md``), it landed in the best region for
    Adam and for SGD over every range and step count tried, where the
    steepest descent and the minimum over ten overshot in some.

    Parameters
    ----------
    learning_rates, losses : array-like of float
        The rate and the smoothed loss of each step; only the finite
        losses before the first non-finite one count.

    Returns
    -------
    rate : float or None
        None when the loss never fell (a valley of fewer than 2 steps).
    """
    losses = np.asarray(losses, dtype=float)
    bad = np.flatnonzero(~np.isfinite(losses))
    losses = losses[:bad[0]] if bad.size else losses
    depth = np.ones(len(losses), dtype=int)    # longest fall ending at each step
    for i in range(1, len(losses)):
        higher = depth[:i][losses[:i] > losses[i]]
        if higher.size:
            depth[i] = higher.max() + 1
    if not len(losses) or depth.max() < 2:
        return None
    end = int(np.argmax(depth))
    length = int(depth[end])
    index = max(0, end - length + length // 3 + length // 6)
    return float(learning_rates[index])


class LearningRateRange:
    """What a learning-rate range test found: rates, losses, a suggested rate, a plot.

    Parameters
    ----------
    learning_rates, raw_losses, losses : list of float
        Each step's rate, batch loss and smoothed loss.
    diverged : bool
        Whether the test ended because the loss diverged.

    Attributes
    ----------
    learning_rates_ : ndarray of shape (n_steps,)
        The rate of each step, growing exponentially.
    losses_ : ndarray of shape (n_steps,)
        The smoothed loss of each step (what the suggestion reads).
    raw_losses_ : ndarray of shape (n_steps,)
        Each step's batch loss (with the L2 penalty, as training reports it).
    suggestion_ : float or None
        The suggested rate: about halfway along the longest valley of the
        smoothed loss (:func:`valley`); None when the loss never fell.
    diverged_ : bool
        Whether the loss diverged before the last step: False means
        ``max_lr`` was reached, and larger rates were not tried.
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    What :func:`skscratch.model_selection.find_learning_rate` and
    ``model.find_learning_rate`` return; made by hand here:

    >>> import numpy as np
    >>> from skscratch.range_test import LearningRateRange
    >>> rates = 10.0 ** np.arange(-6, 5)
    >>> smoothed = [2.3, 2.29, 2.25, 2.1, 1.8, 1.2, 0.8, 0.6, 0.55, 1.5, 4.0]
    >>> found = LearningRateRange(rates, smoothed, smoothed, diverged=True)
    >>> found.suggestion_         # the fall spans steps 0 to 8: 8 - 9 + 3 + 1 = step 3
    0.001
    >>> found.plot()                                          # doctest: +SKIP
    """

    def __init__(self, learning_rates, raw_losses, losses, diverged):
        self.learning_rates_ = np.asarray(learning_rates, dtype=float)
        self.raw_losses_ = np.asarray(raw_losses, dtype=float)
        self.losses_ = np.asarray(losses, dtype=float)
        self.diverged_ = bool(diverged)
        self.suggestion_ = valley(self.learning_rates_, self.losses_)

    def __repr__(self):
        suggestion = "None" if self.suggestion_ is None else f"{self.suggestion_:.3g}"
        return (f"{type(self).__name__}(steps={len(self.losses_)}, suggestion_={suggestion}, "
                f"diverged_={self.diverged_})")

    def plot(self, ax=None, *, name=None):
        """Draw the losses against the rate (log scale), marking the suggestion; returns self.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            A new figure by default.
        name : str, optional
            The title.
        """
        plt = pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(self.learning_rates_, self.raw_losses_, color="C0", alpha=0.3, lw=0.8,
                label="batch loss")
        ax.plot(self.learning_rates_, self.losses_, color="C0", label="smoothed loss")
        if self.suggestion_ is not None:
            at = int(np.argmin(np.abs(self.learning_rates_ - self.suggestion_)))
            ax.scatter([self.suggestion_], [self.losses_[at]], color="C3", zorder=3,
                       label=f"suggestion {self.suggestion_:.2g}")
        ax.set_xscale("log")
        ax.set_ylim(*self._loss_limits())
        ax.set_xlabel("learning rate")
        ax.set_ylabel("training loss")
        if name:
            ax.set_title(name)
        ax.legend(frameon=False)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _loss_limits(self):
        """The losses up to the smoothed loss's lowest point: a diverging tail would
        squash the curve to a line."""
        finite = np.isfinite(self.losses_)
        if not finite.any():
            return 0.0, 1.0
        lowest = int(np.argmin(np.where(finite, self.losses_, np.inf)))
        shown = np.concatenate([self.losses_[:lowest + 1], self.raw_losses_[:lowest + 1]])
        shown = shown[np.isfinite(shown)]
        top, bottom = float(self.losses_[:lowest + 1].max()), float(shown.min())
        pad = 0.05 * (top - bottom) or 0.1 * abs(top) or 1.0
        return bottom - pad, top + 2 * pad


def find_learning_rate(model, x, y, *, min_lr=1e-6, max_lr=10.0, steps=100, smoothing=0.98,
                       divergence=4.0, batch_size=32, loss=None, loss_weights=None,
                       optimizer=None, alpha=0.0, sample_weight=None, shuffle=True,
                       random_state=None):
    """Run the learning-rate range test on a copy of a Network or Model.

    The copy trains as :meth:`~skscratch.Model.fit` would (same loss,
    optimizer, batches and penalty) while :class:`RangeTest` raises the
    rate; ``model`` itself, its weights, compiled optimizer and history,
    are left as they were. A built model is tested from its current
    weights; an unbuilt one is built on the copy (from ``random_state``).

    Parameters
    ----------
    model : Network or Model
    x, y :
        As :meth:`~skscratch.Model.fit` takes them.
    min_lr, max_lr, steps, smoothing, divergence :
        The range test's settings (:class:`RangeTest`).
    batch_size, loss, loss_weights, alpha, sample_weight, shuffle, random_state :
        As :meth:`~skscratch.Model.fit` takes them.
    optimizer : str or Optimizer, optional
        None: a fresh copy of the compiled optimizer, or plain SGD when the
        model is not compiled. An instance is copied, its moments not used.

    Returns
    -------
    found : skscratch.range_test.LearningRateRange
    """
    test = RangeTest(min_lr, max_lr, steps, smoothing, divergence)
    trial = copy.deepcopy(model)
    fresh = _fresh_optimizer(model, optimizer)
    return run_range_test(test, lambda: fit_model(
        trial, x, y, batch_size=batch_size, epochs=test.steps, callbacks=[test],
        shuffle=shuffle, sample_weight=sample_weight, loss=loss, loss_weights=loss_weights,
        optimizer=fresh, learning_rate=min_lr if isinstance(fresh, str) else None,
        alpha=alpha, random_state=random_state))


def _fresh_optimizer(model, optimizer):
    """An optimizer with no history: a name, or a new instance of the given (or compiled) one."""
    if optimizer is None:
        compiled = getattr(model, "compiled", None)
        optimizer = "sgd" if compiled is None else compiled.optimizer
    if isinstance(optimizer, Optimizer):
        return type(optimizer)(**optimizer.get_config())
    return optimizer
