"""Declarative constraints of the parameters every skscratch estimator shares.

Checked in ``fit`` by scikit-learn's ``validate_parameter_constraints``; each
estimator adds its architecture parameters on top. Losses, solvers and
activations are read from the engine's registries, so a block registered
there is offered here with no change to this file.
"""

from numbers import Integral, Real

import numpy as np

from ..layers.activation import ACTIVATIONS
from ..optimizers import OPTIMIZERS
from ._sklearn_private import Interval, Options, StrOptions
from ._targets import CLASSIFICATION_LOSSES, REGRESSION_LOSSES

# softmax normalises over the features: an output activation, not a hidden one
HIDDEN_ACTIVATIONS = set(ACTIVATIONS) - {"softmax"}

TRAINING_CONSTRAINTS = {
    "task": [StrOptions({"classification", "regression"})],
    "loss": [StrOptions(set(CLASSIFICATION_LOSSES) | set(REGRESSION_LOSSES))],
    "activation": [StrOptions(HIDDEN_ACTIVATIONS)],
    "solver": [StrOptions(set(OPTIMIZERS))],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
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
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "callbacks": [list, tuple, None],
}
