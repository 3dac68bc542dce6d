"""solver="lbfgs": scikit-learn's MLP tests of its lbfgs solver, scikit-learn as the oracle.

Each test runs scikit-learn's own estimator beside ours on the same data,
parameters and ``random_state``: both start from the same weights (the
random streams of ``_random.py``) and hand SciPy's L-BFGS-B the same loss
and gradient with the same options, so the iterates agree to rounding. On
long runs L-BFGS amplifies rounding differences (the line search and the
curvature pairs are sensitive to the last digits of the loss), so long fits
are compared on their quality and iteration counts, and trajectories over
the iterations where rounding has not grown yet. The thresholds are those
of scikit-learn's ``neural_network/tests/test_mlp.py``.
"""

import re
import warnings

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.datasets import (
    load_digits,
    load_iris,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import MinMaxScaler, StandardScaler, scale

from skscratch import ConvNetFromScratch, MLPFromScratch, NetworkEstimator
from skscratch.callbacks import Callback, ProgressBar

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
TOL = dict(rtol=1e-7, atol=1e-9)


def _digits(n_class):
    X, y = load_digits(n_class=n_class, return_X_y=True)
    return MinMaxScaler().fit_transform(X[:200]), y[:200]


def _regression():
    X, y = make_regression(n_samples=200, n_features=10, bias=20.0, noise=100.0,
                           random_state=7)
    return X, scale(y)


def _quiet(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit(*args, **kwargs)


def _weights(est):
    return est.coefs_ + est.intercepts_


def _assert_same_model(ours, theirs, X, **tol):
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=tol.get("rtol", 1e-7))
    for a, b in zip(_weights(ours), _weights(theirs)):
        np.testing.assert_allclose(a, b, **{**TOL, **tol})
    if ours.task == "regression":
        np.testing.assert_allclose(ours.predict(X), theirs.predict(X), **{**TOL, **tol})
    else:
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X),
                                   **{**TOL, **tol})


