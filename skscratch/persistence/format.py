"""What a model file names: its format and versions, dtypes, fields.

The vocabulary shared by writing a model file
(:mod:`skscratch.persistence.writing`) and reading one back
(:mod:`skscratch.persistence.checks`, :mod:`skscratch.persistence.loading`).
The only classes a file may name as its estimator are those of
:data:`skscratch.registry.ESTIMATORS`.
"""

FORMAT, VERSION, READABLE_VERSIONS = "skscratch-model", 2, (1, 2)
DTYPES = ("float32", "float64")
# the training record's fields, as the header's "state" holds them
STATE_FIELDS = ("n_iter", "t", "loss_curve", "validation_scores", "best_loss",
                "best_validation_score", "no_improvement_count", "history")
