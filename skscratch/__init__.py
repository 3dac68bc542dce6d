"""skscratch: neural networks from scratch in NumPy, served as scikit-learn estimators.

The layer engine (:mod:`skscratch.layers`, :class:`Network`, :class:`Model`,
:mod:`skscratch.losses`, :mod:`skscratch.optimizers`, :mod:`skscratch.gradcheck`) works
without scikit-learn; :class:`MLPFromScratch` and :class:`ConvNetFromScratch` drop into scikit-learn
workflows, and :class:`MLPClassifier` / :class:`MLPRegressor` replace scikit-learn's by
changing one import.
"""

from . import gradcheck, layers, losses, optimizers
from .estimators import (
    ConvNetFromScratch,
    MLPClassifier,
    MLPFromScratch,
    MLPRegressor,
    NetworkEstimator,
)
from .model import Model
from .network import Network
from .persistence import load, save
from .training import Trainer

__version__ = "0.1.0"

__all__ = [
    "ConvNetFromScratch",
    "MLPClassifier",
    "MLPFromScratch",
    "MLPRegressor",
    "Model",
    "Network",
    "NetworkEstimator",
    "Trainer",
    "gradcheck",
    "layers",
    "load",
    "losses",
    "optimizers",
    "save",
    "__version__",
]