# ------------------------------------------------------------- scikit-learn's tests
@pytest.mark.parametrize("n_class", [3, 2])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_lbfgs_classification(n_class, activation):
    # scikit-learn: score above 0.95 on the binary and 3-class digits; here the same
    # model as MLPClassifier's, label dtype kept
    X, y = _digits(n_class)
    params = dict(solver="lbfgs", hidden_layer_sizes=50, max_iter=150, shuffle=True,
                  random_state=1, activation=activation)
    ours = MLPFromScratch(**params).fit(X[:150], y[:150])
    theirs = MLPClassifier(**params).fit(X[:150], y[:150])
    assert ours.score(X[:150], y[:150]) > 0.95
    assert ours.predict(X[150:]).dtype.kind == y.dtype.kind
    _assert_same_model(ours, theirs, X)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_lbfgs_regression(activation):
    # scikit-learn: R^2 above 0.98 (0.80 for the linear bottleneck of "identity")
    X, y = _regression()
    params = dict(solver="lbfgs", hidden_layer_sizes=50, max_iter=200, tol=1e-3,
                  shuffle=True, random_state=1, activation=activation)
    ours = _quiet(MLPFromScratch(task="regression", **params).fit, X, y)
    theirs = _quiet(MLPRegressor(**params).fit, X, y)
    assert ours.score(X, y) > (0.80 if activation == "identity" else 0.98)
    if activation != "logistic":                # its 100+ iterations amplify rounding
        _assert_same_model(ours, theirs, X, rtol=1e-5, atol=1e-7)
    # the iterates agree while rounding has not grown: the first 60 iterations
    params["max_iter"] = 60
    _assert_same_model(_quiet(MLPFromScratch(task="regression", **params).fit, X, y),
                       _quiet(MLPRegressor(**params).fit, X, y), X, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_lbfgs_max_fun_limits_the_evaluations(task):
    # scikit-learn: max_fun=10 stops the fit (ConvergenceWarning) with n_iter_ <= max_fun
    X, y = _digits(3) if task == "classification" else _regression()
    params = dict(solver="lbfgs", hidden_layer_sizes=50, max_iter=150, max_fun=10,
                  shuffle=True, random_state=1, tol=0.0)
    ours = MLPFromScratch(task=task, **params)
    theirs = (MLPClassifier if task == "classification" else MLPRegressor)(**params)
    for est in (ours, theirs):
        with pytest.warns(ConvergenceWarning, match=r"lbfgs failed to converge after \d+ "
                                                    r"iteration\(s\) \(status=1\)"):
            est.fit(X, y)
        assert est.n_iter_ <= 10
    _assert_same_model(ours, theirs, X)


def test_lbfgs_multilabel_classification():
    # scikit-learn: subset accuracy above 0.97; predict_proba's rows need not sum to 1
    X, y = make_multilabel_classification(n_samples=50, random_state=0, return_indicator=True)
    params = dict(solver="lbfgs", hidden_layer_sizes=50, alpha=1e-5, max_iter=150,
                  random_state=0, activation="logistic", learning_rate_init=0.2)
    ours = _quiet(MLPFromScratch(**params).fit, X, y)
    assert ours.score(X, y) > 0.97 and ours.out_activation_ == "logistic"
    proba = ours.predict_proba(X)
    np.testing.assert_array_equal(proba > 0.5, y)
    assert (proba.sum(1) - 1) @ (proba.sum(1) - 1) > 1e-10
    np.testing.assert_allclose(ours.predict_log_proba(X), np.log(proba), rtol=1e-10, atol=1e-12)
    params["max_iter"] = 30                   # the iterates agree before rounding grows
    _assert_same_model(_quiet(MLPFromScratch(**params).fit, X, y),
                       _quiet(MLPClassifier(**params).fit, X, y), X)


def test_lbfgs_multioutput_regression():
    # scikit-learn: R^2 above 0.9. Not the same model: MLPRegressor's multi-output
    # gradient is n_outputs times its loss's (docs/parity.md), which changes L-BFGS's
    # steps; skscratch minimises the loss it reports
    X, y = make_regression(n_samples=200, n_targets=5, random_state=11)
    ours = _quiet(MLPFromScratch(task="regression", solver="lbfgs", hidden_layer_sizes=50,
                                 max_iter=200, tol=1e-2, random_state=1).fit, X, y)
    assert ours.score(X, y) > 0.9


def test_lbfgs_warm_start_keeps_the_classes_rule():
    # scikit-learn: warm starts continue from the weights; other classes are refused
    X, y = load_iris(return_X_y=True)
    params = dict(hidden_layer_sizes=2, solver="lbfgs", warm_start=True, random_state=42,
                  tol=1e-2)
    clf = _quiet(MLPFromScratch(**params).fit, X, y)
    _quiet(clf.fit, X, y)
    _quiet(clf.fit, X, np.array([0] * 40 + [1] * 40 + [2] * 70))
    for y_other in (np.array([0] * 75 + [1] * 75), np.array([0] * 50 + [1] * 50 + [3] * 50)):
        clf = _quiet(MLPFromScratch(**params).fit, X, y)
        message = ("warm_start can only be used where `y` has the same classes as in the "
                   f"previous call to fit. Previously got [0, 1, 2], `y` has "
                   f"{np.unique(y_other).tolist()}")
        with pytest.raises(ValueError, match=re.escape(message)):
            clf.fit(X, y_other)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_lbfgs_warm_start_runs_max_iter_each_call(task):
    # scikit-learn: without convergence each warm-started call runs max_iter iterations,
    # from where the last one ended (the same weights as scikit-learn's)
    X, y = load_iris(return_X_y=True)
    params = dict(solver="lbfgs", warm_start=True, max_iter=10, n_iter_no_change=np.inf,
                  random_state=0)
    ours = MLPFromScratch(task=task, **params)
    theirs = (MLPClassifier if task == "classification" else MLPRegressor)(**params)
    for est in (ours, theirs):
        with pytest.warns(ConvergenceWarning):
            est.fit(X, y)
        assert est.n_iter_ == 10
        est.set_params(max_iter=20)
        with pytest.warns(ConvergenceWarning):
            est.fit(X, y)
        assert est.n_iter_ == 20
    assert len(ours.loss_curve_) == 30
    _assert_same_model(ours, theirs, X, rtol=1e-6, atol=1e-8)


def test_lbfgs_with_poisson_loss_equals_the_poisson_glm():
    # scikit-learn: one identity hidden unit and a log link is a Poisson GLM
    for seed in (0, 1, 2):
        rng = np.random.default_rng(seed)
        X = np.linspace(0, 1, 100)
        y = rng.poisson(np.exp(X + 1))
        X = X.reshape(100, -1)
        glm = PoissonRegressor(alpha=0, tol=1e-7).fit(X, y)
        params = dict(hidden_layer_sizes=(1,), activation="identity", alpha=0,
                      solver="lbfgs", tol=1e-7, random_state=np.random.RandomState(seed + 1))
        mlp = MLPFromScratch(task="regression", loss="poisson", **params).fit(X, y)
        np.testing.assert_allclose(mlp.predict(X), glm.predict(X), rtol=1e-4)
        theirs = MLPRegressor(loss="poisson", **{**params, "random_state":
                                                 np.random.RandomState(seed + 1)}).fit(X, y)
        _assert_same_model(mlp, theirs, X, rtol=1e-5, atol=1e-7)
        # the squared error's identity output cannot follow the exponential
        squared = MLPFromScratch(task="regression", **{**params, "random_state": seed}).fit(X, y)
        assert not np.allclose(squared.predict(X), glm.predict(X), rtol=1e-4)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_start_that_meets_tol_reports_its_loss_as_scikit_learn(task):
    X, y = _digits(3) if task == "classification" else _regression()
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", tol=1e3, random_state=0)
    oracle = MLPClassifier if task == "classification" else MLPRegressor
    theirs = _quiet(oracle(**params).fit, X, y)
    ours = _quiet(MLPFromScratch(task=task, **params).fit, X, y)
    assert theirs.n_iter_ == 0
    _assert_same_model(ours, theirs, X)


def test_lbfgs_sparse_and_dense_inputs_train_the_same_model():
    # scikit-learn: CSR input gives dense input's predictions
    X, y = _digits(2)
    X, y = X[:50], y[:50]
    mlp = MLPFromScratch(solver="lbfgs", hidden_layer_sizes=15, random_state=1)
    dense = mlp.fit(X, y).predict_proba(X)
    sparse = mlp.fit(csr_matrix(X), y).predict_proba(csr_matrix(X))
    np.testing.assert_allclose(sparse, dense, rtol=1e-10)
    theirs = MLPClassifier(solver="lbfgs", hidden_layer_sizes=15, random_state=1)
    _assert_same_model(mlp, theirs.fit(csr_matrix(X), y), X)


def test_lbfgs_sample_weights_train_scikit_learns_model():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    w = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    params = dict(solver="lbfgs", hidden_layer_sizes=(12, 7), max_iter=40, random_state=4)
    ours = _quiet(MLPFromScratch(**params).fit, X, y, sample_weight=w)
    theirs = _quiet(MLPClassifier(**params).fit, X, y, sample_weight=w)
    _assert_same_model(ours, theirs, X, rtol=1e-6, atol=1e-8)


def test_lbfgs_gradient_matches_central_differences():
    # scikit-learn's test_gradient, on the loss the fit minimises (penalty included)
    from skscratch.gradcheck import numerical_gradient, relative_error
    from skscratch.lbfgs import LBFGSTrainer

    rng = np.random.RandomState(42)
    X = rng.rand(5, 10)
    for n_labels in (2, 3):
        y = 1 + np.mod(np.arange(5) + 1, n_labels)
        for activation in ACTIVATIONS:
            mlp = _quiet(MLPFromScratch(activation=activation, hidden_layer_sizes=10,
                                        solver="lbfgs", alpha=1e-5, max_iter=1,
                                        random_state=1).fit, X, y)
            target = mlp._fitted.target
            trainer = LBFGSTrainer(mlp.network_, target.loss, alpha=1e-5)
            trainer.batch_size = 5
            Y = target.encode(y, np.float64)
            grad = trainer.loss_and_gradient(X, Y)[1].copy()
            numeric = numerical_gradient(lambda: trainer.loss_and_gradient(X, Y)[0],
                                         mlp.network_.flat_params)
            assert relative_error(grad, numeric) < 1e-6, activation


# ------------------------------------------------------ what lbfgs does differently
def test_partial_fit_is_not_offered_under_lbfgs():
    # scikit-learn: hasattr(MLPClassifier(solver="lbfgs"), "partial_fit") is False
    for est in (MLPFromScratch(solver="lbfgs"), MLPClassifier(solver="lbfgs")):
        assert not hasattr(est, "partial_fit")
        with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
            est.partial_fit
        assert str(info.value.__cause__) == ("partial_fit is only available for stochastic "
                                             "optimizers. lbfgs is not stochastic.")
    assert hasattr(MLPFromScratch(solver="sgd"), "partial_fit")


def test_mini_batch_parameters_play_no_part():
    # scikit-learn: batch_size, shuffle, learning rates, momentum, Adam's, early stopping
    # and n_iter_no_change are not read by lbfgs; no batch_size warning either
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    base = _quiet(MLPFromScratch(10, solver="lbfgs", max_iter=25, random_state=0).fit, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        other = _quiet(MLPFromScratch(
            10, solver="lbfgs", max_iter=25, random_state=0, batch_size=1000, shuffle=False,
            learning_rate_init=0.5, momentum=0.1, beta_1=0.5, early_stopping=True,
            validation_fraction=0.5, n_iter_no_change=1, learning_rate="adaptive").fit, X, y)
    for a, b in zip(_weights(base), _weights(other)):
        np.testing.assert_array_equal(a, b)
    assert other.validation_scores_ is None and other.best_validation_score_ is None
    assert other.best_loss_ == min(other.loss_curve_) and other.t_ == 0


class _Stop(Callback):
    def __init__(self, at):
        self.at, self.seen = at, []

    def on_epoch_end(self, epoch, logs=None):
        owner = self.trainer.owner
        self.seen.append((logs["epoch"], owner.n_iter_, owner.loss_))
        if logs["epoch"] == self.at:
            self.model.stop_training = True


def test_callbacks_run_once_per_iteration_and_a_stop_is_no_convergence_failure():
    X, y = load_iris(return_X_y=True)
    stop = _Stop(at=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = MLPFromScratch(10, solver="lbfgs", random_state=0, callbacks=[stop]).fit(X, y)
    assert [s[0] for s in stop.seen] == [1, 2, 3, 4] and est.n_iter_ == 4
    assert [s[1] for s in stop.seen] == [1, 2, 3, 4]          # published before each call
    assert [s[2] for s in stop.seen] == est.loss_curve_
    with pytest.raises(TypeError, match="ProgressBar.* which full-batch L-BFGS has none of"):
        MLPFromScratch(10, solver="lbfgs", callbacks=[ProgressBar()]).fit(X, y)
    assert est.history_[0]["learning_rate"] is None


class _Interrupt(Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.params["initial_epoch"] + 2:
            raise KeyboardInterrupt


def test_an_interrupted_lbfgs_fit_leaves_the_estimator_as_it_was():
    X, y = load_iris(return_X_y=True)
    est = _quiet(MLPFromScratch(10, solver="lbfgs", max_iter=5, warm_start=True,
                                random_state=0).fit, X, y)
    before = [a.copy() for a in _weights(est)]
    curve, n_iter = list(est.loss_curve_), est.n_iter_
    est.set_params(callbacks=[_Interrupt()], max_iter=50)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    for a, b in zip(_weights(est), before):
        np.testing.assert_array_equal(a, b)
    assert est.loss_curve_ == curve and est.n_iter_ == n_iter


def test_a_diverging_lbfgs_fit_raises_and_leaves_the_estimator_unfitted():
    X = np.random.default_rng(0).standard_normal((40, 3)) * 1e300
    est = MLPFromScratch(5, task="regression", solver="lbfgs", random_state=0)
    with pytest.raises(ValueError, match=r"Training diverged at L-BFGS iteration 1: the loss "
                                         r"became (inf|nan)\. Scale the inputs\."), \
            np.errstate(over="ignore", invalid="ignore"):
        est.fit(X, X[:, 0])
    assert not hasattr(est, "network_")


def test_float32_inputs_train_in_float32_along_scikit_learns_first_iterates():
    # scikit-learn evaluates the loss in X's float32 too (SciPy hands it x in x0's dtype);
    # both agree to float32 rounding over the first iterations
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    params = dict(solver="lbfgs", hidden_layer_sizes=(12,), max_iter=3, random_state=4)
    ours = _quiet(MLPFromScratch(**params).fit, X, y)
    theirs = _quiet(MLPClassifier(**params).fit, X, y)
    assert ours.coefs_[0].dtype == np.float32 and ours.predict_proba(X).dtype == np.float32
    assert ours.n_iter_ == theirs.n_iter_
    for a, b in zip(_weights(ours), _weights(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_the_other_estimators_train_with_lbfgs_without_dropout():
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    conv = _quiet(ConvNetFromScratch((4,), hidden_layer_sizes=(16,), dropout=0.0,
                                     solver="lbfgs", max_iter=60, random_state=0).fit, X, y)
    net = _quiet(NetworkEstimator(solver="lbfgs", max_iter=60, random_state=0).fit, X, y)
    assert conv.score(X, y) > 0.9 and net.score(X, y) > 0.9
    assert conv.n_iter_ == len(conv.loss_curve_) <= 60
    # ConvNetFromScratch's default dropout=0.5 makes the loss change at every evaluation
    with pytest.raises(ValueError, match=r"Dropout draws new dropout masks \(rate 0\.5\).*"
                                         "dropout=0"):
        ConvNetFromScratch(solver="lbfgs", max_iter=2).fit(X, y)
