"""scikit-learn estimators built on the skscratch layer engine."""

from .convnet import ConvNetFromScratch
from .mlp import MLPFromScratch

__all__ = ["ConvNetFromScratch", "MLPFromScratch"]
