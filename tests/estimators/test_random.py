"""Same data, parameters and random_state: the same model as scikit-learn's MLP.

``MLPFromScratch`` draws its initial weights, early-stopping split and epoch
shuffles from the same ``RandomState`` stream as ``MLPClassifier`` and
``MLPRegressor`` (``skscratch/estimators/_data.py``), so whole fits are
compared here, scikit-learn being the oracle: weights, loss curves, stopping
epochs and predictions agree to rounding.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone, is_regressor
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import ConvNetFromScratch, MLPFromScratch, NetworkEstimator, set_random_seed
from skscratch.estimators._data import EpochOrder, fit_random_state, side_generator

TOL = dict(rtol=1e-9, atol=1e-12)


def _quiet(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit(*args, **kwargs)


def _data(target):
    if target == "regression":
        X, y = load_diabetes(return_X_y=True)
        return StandardScaler().fit_transform(X), y          # raw targets, as users pass them
    if target == "poisson":                                  # counts, zeros among them
        X, y = load_diabetes(return_X_y=True)
        return StandardScaler().fit_transform(X), np.floor(np.maximum(y - 60, 0) / 25)
    if target == "multilabel":
        return make_multilabel_classification(150, 8, n_classes=3, random_state=0)
    X, y = load_breast_cancer(return_X_y=True) if target == "binary" else load_iris(
        return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _pair(target, **params):
    if target == "regression":
        return MLPFromScratch(task="regression", **params), MLPRegressor(**params)
    if target == "poisson":
        return (MLPFromScratch(task="regression", loss="poisson", **params),
                MLPRegressor(loss="poisson", **params))
    return MLPFromScratch(**params), MLPClassifier(**params)


def _assert_same_model(ours, theirs, X):
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, **TOL)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, **TOL)
    if is_regressor(ours):
        np.testing.assert_allclose(ours.predict(X), theirs.predict(X), **TOL)
    else:
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel", "regression",
                                    "poisson"])
@pytest.mark.parametrize("params", [
    {},
    {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.05},
    {"solver": "sgd", "learning_rate": "adaptive", "nesterovs_momentum": False},
    {"activation": "logistic", "batch_size": 37},
    {"activation": "tanh", "early_stopping": True, "validation_fraction": 0.2},
    {"shuffle": False, "alpha": 0.1},
], ids=["adam", "sgd-invscaling", "sgd-adaptive", "logistic-odd-batches", "tanh-early-stop",
        "no-shuffle"])
def test_same_random_state_trains_scikit_learns_model(target, params):
    if target == "multilabel" and params.get("early_stopping"):
        pytest.skip("scikit-learn's multilabel early stopping is covered by the regression case")
    X, y = _data(target)
    ours, theirs = _pair(target, hidden_layer_sizes=(12, 7), max_iter=60, random_state=4,
                         **params)
    _assert_same_model(_quiet(ours.fit, X, y), _quiet(theirs.fit, X, y), X)
    if params.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_, **TOL)
        assert ours.best_validation_score_ == pytest.approx(theirs.best_validation_score_)


def test_sample_weights_and_unscaled_inputs_give_scikit_learns_model():
    # issue 15's small-data case: raw iris with weights converges as MLPClassifier does
    X, y = load_iris(return_X_y=True)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    ours, theirs = _pair("multiclass", random_state=0)
    _assert_same_model(_quiet(ours.fit, X, y, sample_weight=w),
                       _quiet(theirs.fit, X, y, sample_weight=w), X)
    assert ours.score(X, y) == theirs.score(X, y) > 0.9


def test_warm_start_and_partial_fit_follow_scikit_learns_streams():
    X, y = _data("multiclass")
    ours, theirs = _pair("multiclass", hidden_layer_sizes=(9,), max_iter=15, random_state=2)
    for est in (ours, theirs):
        _quiet(est.fit, X, y)
        _quiet(est.set_params(warm_start=True, max_iter=5).fit, X, y)
        est.set_params(warm_start=False)       # partial_fit chunks need not hold every class
        for chunk in np.array_split(np.arange(len(y)), 3):
            est.partial_fit(X[chunk], y[chunk])
    _assert_same_model(ours, theirs, X)


def test_a_random_state_instance_is_consumed_as_scikit_learn_consumes_it():
    X, y = _data("binary")
    rs_ours, rs_theirs = np.random.RandomState(7), np.random.RandomState(7)
    ours, theirs = _pair("binary", hidden_layer_sizes=(5,), max_iter=5)
    for _ in range(2):          # the second fit continues each instance's stream
        _quiet(ours.set_params(random_state=rs_ours).fit, X, y)
        _quiet(theirs.set_params(random_state=rs_theirs).fit, X, y)
        _assert_same_model(ours, theirs, X)
    assert rs_ours.randint(2**31) == rs_theirs.randint(2**31)


def test_float32_inputs_start_from_scikit_learns_weights_cast_to_float32():
    X, y = _data("multiclass")
    X = X.astype(np.float32)
    ours, theirs = _pair("multiclass", hidden_layer_sizes=(6,), max_iter=1, random_state=0,
                         learning_rate_init=1e-12)
    _quiet(ours.fit, X, y), _quiet(theirs.fit, X, y)
    for a, b in zip(ours.coefs_, theirs.coefs_):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_a_learning_rate_grid_search_selects_what_scikit_learn_selects():
    # the headline use (benchmark W6): the same scores, so the same choice
    X, y = _data("multiclass")
    rates = [1e-3, 1e-2, 1e-1]
    ours = GridSearchCV(make_pipeline(StandardScaler(), MLPFromScratch(
        (8,), max_iter=30, random_state=0)), {"mlpfromscratch__learning_rate_init": rates}, cv=3)
    theirs = GridSearchCV(make_pipeline(StandardScaler(), MLPClassifier(
        (8,), max_iter=30, random_state=0)), {"mlpclassifier__learning_rate_init": rates}, cv=3)
    _quiet(ours.fit, X, y), _quiet(theirs.fit, X, y)
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], atol=1e-12)
    assert list(ours.best_params_.values()) == list(theirs.best_params_.values())


def test_epoch_order_shuffles_the_previous_order_each_epoch():
    order = EpochOrder(np.random.RandomState(0))
    first, second = order(10).copy(), order(10).copy()
    reference = np.random.RandomState(0)
    expected = np.arange(10)
    for got in (first, second):
        perm = np.arange(10)
        reference.shuffle(perm)
        expected = expected[perm]
        np.testing.assert_array_equal(got, expected)


def test_side_draws_never_advance_the_fits_stream():
    rs = np.random.RandomState(3)
    assert fit_random_state(rs) is rs
    side_generator(rs).random()
    assert rs.randint(2**31) == np.random.RandomState(3).randint(2**31)
    assert fit_random_state(None) is np.random.mtrand._rand     # NumPy's global instance
    before = np.random.get_state()
    side_generator(None).random()                                # copied, not advanced
    np.testing.assert_array_equal(np.random.get_state()[1], before[1])
    assert np.random.get_state()[2:] == before[2:]


@pytest.mark.parametrize("target", ["multiclass", "regression"])
def test_random_state_none_draws_from_the_global_random_state_as_scikit_learn_does(target):
    # np.random.seed(0) then random_state=None: the same model as scikit-learn's under the
    # same seed (weights, split and shuffles from NumPy's global RandomState), every time,
    # and the global stream left where scikit-learn leaves it
    X, y = _data(target)
    ours, theirs = _pair(target, hidden_layer_sizes=(6,), max_iter=8, early_stopping=True)
    models, positions = [], []
    for est in (ours, theirs, clone(ours)):
        np.random.seed(0)
        models.append(_quiet(est.fit, X, y))
        positions.append(np.random.randint(2**31))
    _assert_same_model(models[0], models[1], X)
    _assert_same_model(models[0], models[2], X)
    assert positions[0] == positions[1] == positions[2]
    np.random.seed(1)
    other = _quiet(clone(ours).fit, X, y)
    assert not np.allclose(other.coefs_[0], models[0].coefs_[0])


def test_set_random_seed_seeds_the_global_random_state_and_refuses_what_numpy_refuses():
    set_random_seed(np.uint32(2**32 - 1))
    after_max = np.random.random_sample()
    set_random_seed(7)
    assert np.random.random_sample() == np.random.RandomState(7).random_sample()
    # a seed past NumPy's range is refused, not wrapped onto another seed's stream
    for seed in (2**32, 2**32 + 7, -1, True, 1.0):
        with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*32 - 1\]"):
            set_random_seed(seed)
    assert after_max == np.random.RandomState(2**32 - 1).random_sample()


@pytest.mark.parametrize("make", [
    lambda: ConvNetFromScratch((2,), hidden_layer_sizes=(5,), max_iter=2),
    lambda: NetworkEstimator(max_iter=3, early_stopping=True),
    lambda: MLPFromScratch((5,), dropout=0.3, max_iter=3)], ids=["convnet", "network", "mlp"])
def test_a_global_seed_makes_every_estimators_fits_reproducible(make):
    # ConvNetFromScratch and NetworkEstimator seed their generator from the global
    # RandomState, as scikit-learn's estimators do; dropout masks follow the seed too
    X, y = load_digits(return_X_y=True)
    X, y = X[:150] / 16, y[:150]
    weights = []
    for seed in (0, 0, 1):
        np.random.seed(seed)
        weights.append(_quiet(make().fit, X, y).network_.get_weights())
    for a, b in zip(weights[0], weights[1]):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, c) for a, c in zip(weights[0], weights[2]))


@pytest.mark.parametrize("target", ["binary", "regression"])
def test_sample_weights_over_several_batches_give_scikit_learns_model(target):
    # an epoch's loss averages the batches' weighted losses by their rows, as
    # scikit-learn does: the stopping epoch (and so the model) depends on it
    X, y = _data(target)
    w = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    ours, theirs = _pair(target, hidden_layer_sizes=(7,), max_iter=400, random_state=0)
    _assert_same_model(_quiet(ours.fit, X, y, sample_weight=w),
                       _quiet(theirs.fit, X, y, sample_weight=w), X)
