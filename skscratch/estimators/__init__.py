"""scikit-learn estimators built on the skscratch layer engine."""

from .convnet import ConvNetFromScratch
from .mlp import MLPClassifier, MLPFromScratch, MLPRegressor
from .network_estimator import NetworkClassifier, NetworkEstimator, NetworkRegressor

__all__ = ["ConvNetFromScratch", "MLPClassifier", "MLPFromScratch", "MLPRegressor",
           "NetworkClassifier", "NetworkEstimator", "NetworkRegressor"]
