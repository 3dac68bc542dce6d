"""scikit-learn estimators built on the skscratch layer engine."""

from .mlp import MLPFromScratch

__all__ = ["MLPFromScratch"]
