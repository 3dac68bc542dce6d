"""What a training run has learned about itself: epochs, losses, scores, history.

The :class:`~skscratch.Trainer` fills it and takes it back to continue a run
(``warm_start``, ``partial_fit``); the estimators keep it in their fitted
state, and model files store it. Importable as ``skscratch.training.TrainingState``.
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class TrainingState:
    """What a training run has learned about itself; passed back in to continue.

    Attributes
    ----------
    n_iter : int
        Epochs run.
    t : int
        Training samples seen (the step counter of scikit-learn's ``t_``).
    loss_curve : list of float
        Mean training loss (penalty included) of each epoch.
    validation_scores : list of float
        Validation score of each epoch, when a validation score is monitored.
    best_loss, best_validation_score : float
    no_improvement_count : int
    best_weights : list of ndarray or None
        Copy of the parameters at the best validation score.
    stopped : str or None
        Why the last run stopped early ("converged", "callback"), or None.
    start_loss : float or None
        Loss of the untrained network on the first batch: the scale a
        blow-up is measured against.
    """

    n_iter: int = 0
    t: int = 0
    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    no_improvement_count: int = 0
    best_weights: list = None
    stopped: str = None
    history: list = field(default_factory=list)
    start_loss: float = None
