"""scikit-learn estimators built on the skscratch layer engine."""

from .convnet import ConvNetFromScratch
from .mlp import MLPFromScratch
from .network_estimator import NetworkEstimator

__all__ = ["ConvNetFromScratch", "MLPFromScratch", "NetworkEstimator"]
