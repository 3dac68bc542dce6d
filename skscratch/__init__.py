"""skscratch: neural networks from scratch in NumPy, served as scikit-learn estimators.

The layer engine (:mod:`skscratch.layers`, :class:`Network`, :class:`Model`,
:mod:`skscratch.losses`, :mod:`skscratch.optimizers`, :mod:`skscratch.gradcheck`) works
without scikit-learn; :class:`MLPFromScratch` and :class:`ConvNetFromScratch` drop into scikit-learn
workflows, and :class:`MLPClassifier` / :class:`MLPRegressor` replace scikit-learn's by
changing one import.
"""

from . import callbacks, gradcheck, layers, losses, metrics, model_selection, optimizers
from .estimators import (
    ConvNetFromScratch,
    MLPClassifier,
    MLPFromScratch,
    MLPRegressor,
    NetworkClassifier,
    NetworkEstimator,
    NetworkRegressor,
)
from .model import Model
from .network import Network
from .persistence import load, save
from .random_state import set_random_seed
from .training import Trainer
from .version import __version__

__all__ = [
    "ConvNetFromScratch",
    "MLPClassifier",
    "MLPFromScratch",
    "MLPRegressor",
    "Model",
    "Network",
    "NetworkClassifier",
    "NetworkEstimator",
    "NetworkRegressor",
    "Trainer",
    "callbacks",
    "gradcheck",
    "layers",
    "load",
    "losses",
    "metrics",
    "model_selection",
    "optimizers",
    "save",
    "set_random_seed",
    "__version__",
]
