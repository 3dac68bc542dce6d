"""Declarative constraints of the parameters every skscratch estimator shares.

Checked in ``fit`` by scikit-learn's ``validate_parameter_constraints``; each
estimator adds its architecture parameters on top. Losses, solvers and
activations are read from the engine's registries, so a block registered
there is offered here with no change to this file.
"""

from numbers import Integral, Real

import numpy as np

from ..layers.activations import ACTIVATIONS
from ..optimizers import OPTIMIZERS
from ._sklearn_private import Interval, InvalidParameterError, Options, StrOptions
from ._targets import CLASSIFICATION_LOSSES, REGRESSION_LOSSES

# softmax normalises over the features: an output activation, not a hidden one
HIDDEN_ACTIVATIONS = set(ACTIVATIONS) - {"softmax"}

TRAINING_CONSTRAINTS = {
    "task": [StrOptions({"classification", "regression"})],
    "loss": [StrOptions(set(CLASSIFICATION_LOSSES) | set(REGRESSION_LOSSES))],
    "activation": [StrOptions(HIDDEN_ACTIVATIONS)],
    # "lbfgs" is the full-batch solver (skscratch/lbfgs.py), the others step optimizers
    "solver": [StrOptions(set(OPTIMIZERS) | {"lbfgs"})],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "one_cycle",
                                   "cosine"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "callbacks": [list, tuple, None],
}


def reject_bools(constraints, params, owner):
    """Refuse True/False where a parameter takes numbers, not booleans.

    scikit-learn's ``Interval(Integral, ...)`` and ``Interval(Real, ...)``
    accept ``True`` (``bool`` subclasses ``int``), so ``batch_size=True``
    would train with batches of one sample.

    Parameters
    ----------
    constraints : dict
        The estimator's ``_parameter_constraints``.
    params : dict
        Its parameters (``get_params(deep=False)``).
    owner : str
        The estimator's name, for the message.

    Raises
    ------
    InvalidParameterError
        scikit-learn's parameter error (both a ValueError and a TypeError).
    """
    for name, value in params.items():
        allowed = constraints.get(name, ())
        numeric = any(isinstance(c, Interval) for c in allowed)
        takes_bools = any(c in ("boolean", "verbose", bool) for c in allowed
                          if isinstance(c, (str, type)))
        if isinstance(value, bool) and numeric and not takes_bools:
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} takes numbers, not a bool; got {value!r}.")
