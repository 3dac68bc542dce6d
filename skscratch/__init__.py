"""skscratch: neural networks from scratch in NumPy, served as scikit-learn estimators.

The layer engine (:mod:`skscratch.layers`, :class:`Network`, :class:`Model`,
:mod:`skscratch.losses`, :mod:`skscratch.optimizers`, :mod:`skscratch.gradcheck`) works
without scikit-learn; :class:`MLPFromScratch` and :class:`ConvNetFromScratch` drop into scikit-learn
workflows.
"""

from . import callbacks, gradcheck, layers, losses, metrics, model_selection, optimizers
from .estimators import (
    ConvNetFromScratch,
    MLPFromScratch,
    NetworkClassifier,
    NetworkEstimator,
    NetworkRegressor,
)
from .model import Model
from .network import Network
from .persistence import load, save
from .random_state import set_random_seed
from .training import Trainer

__version__ = "0.1.0"

__all__ = [
    "ConvNetFromScratch",
    "MLPFromScratch",
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
