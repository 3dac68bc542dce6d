"""MLPFromScratch behaviour: tasks, targets, training controls, fitted attributes."""

import warnings

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch, Network, NetworkEstimator
from skscratch.layers import Dense, Dropout


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


def test_multiclass(iris):
    X, y = iris
    est = _fit(MLPFromScratch((16,), learning_rate_init=0.01, max_iter=300, random_state=0), X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    np.testing.assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(np.exp(est.predict_log_proba(X)), proba)
    assert est.score(X, y) > 0.95
    assert est.out_activation_ == "softmax" and est.n_outputs_ == 3 and est.n_layers_ == 3
    # the output layer produces logits; probabilities are their softmax
    logits = est.network_.predict(X)
    np.testing.assert_allclose(proba, softmax(logits, axis=1))


def test_binary_with_string_labels(iris):
    X, y = iris
    labels = np.where(y == 0, "setosa", "other")
    est = _fit(MLPFromScratch((8,), learning_rate_init=0.01, max_iter=100, random_state=0),
               X, labels)
    assert est.n_outputs_ == 1 and est.out_activation_ == "logistic"
    assert est.predict_proba(X).shape == (150, 2)
    assert set(est.predict(X)) == {"setosa", "other"}
    assert est.score(X, labels) == 1.0


def test_predict_log_proba_is_finite_when_probabilities_saturate(iris):
    X, y = iris
    est = _fit(MLPFromScratch((8,), max_iter=50, random_state=0), X, y == 0)
    log_p = est.predict_log_proba(X * 1e4)
    assert np.all(np.isfinite(log_p))


def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=200, n_classes=4, random_state=0)
    est = _fit(MLPFromScratch((32,), learning_rate_init=0.01, max_iter=200, random_state=0), X, Y)
    assert est.out_activation_ == "logistic" and est.n_outputs_ == 4
    assert est.predict(X).shape == (200, 4)
    assert est.predict_proba(X).shape == (200, 4)
    assert np.mean(est.predict(X) == Y) > 0.85


def test_multi_output_regression(iris):
    X, _ = iris
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]])
    est = _fit(MLPFromScratch((32,), task="regression", learning_rate_init=0.01, max_iter=200,
                              random_state=0), X, Y)
    assert est.predict(X).shape == (150, 2)
    assert est.score(X, Y) > 0.9
    assert est.out_activation_ == "identity"


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "huber"])
def test_regression_losses(loss, iris):
    X, _ = iris
    y = 3 * X[:, 0] - X[:, 2]
    est = _fit(MLPFromScratch((16,), task="regression", loss=loss, learning_rate_init=0.01,
                              max_iter=200, random_state=0), X, y)
    assert est.score(X, y) > 0.9


def test_fitted_attributes_follow_scikit_learn(iris):
    X, y = iris
    est = _fit(MLPFromScratch((10, 5), max_iter=15, random_state=0), X, y)
    assert [c.shape for c in est.coefs_] == [(4, 10), (10, 5), (5, 3)]
    assert [b.shape for b in est.intercepts_] == [(10,), (5,), (3,)]
    assert est.n_iter_ == len(est.loss_curve_) == len(est.history_) == 15
    assert est.t_ == 15 * 150
    assert est.loss_ == est.loss_curve_[-1] and est.best_loss_ == min(est.loss_curve_)
    assert est.validation_scores_ is None and est.best_validation_score_ is None
    assert est.n_features_in_ == 4 and est.n_layers_ == 4
    # coefs_ are the network's own arrays: one model, not two copies
    assert est.coefs_[0] is est.network_.layers[0].params["W"]


