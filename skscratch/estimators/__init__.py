"""scikit-learn estimators built on the skscratch layer engine."""

from .convnet import ConvNetFromScratch
from .mlp import MLPFromScratch
from .network_estimator import NetworkClassifier, NetworkEstimator, NetworkRegressor

__all__ = ["ConvNetFromScratch", "MLPFromScratch", "NetworkClassifier", "NetworkEstimator",
           "NetworkRegressor"]
