"""MLPFromScratch (and MLPClassifier, MLPRegressor) inside scikit-learn's own machinery."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn import neural_network
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skscratch import MLPClassifier, MLPFromScratch, MLPRegressor


def _confident_fits(estimator):
    """The checks a confident (lbfgs) classifier fails, and why."""
    if estimator.solver != "lbfgs" or estimator.task != "classification":
        return {}
    return {"check_classifiers_train": "predict_log_proba is computed from the logits: "
            "finite where predict_proba underflows to 0, as a confident L-BFGS fit makes it; "
            "the check compares it with log(predict_proba) = -inf (docs/parity.md)",
            "check_classifiers_multilabel_output_format_predict_proba": "a confident "
            "sigmoid rounds to 1.0 in float64, which the check forbids; scikit-learn's "
            "MLPClassifier(solver='lbfgs') fails it too"}


@parametrize_with_checks([MLPFromScratch(), MLPFromScratch(task="regression"), MLPClassifier(),
                          MLPRegressor(), MLPClassifier(solver="lbfgs"),
                          MLPRegressor(solver="lbfgs")],
                         expected_failed_checks=_confident_fits)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_task_decides_the_estimator_type():
    assert is_classifier(MLPFromScratch())
    assert is_regressor(MLPFromScratch(task="regression"))
    assert not hasattr(MLPFromScratch(task="regression"), "predict_proba")


def test_grid_search_over_learning_rates_in_a_pipeline():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPFromScratch((16,), max_iter=60, random_state=0))
    grid = {"mlpfromscratch__learning_rate_init": [1e-4, 1e-2]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
        serial = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    # with 60 epochs only the larger learning rate gets far
    assert search.best_params_ == {"mlpfromscratch__learning_rate_init": 1e-2}
    assert search.best_score_ > 0.85
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])


def test_cross_val_score_both_tasks():
    X, y = load_iris(return_X_y=True)
    clf = make_pipeline(StandardScaler(), MLPFromScratch((32,), max_iter=300, random_state=0))
    assert cross_val_score(clf, X, y, cv=3).mean() > 0.9     # stratified folds, accuracy
    Xr, yr = load_diabetes(return_X_y=True)
    reg = make_pipeline(StandardScaler(), MLPFromScratch((32,), task="regression",
                                                         learning_rate_init=0.01,
                                                         max_iter=100, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        r2 = cross_val_score(reg, Xr, yr, cv=3)              # default scoring: R²
        theirs = cross_val_score(make_pipeline(StandardScaler(), neural_network.MLPRegressor(
            hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=100, random_state=0)),
            Xr, yr, cv=3)
    np.testing.assert_allclose(r2, theirs, rtol=1e-8)         # the same model, scored alike


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_clone_pickle_and_joblib_round_trips(task, tmp_path):
    X, y = load_iris(return_X_y=True)
    y = y if task == "classification" else X[:, 0] * 2 + y
    est = MLPFromScratch((8,), task=task, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        refit = clone(est).fit(X, y)
    expected = est.predict(X)
    np.testing.assert_array_equal(refit.predict(X), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict(X), expected)
    joblib.dump(est, tmp_path / "model.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "model.joblib").predict(X), expected)
