"""Choosing a learning rate in one short run: the range test for estimators and pipelines.

:func:`find_learning_rate` runs the learning-rate range test
(:mod:`skscratch.range_test`) on a clone of any skscratch estimator, or of a
scikit-learn ``Pipeline`` ending in one: the preprocessing is fitted as
``fit`` fits it, then the final estimator's network trains while the rate
grows exponentially, until the loss diverges or the steps run out. The
estimator passed in is not changed. A ``Network`` or ``Model`` is handed to
its own :meth:`~skscratch.Model.find_learning_rate`, which runs the same test.
"""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline

from .container import Container
from .estimators import ConvNetFromScratch, MLPFromScratch, NetworkEstimator
from .range_test import RangeTest, run_range_test

ESTIMATORS = (MLPFromScratch, ConvNetFromScratch, NetworkEstimator)
# NetworkEstimator.fit's Keras options that would cut the test short, stop it or make it print
TEST_FIT_OPTIONS = ("epochs", "callbacks", "verbose")


def find_learning_rate(estimator, X, y, *, min_lr=1e-6, max_lr=10.0, steps=100,
                       smoothing=0.98, divergence=4.0, random_state=None, **fit_params):
    """Find a learning rate with one short run instead of a grid (Smith's range test).

    A clone of ``estimator`` is fitted with the rate raised exponentially,
    step by step, from ``min_lr`` to ``max_lr``; the batch losses are
    recorded and smoothed, and the run stops after ``steps`` gradient steps
    or as soon as the smoothed loss exceeds ``divergence`` times its lowest
    value (divergence ends the test; it raises nothing and warns nothing).
    The suggested rate lies about halfway along the longest valley of the
    smoothed loss (:func:`skscratch.range_test.valley`), meant for
    ``learning_rate_init``.

    The clone trains as its ``fit`` would (solver, batch size, ``alpha``,
    network), from a fresh network, except for what the test needs: its
    rate is the test's (``learning_rate="constant"``), it runs until the
    test stops it (``max_iter=steps``, ``n_iter_no_change=inf``), on all of
    ``X`` (``early_stopping=False``), without the estimator's own
    ``callbacks`` and quietly.

    Parameters
    ----------
    estimator : estimator, Pipeline, Network or Model
        :class:`~skscratch.MLPFromScratch`,
        :class:`~skscratch.ConvNetFromScratch`,
        :class:`~skscratch.NetworkEstimator` (or a subclass), a
        ``Pipeline`` whose last step is one (nested pipelines too), or a
        :class:`~skscratch.Network`/:class:`~skscratch.Model`.
    X, y : array-like
        The training data, as ``fit`` takes it.
    min_lr, max_lr : float, default=1e-6, 10.0
        The first and last rate tried: positive, finite, ``min_lr < max_lr``.
    steps : int, default=100
        Gradient steps at most.
    smoothing : float in [0, 1), default=0.98
        Decay of the exponential moving average of the losses.
    divergence : float > 1, default=4.0
        Stop once the smoothed loss exceeds this many times its lowest.
    random_state : int, RandomState instance or None, default=None
        Sets the final estimator's ``random_state`` (the initial weights
        and the batches) for the test; None keeps the estimator's own. An
        int makes the test reproducible.
    **fit_params
        Passed to ``fit`` (``sample_weight``; ``mlp__sample_weight`` for a
        pipeline; a NetworkEstimator's ``batch_size`` and ``validation_data``,
        not ``epochs``, ``callbacks`` or ``verbose``, which the test sets).
        For a Network or Model: :meth:`~skscratch.Model.fit`'s arguments
        (``batch_size``, ``loss``, ``optimizer``, ...).

    Returns
    -------
    found : skscratch.range_test.LearningRateRange
        ``learning_rates_``, ``losses_`` (smoothed), ``raw_losses_``,
        ``suggestion_``, ``diverged_`` and ``plot(ax=None)``.

    Raises
    ------
    ValueError
        For a bad range (``min_lr >= max_lr``, a rate that is not positive
        and finite), or when the loss never fell: ``min_lr`` is too large.
    TypeError
        For an estimator that is not a skscratch estimator, a pipeline
        ending in one, or a network or model; for a fit parameter
        ``epochs``, ``callbacks`` or ``verbose`` of the final estimator.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skscratch import MLPFromScratch
    >>> from skscratch.model_selection import find_learning_rate
    >>> X, y = load_digits(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), MLPFromScratch((64,), solver="sgd"))
    >>> found = find_learning_rate(model, X, y, random_state=0)
    >>> model.set_params(mlpfromscratch__learning_rate_init=found.suggestion_)
    ... # doctest: +ELLIPSIS
    Pipeline(...)
    """
    if isinstance(estimator, Container):
        return estimator.find_learning_rate(
            X, y, min_lr=min_lr, max_lr=max_lr, steps=steps, smoothing=smoothing,
            divergence=divergence, random_state=random_state, **fit_params)
    test = RangeTest(min_lr, max_lr, steps, smoothing, divergence)
    trial = clone(estimator)
    prefix = _final_step_prefix(trial)
    owned = sorted(prefix + name for name in TEST_FIT_OPTIONS if prefix + name in fit_params)
    if owned:
        raise TypeError(f"find_learning_rate sets the length, callbacks and output of the "
                        f"final estimator's fit itself; got {owned} among the fit "
                        f"parameters. Use steps= for the length.")
    settings = {"callbacks": [test], "learning_rate": "constant", "learning_rate_init": min_lr,
                "max_iter": test.steps, "n_iter_no_change": np.inf, "early_stopping": False,
                "warm_start": False, "verbose": 0}
    if random_state is not None:
        settings["random_state"] = random_state
    trial.set_params(**{prefix + name: value for name, value in settings.items()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return run_range_test(test, lambda: trial.fit(X, y, **fit_params))


def _final_step_prefix(estimator):
    """``"step__"`` prefixes down to the final skscratch estimator of nested pipelines.

    Raises
    ------
    TypeError
        When the final estimator is not a skscratch estimator.
    """
    prefix, final = "", estimator
    while isinstance(final, Pipeline):
        name, final = final.steps[-1]
        prefix += f"{name}__"
    if not isinstance(final, ESTIMATORS):
        raise TypeError(
            "find_learning_rate takes a skscratch estimator (MLPFromScratch, "
            "ConvNetFromScratch, NetworkEstimator), a Pipeline ending in one, or a Network or "
            f"Model; got {'a Pipeline ending in ' if prefix else ''}{final!r}.")
    if getattr(final, "solver", None) == "lbfgs":
        raise ValueError("solver='lbfgs' takes no learning rate (L-BFGS-B finds its own "
                         "steps): the range test is for the mini-batch solvers, 'adam' and "
                         "'sgd'.")
    return prefix
