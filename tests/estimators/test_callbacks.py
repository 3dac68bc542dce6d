"""The callbacks an estimator's fit runs: scikit-learn's rules, then the user's."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skscratch import MLPFromScratch
from skscratch.callbacks import CosineDecay, EarlyStopping, OneCycle, PlateauStopping
from skscratch.estimators._base import CheckedInvScaling, estimator_callbacks
from skscratch.estimators._state import FittedState, Published
from skscratch.optimizers import SGD, Adam


def _kinds(estimator, early_stopping=False, optimizer=None):
    fitted = FittedState(None, None, optimizer, None, None, early_stopping)
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


def test_one_cycle_and_cosine_are_schedules_of_every_solver():
    for solver, optimizer in (("adam", Adam()), ("sgd", SGD(momentum=0.9))):
        est = MLPFromScratch(solver=solver, learning_rate="one_cycle", callbacks=[EarlyStopping()])
        assert _kinds(est, optimizer=optimizer) == [PlateauStopping, OneCycle, Published,
                                                    EarlyStopping]
        est.set_params(learning_rate="cosine")
        assert _kinds(est, optimizer=optimizer) == [PlateauStopping, CosineDecay, Published,
                                                    EarlyStopping]
    cycle = estimator_callbacks(MLPFromScratch(learning_rate="one_cycle"), FittedState(
        None, None, SGD(momentum=0.9), None, None))[1]
    assert cycle.max_momentum == 0.9 and cycle.base_momentum == pytest.approx(0.9 * 0.85 / 0.95)
    plain = estimator_callbacks(MLPFromScratch(learning_rate="one_cycle"), FittedState(
        None, None, SGD(), None, None))[1]
    assert plain.max_momentum == plain.base_momentum == 0.0       # plain SGD stays plain
    assert not estimator_callbacks(MLPFromScratch(learning_rate="one_cycle"), FittedState(
        None, None, Adam(), None, None))[1].cycle_momentum


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_the_one_cycle_parameter_fits_as_the_callback_does(solver):
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    settings = dict(solver=solver, batch_size=64, max_iter=5, learning_rate_init=0.05,
                    momentum=0.95, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        by_name = MLPFromScratch((8,), learning_rate="one_cycle", **settings).fit(X, y)
        by_hand = MLPFromScratch((8,), callbacks=[OneCycle(cycle_momentum=solver == "sgd")],
                                 **settings).fit(X, y)
    assert by_name.loss_curve_ == by_hand.loss_curve_
    assert [r["learning_rate"] for r in by_name.history_][0] == pytest.approx(0.05 / 25)


def test_grid_search_chooses_among_the_schedules():
    X, y = load_digits(return_X_y=True)
    search = GridSearchCV(MLPFromScratch((16,), max_iter=10, learning_rate_init=0.05,
                                         batch_size=50, random_state=0),
                          {"learning_rate": ["constant", "one_cycle", "cosine"]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X[:600] / 16, y[:600])
    scores = search.cv_results_["mean_test_score"]
    assert len(set(scores)) == 3 and min(scores) > 0.8      # three different fits, all learn


def test_partial_fit_refuses_a_schedule_of_one_fits_epochs():
    X, y = load_digits(return_X_y=True)
    est = MLPFromScratch((4,), learning_rate="cosine")
    with pytest.raises(ValueError, match="learning_rate='cosine' schedules the max_iter"):
        est.partial_fit(X[:50], y[:50], classes=np.arange(10))
    assert not hasattr(est, "network_")