def test_convergence_warning_and_early_convergence(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPFromScratch((4,), max_iter=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = MLPFromScratch((4,), tol=1e3, n_iter_no_change=2, random_state=0).fit(X, y)
    assert est.n_iter_ == 4


def test_early_stopping_restores_the_best_weights(iris):
    X, y = iris
    est = _fit(MLPFromScratch((16,), early_stopping=True, validation_fraction=0.2,
                              n_iter_no_change=5, max_iter=500, random_state=0), X, y)
    assert len(est.validation_scores_) == est.n_iter_ < 500
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_loss_ is None
    # the kept weights score the best validation score, not the last epoch's
    assert est._fitted.training.best_weights is not None
    for p, best in zip(est.network_.params, est._fitted.training.best_weights):
        np.testing.assert_array_equal(p, best)


def test_partial_fit_runs_one_epoch_and_keeps_the_optimizer(iris):
    X, y = iris
    est = MLPFromScratch((16,), learning_rate_init=0.01, batch_size=32, random_state=0)
    est.partial_fit(X[:75], y[:75], classes=[0, 1, 2])
    optimizer = est._fitted.optimizer
    assert est.n_iter_ == 1 and optimizer.t == 3      # 75 samples in batches of 32
    for _ in range(30):
        est.partial_fit(X, y)
    # as scikit-learn: n_iter_ counts the latest call's epochs, loss_curve_ all of them
    assert est._fitted.optimizer is optimizer and est.n_iter_ == 1
    assert len(est.loss_curve_) == 31
    assert est.score(X, y) > 0.9
    with pytest.raises(ValueError, match="labels not seen"), \
            pytest.warns(UserWarning, match="clipped"):        # 2 rows, batches of 32
        est.partial_fit(X[:2], [0, 7])


def test_partial_fit_then_fit_starts_over(iris):
    X, y = iris
    est = MLPFromScratch((8,), max_iter=5, random_state=0)
    est.partial_fit(X, y, classes=[0, 1, 2])
    _fit(est, X, y)
    assert est.n_iter_ == 5 and len(est.loss_curve_) == 5


def test_warm_start_continues(iris):
    X, y = iris
    est = _fit(MLPFromScratch((8,), max_iter=5, warm_start=True, random_state=0), X, y)
    first_curve = list(est.loss_curve_)
    _fit(est, X, y)
    assert est.n_iter_ == 5 and len(est.loss_curve_) == 10        # as scikit-learn
    assert est.loss_curve_[:5] == first_curve
    assert est.loss_curve_[5] < first_curve[0]


def test_sample_weight_shifts_the_decision(iris):
    X, y = iris
    y2 = (y == 2).astype(int)
    w = np.where(y2 == 1, 50.0, 1.0)
    kwargs = dict(hidden_layer_sizes=(4,), learning_rate_init=0.01, max_iter=30, random_state=0)
    plain = _fit(MLPFromScratch(**kwargs), X, y2)
    weighted = _fit(MLPFromScratch(**kwargs), X, y2, sample_weight=w)
    assert weighted.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean() + 0.1


def test_zero_weight_samples_are_ignored(iris):
    X, y = iris
    w = np.ones(150)
    w[:50] = 0
    noise = np.random.default_rng(0).standard_normal((50, 4)) * 100
    Xn = X.copy()
    Xn[:50] = noise
    a = _fit(MLPFromScratch((8,), max_iter=20, batch_size=150, random_state=0), Xn, y,
             sample_weight=w)
    b = _fit(MLPFromScratch((8,), max_iter=20, batch_size=150, random_state=0), X, y,
             sample_weight=w)
    np.testing.assert_allclose(a.predict_proba(X[50:]), b.predict_proba(X[50:]), rtol=1e-9)


def test_float32_end_to_end(iris):
    X, y = iris
    est = _fit(MLPFromScratch((8,), max_iter=20, random_state=0), X.astype(np.float32), y)
    assert est.coefs_[0].dtype == np.float32
    assert est.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert est.predict_proba(X).dtype == np.float32   # float64 input is cast to the model's
    reg = _fit(MLPFromScratch((8,), task="regression", max_iter=5), X.astype(np.float32), y)
    assert reg.predict(X).dtype == np.float32
    est64 = _fit(MLPFromScratch((8,), max_iter=5, random_state=0), X, y)
    assert est64.coefs_[0].dtype == np.float64


def test_dropout_layers_and_determinism(iris):
    X, y = iris
    est = _fit(MLPFromScratch((16, 8), dropout=0.3, max_iter=40, random_state=3), X, y)
    layers = est.network_.layers
    assert [type(layer) for layer in layers] == [Dense, Dropout, Dense, Dropout, Dense]
    again = _fit(MLPFromScratch((16, 8), dropout=0.3, max_iter=40, random_state=3), X, y)
    np.testing.assert_array_equal(est.predict_proba(X), again.predict_proba(X))
    # no dropout at prediction time: repeated predictions agree
    np.testing.assert_array_equal(est.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize("solver, schedule, lr", [
    ("sgd", "constant", 0.05), ("sgd", "invscaling", 1.0),   # 1 / sqrt(t + 1) decays fast
    ("sgd", "adaptive", 0.05), ("adam", "constant", 0.01)])
def test_solvers_learn(solver, schedule, lr, iris):
    X, y = iris
    est = _fit(MLPFromScratch((16,), solver=solver, learning_rate=schedule,
                              learning_rate_init=lr, max_iter=100, random_state=0), X, y)
    assert est.score(X, y) > 0.9


def test_verbose_prints_one_line_per_epoch(iris, capsys):
    X, y = iris
    _fit(MLPFromScratch((4,), max_iter=3, verbose=True, random_state=0), X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("Epoch 1/3 - loss: ")


def test_regression_output_bias_starts_at_the_target_mean_except_in_the_drop_in(iris):
    # the MLP starts where MLPRegressor starts (tests/estimators/test_random.py); a
    # NetworkEstimator starts at the best constant prediction
    X, _ = iris
    y = 500 + X[:, 0]
    params = dict(task="regression", max_iter=1, learning_rate_init=1e-9, random_state=0)
    est = _fit(NetworkEstimator(Network([Dense(4, "relu"), Dense(1)]), **params), X, y)
    assert abs(est.predict(X).mean() - 500) < 5
    mlp = _fit(MLPFromScratch((4,), **params), X, y)
    assert abs(mlp.predict(X).mean()) < 5


class StopAfter:
    """A picklable callback: stop after ``n`` epochs, remembering what it saw."""

    def __init__(self, n):
        self.n = n
        self.seen = []

    def __call__(self, estimator, record):
        self.seen.append((record["epoch"], estimator.n_iter_, len(estimator.loss_curve_)))
        return record["epoch"] >= self.n


def test_callbacks_see_the_estimator_and_can_stop_training(iris):
    X, y = iris
    stopper = StopAfter(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)   # a callback stop is no failure
        est = MLPFromScratch((8,), max_iter=100, callbacks=[stopper], random_state=0).fit(X, y)
    assert est.n_iter_ == 4
    assert stopper.seen == [(1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4)]


def test_callbacks_survive_clone_and_pickle(iris):
    import pickle

    from sklearn.base import clone
    X, y = iris
    est = MLPFromScratch((8,), max_iter=50, callbacks=[StopAfter(2)], random_state=0)
    for copy in (clone(est), pickle.loads(pickle.dumps(est))):
        assert copy.fit(X, y).n_iter_ == 2


def test_history_records(iris):
    X, y = iris
    est = _fit(MLPFromScratch((8,), max_iter=3, early_stopping=True, random_state=0), X, y)
    assert [r["epoch"] for r in est.history_] == [1, 2, 3]
    first = est.history_[0]
    assert set(first) == {"epoch", "loss", "validation_score", "learning_rate", "seconds",
                          "val_loss"}
    assert first["loss"] == est.loss_curve_[0]
    assert first["val_loss"] > 0
    assert first["validation_score"] == est.validation_scores_[0]
    assert first["seconds"] > 0


def test_verbose_two_adds_a_progress_line(iris, capsys, monkeypatch):
    import skscratch.callbacks.progress as progress
    monkeypatch.setattr(progress, "PROGRESS_SECONDS", 0.0)
    monkeypatch.setattr(progress, "_tqdm", lambda: None)         # the plain line
    X, y = iris
    _fit(MLPFromScratch((4,), max_iter=2, batch_size=10, verbose=2, random_state=0), X, y)
    out = capsys.readouterr().out
    assert "\r  batch 15/15" in out and "batches/s" in out
    assert out.count("Epoch ") == 2


def test_verbose_two_draws_a_tqdm_bar_when_installed(iris, capsys):
    pytest.importorskip("tqdm")
    X, y = iris
    _fit(MLPFromScratch((4,), max_iter=1, batch_size=10, verbose=2, random_state=0), X, y)
    out = capsys.readouterr().out
    assert "epoch 1:" in out and "/15 [" in out and "Epoch 1/1" in out


def test_convergence_warning_suggests_scaling_only_for_unscaled_inputs():
    X, y = load_iris(return_X_y=True)          # raw: column means up to 5.8
    with pytest.warns(ConvergenceWarning, match="look unscaled .* StandardScaler"):
        MLPFromScratch(max_iter=3, random_state=0).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MLPFromScratch(max_iter=3, random_state=0).fit(StandardScaler().fit_transform(X), y)
    assert [str(w.message) for w in caught] == [
        "Stochastic Optimizer: Maximum iterations (3) reached and the optimization hasn't "
        "converged yet."]
