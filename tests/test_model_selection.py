"""The range test for estimators and pipelines, and scikit-learn's searches over max_iter."""

import copy
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import HalvingGridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import ConvNetFromScratch, MLPFromScratch, Network, NetworkEstimator
from skscratch.callbacks import EarlyStopping
from skscratch.layers import Dense
from skscratch.model_selection import find_learning_rate


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def _pipe(solver="adam", **params):
    return Pipeline([("scale", StandardScaler()),
                     ("mlp", MLPFromScratch((64,), solver=solver, random_state=0, **params))])


def test_the_estimator_passed_in_is_left_as_it_was(digits):
    X, y = digits
    stopper = EarlyStopping("loss", patience=2)
    fitted = MLPFromScratch((16,), max_iter=5, callbacks=[stopper], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted.fit(X[:300] / 16, y[:300])
    params, state = fitted.get_params(), copy.deepcopy(vars(fitted))
    weights = [w.copy() for w in fitted.coefs_ + fitted.intercepts_]
    find_learning_rate(fitted, X / 16, y, random_state=1)
    assert fitted.get_params() == params and fitted.callbacks[0] is stopper
    assert sorted(vars(fitted)) == sorted(state) and fitted.loss_curve_ == state["loss_curve_"]
    for a, b in zip(fitted.coefs_ + fitted.intercepts_, weights):
        np.testing.assert_array_equal(a, b)
    pipe = _pipe()
    find_learning_rate(pipe, X, y)
    assert not hasattr(pipe.named_steps["scale"], "mean_")
    assert not hasattr(pipe.named_steps["mlp"], "network_")


def test_a_pipeline_fits_its_preprocessing_then_tests_its_estimator(digits):
    X, y = digits
    through = find_learning_rate(_pipe(), X, y, steps=40)
    direct = find_learning_rate(MLPFromScratch((64,), random_state=0),
                                StandardScaler().fit_transform(X), y, steps=40)
    np.testing.assert_array_equal(through.raw_losses_, direct.raw_losses_)
    nested = Pipeline([("outer", StandardScaler()), ("inner", _pipe())])
    assert find_learning_rate(nested, X, y, steps=5).learning_rates_.size == 5


def test_random_state_makes_the_test_repeatable(digits):
    X, y = digits
    model = Pipeline([("scale", StandardScaler()), ("mlp", MLPFromScratch((32,)))])
    first = find_learning_rate(model, X, y, steps=30, random_state=3)
    again = find_learning_rate(model, X, y, steps=30, random_state=3)
    np.testing.assert_array_equal(first.raw_losses_, again.raw_losses_)
    # None keeps the estimator's own random_state
    own = find_learning_rate(model.set_params(mlp__random_state=3), X, y, steps=30)
    np.testing.assert_array_equal(own.raw_losses_, first.raw_losses_)
    other = find_learning_rate(model, X, y, steps=30, random_state=4)
    assert not np.array_equal(other.raw_losses_, first.raw_losses_)


@pytest.mark.parametrize("solver, good", [
    # 5-fold CV accuracy within 0.01 of the best of a grid search, measured on digits
    # (Adam 200 epochs, SGD 50; docs/learning_rate_finder.md): the suggestion must land there
    ("adam", (3e-4, 7e-2)),
    ("sgd", (6e-3, 0.5)),
])
def test_the_suggestion_lands_where_digits_trains_well(digits, solver, good):
    for seed in range(3):
        found = find_learning_rate(_pipe(solver), *digits, random_state=seed)
        assert good[0] < found.suggestion_ < good[1]


def test_divergence_and_short_fits_warn_nothing(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = find_learning_rate(_pipe("sgd", momentum=0.99), X, y, min_lr=1e-3, max_lr=1e6,
                                   steps=60, divergence=1e30)
    assert found.diverged_ and found.suggestion_ < 10


@pytest.mark.parametrize("estimator", [LogisticRegression(), make_pipeline(
    StandardScaler(), LogisticRegression())])
def test_other_estimators_are_refused_by_name(estimator, digits):
    with pytest.raises(TypeError, match="LogisticRegression"):
        find_learning_rate(estimator, *digits)


def test_bad_ranges_are_refused_before_anything_is_fitted(digits):
    pipe = _pipe()
    with pytest.raises(ValueError, match="min_lr must be below max_lr"):
        find_learning_rate(pipe, *digits, min_lr=0.1, max_lr=0.01)
    with pytest.raises(ValueError, match="max_lr must lie in"):
        find_learning_rate(pipe, *digits, max_lr=float("nan"))
    assert not hasattr(pipe.named_steps["scale"], "mean_")


def test_every_kind_of_estimator_and_networks_are_tested(digits):
    X, y = digits
    X = X / 16

    def build(input_shape, n_outputs):
        return Network([Dense(16, "relu"), Dense(n_outputs)])

    for estimator in (NetworkEstimator(build, random_state=0),
                      ConvNetFromScratch((4,), hidden_layer_sizes=(), random_state=0)):
        found = find_learning_rate(estimator, X[:400], y[:400], steps=15)
        assert len(found.learning_rates_) == 15
    net = Network([Dense(16, "relu"), Dense(10)])
    kwargs = dict(loss="log_loss", optimizer="adam", batch_size=200, steps=20, random_state=0)
    np.testing.assert_array_equal(find_learning_rate(net, X, y, **kwargs).raw_losses_,
                                  net.find_learning_rate(X, y, **kwargs).raw_losses_)


def test_sample_weights_reach_the_final_estimator(digits):
    X, y = digits
    weights = np.where(y < 5, 1.0, 0.0)
    weighted = find_learning_rate(_pipe(), X, y, steps=10, mlp__sample_weight=weights)
    plain = find_learning_rate(_pipe(), X, y, steps=10)
    assert not np.array_equal(weighted.raw_losses_, plain.raw_losses_)


@pytest.mark.parametrize("option", [{"epochs": 2}, {"verbose": 1},
                                    {"callbacks": [EarlyStopping("loss", patience=0)]}])
def test_fit_options_that_would_cut_or_stop_the_test_are_refused(option, digits):
    X, y = digits

    def build(input_shape, n_outputs):
        return Network([Dense(8, "relu"), Dense(n_outputs)])

    pipe = make_pipeline(StandardScaler(), NetworkEstimator(build, random_state=0))
    name = next(iter(option))
    with pytest.raises(TypeError, match=f"'networkestimator__{name}'"):
        find_learning_rate(pipe, X, y, **{f"networkestimator__{name}": option[name]})
    assert not hasattr(pipe.steps[0][1], "mean_")
    with pytest.raises(TypeError, match=f"'{name}'"):
        find_learning_rate(NetworkEstimator(build), X, y, **option)

def test_successive_halving_over_max_iter(digits):
    X, y = digits
    search = HalvingGridSearchCV(_pipe(), {"mlp__learning_rate_init": [1e-4, 1e-3, 1e-2, 1.0]},
                                 resource="mlp__max_iter", min_resources=5, max_resources=20,
                                 factor=2, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert list(search.n_resources_) == [5, 10, 20] and list(search.n_candidates_) == [4, 2, 1]
    best = search.best_estimator_.named_steps["mlp"]
    assert best.max_iter == 20 and best.n_iter_ <= 20
    assert search.best_params_["mlp__learning_rate_init"] in (1e-3, 1e-2)
    assert search.best_score_ > 0.9


def test_lbfgs_has_no_learning_rate_to_find():
    from sklearn.datasets import load_iris

    from skscratch import MLPClassifier
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="solver='lbfgs' takes no learning rate"):
        find_learning_rate(MLPClassifier(solver="lbfgs"), X, y)
