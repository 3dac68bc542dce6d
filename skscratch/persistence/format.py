"""What a model file names: its format and versions, estimator classes, dtypes, fields.

The vocabulary shared by writing a model file
(:mod:`skscratch.persistence.writing`) and reading one back
(:mod:`skscratch.persistence.checks`, :mod:`skscratch.persistence.loading`).
"""

from ..estimators import (
    ConvNetFromScratch,
    MLPClassifier,
    MLPFromScratch,
    MLPRegressor,
    NetworkClassifier,
    NetworkEstimator,
    NetworkRegressor,
)

FORMAT, VERSION, READABLE_VERSIONS = "skscratch-model", 2, (1, 2)
# the only classes a file may name as its estimator
ESTIMATORS = {cls.__name__: cls for cls in (MLPFromScratch, MLPClassifier, MLPRegressor,
                                            ConvNetFromScratch, NetworkEstimator,
                                            NetworkClassifier, NetworkRegressor)}
DTYPES = ("float32", "float64")
# the training record's fields, as the header's "state" holds them
STATE_FIELDS = ("n_iter", "t", "loss_curve", "validation_scores", "best_loss",
                "best_validation_score", "no_improvement_count", "history")
