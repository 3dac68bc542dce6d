"""skscratch: neural networks from scratch in NumPy, served as scikit-learn estimators.

The layer engine (:mod:`skscratch.layers`, :class:`Network`, :mod:`skscratch.losses`,
:mod:`skscratch.optimizers`, :mod:`skscratch.gradcheck`) works without
scikit-learn; :class:`MLPFromScratch` drops into scikit-learn workflows.
"""

from . import gradcheck, layers, losses, optimizers
from .estimators import MLPFromScratch
from .network import Network
from .training import Trainer

__version__ = "0.1.0"

__all__ = [
    "MLPFromScratch",
    "Network",
    "Trainer",
    "gradcheck",
    "layers",
    "losses",
    "optimizers",
    "__version__",
]
