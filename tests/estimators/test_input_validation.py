"""Bad input and bad settings end in a clear ValueError/TypeError naming the problem."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skscratch import MLPFromScratch

X = np.random.default_rng(0).standard_normal((20, 3))
Y_CLASS = np.arange(20) % 2
Y_REG = X[:, 0]


def _with(value, row=0, col=0):
    bad = X.copy()
    bad[row, col] = value
    return bad


@pytest.mark.parametrize("task, y", [("classification", Y_CLASS), ("regression", Y_REG)])
@pytest.mark.parametrize("X_bad, message", [
    (_with(np.nan), "NaN"),
    (_with(np.inf), "infinity"),
    (X.astype(str).astype(object) + "x", "could not convert|convert string"),
    (np.empty((0, 3)), "0 sample"),
    (np.empty((20, 0)), "0 feature"),
    (X[:, 0], "Expected 2D array"),
    (X + 1j, "Complex data not supported"),
])
def test_bad_X_at_fit(task, y, X_bad, message):
    with pytest.raises(ValueError, match=message):
        MLPFromScratch(task=task, max_iter=2).fit(X_bad, y[:len(X_bad)] if len(X_bad) else y[:0])


@pytest.mark.parametrize("task, y", [("classification", Y_CLASS), ("regression", Y_REG)])
def test_bad_X_at_predict(task, y):
    est = MLPFromScratch((4,), task=task, max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        est.predict(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        est.predict(_with(np.nan))
    with pytest.raises(ValueError, match="Expected 2D array"):
        est.predict(X[0])


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        MLPFromScratch().predict(X)


def test_bad_targets():
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPFromScratch().fit(X, Y_REG)
    with pytest.raises(ValueError, match="at least 2 classes"):
        MLPFromScratch().fit(X, np.zeros(20))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MLPFromScratch().fit(X, Y_CLASS[:10])
    with pytest.raises(ValueError, match="NaN"):
        MLPFromScratch(task="regression").fit(X, _with(np.nan)[:, 0])
    with pytest.raises(ValueError, match="Multiclass-multioutput"):
        MLPFromScratch().fit(X, np.column_stack([np.arange(20) % 3, np.arange(20) % 2]))


@pytest.mark.parametrize("params, message", [
    ({"task": "ranking"}, "'task' parameter"),
    ({"activation": "swish"}, "'activation' parameter"),
    ({"solver": "newton"}, "'solver' parameter"),
    ({"max_fun": 0}, "'max_fun' parameter"),
    ({"learning_rate_init": 0}, "'learning_rate_init' parameter"),
    ({"learning_rate_init": np.nan}, "'learning_rate_init' parameter"),
    ({"alpha": -1}, "'alpha' parameter"),
    ({"max_iter": 0}, "'max_iter' parameter"),
    ({"batch_size": 0}, "'batch_size' parameter"),
    ({"momentum": 1.5}, "'momentum' parameter"),
    ({"dropout": 1.0}, "'dropout' parameter"),
    ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
    ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes must be positive integers"),
    ({"hidden_layer_sizes": (2.5,)}, "hidden_layer_sizes must be positive integers"),
    ({"hidden_layer_sizes": (10**400,)}, "hidden_layer_sizes must be positive integers"),
    ({"loss": "huber"}, "regression loss"),
    ({"loss": "cross_entropy"}, "'loss' parameter"),
])
def test_bad_parameters(params, message):
    with pytest.raises((ValueError, TypeError), match=message):
        MLPFromScratch(**params).fit(X, Y_CLASS)


def test_log_loss_is_not_a_regression_loss():
    with pytest.raises(ValueError, match="log_loss"):
        MLPFromScratch(task="regression", loss="log_loss").fit(X, Y_REG)


def test_bad_sample_weight():
    with pytest.raises(ValueError, match="Negative values in data passed to .sample_weight"):
        MLPFromScratch().fit(X, Y_CLASS, sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="non-zero|positive sum"):
        MLPFromScratch().fit(X, Y_CLASS, sample_weight=np.zeros(20))
    with pytest.raises(ValueError, match="sample_weight.shape"):
        MLPFromScratch().fit(X, Y_CLASS, sample_weight=np.ones(3))


def test_warm_start_with_other_features_or_classes():
    est = MLPFromScratch((4,), max_iter=2, warm_start=True).fit(X, Y_CLASS)
    with pytest.raises(ValueError, match="3 features"):
        est.fit(X[:, :2], Y_CLASS)
    with pytest.raises(ValueError, match="same classes as in the previous call"):
        est.fit(X, np.arange(20) % 3)


def test_divergence_is_reported_not_hidden():
    with pytest.raises(ValueError, match="smaller learning rate"), \
            np.errstate(over="ignore", invalid="ignore"):
        MLPFromScratch((8,), task="regression", solver="sgd", learning_rate_init=1e3,
                       tol=0, max_iter=50, batch_size=1).fit(X * 1e3, Y_REG * 1e3)


def test_early_stopping_needs_enough_samples():
    with pytest.raises(ValueError, match="early_stopping could not hold out"):
        MLPFromScratch(early_stopping=True, validation_fraction=0.01).fit(X[:4], Y_CLASS[:4])
