"""The callbacks an estimator's fit runs: scikit-learn's rules, then the user's."""

import numpy as np
import pytest

from skscratch import MLPFromScratch
from skscratch.callbacks import EarlyStopping, PlateauStopping
from skscratch.estimators._callbacks import CheckedInvScaling, estimator_callbacks
from skscratch.estimators._fitted import FittedState, Published


def _kinds(estimator, early_stopping=False):
    fitted = FittedState(None, None, None, None, None, early_stopping)
    return [type(c) for c in estimator_callbacks(estimator, fitted)]


def test_the_plateau_rule_first_then_the_schedule_then_the_users_callbacks():
    assert _kinds(MLPFromScratch()) == [PlateauStopping]
    sgd = MLPFromScratch(solver="sgd", learning_rate="invscaling")
    assert _kinds(sgd) == [PlateauStopping, CheckedInvScaling]
    assert _kinds(MLPFromScratch(learning_rate="invscaling")) == [PlateauStopping]   # adam
    user = MLPFromScratch(callbacks=[EarlyStopping()])
    assert _kinds(user) == [PlateauStopping, Published, EarlyStopping]


def test_the_plateau_rule_follows_the_estimators_parameters():
    est = MLPFromScratch(solver="sgd", learning_rate="adaptive", tol=0.5, n_iter_no_change=3)
    fitted = FittedState(None, None, None, None, None, True)
    plateau = estimator_callbacks(est, fitted)[0]
    assert (plateau.tol, plateau.n_iter_no_change) == (0.5, 3)
    assert plateau.adaptive and plateau.restore_best_weights


def test_a_power_t_too_large_is_named():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2))
    est = MLPFromScratch((3,), solver="sgd", learning_rate="invscaling", power_t=1000.0,
                         max_iter=3)
    with pytest.raises(ValueError, match="power_t=1000.0 is too large"):
        est.fit(X, X[:, 0] > 0)
    assert not hasattr(est, "network_")
