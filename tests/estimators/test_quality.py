"""Accuracy on real data shipped with scikit-learn, against documented thresholds.

The configurations here are the ones documented in README.md and docs/.
"""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import ConvNetFromScratch, MLPFromScratch

pytestmark = pytest.mark.slow


def test_digits_five_fold_accuracy():
    X, y = load_digits(return_X_y=True)
    model = make_pipeline(StandardScaler(),
                          MLPFromScratch((256,), alpha=1e-3, random_state=0))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    scores = cross_val_score(model, X, y, cv=cv, n_jobs=2)
    assert scores.mean() >= 0.97, scores


def test_breast_cancer_five_fold_accuracy():
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), MLPFromScratch(random_state=0))
    scores = cross_val_score(model, X, y, cv=5, n_jobs=2)
    assert scores.mean() >= 0.95, scores


def test_diabetes_r2_is_scikit_learns():
    X, y = load_diabetes(return_X_y=True)
    cv = KFold(5, shuffle=True, random_state=0)
    config = dict(hidden_layer_sizes=(100,), max_iter=1000, random_state=0)
    ours = cross_val_score(make_pipeline(StandardScaler(),
                                         MLPFromScratch(task="regression", **config)),
                           X, y, cv=cv, n_jobs=2)
    theirs = cross_val_score(make_pipeline(StandardScaler(), MLPRegressor(**config)),
                             X, y, cv=cv, n_jobs=2)
    # the same random_state trains the same model (tests/estimators/test_random.py)
    np.testing.assert_allclose(ours, theirs, rtol=1e-8)
    assert ours.mean() > 0.45


def test_convnet_defaults_train_digits_in_thirty_epochs():
    # issue 14: the defaults alone (Keras's MNIST convnet shape, batches of 32) reach
    # 0.97 on the plain 5-fold split (unshuffled: harder than the folds above)
    X, y = load_digits(return_X_y=True)
    scores = cross_val_score(ConvNetFromScratch(max_iter=30, random_state=0),
                             X.reshape(-1, 8, 8) / 16, y, cv=5, n_jobs=2)
    assert scores.mean() >= 0.97, scores
