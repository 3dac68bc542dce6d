"""Continued fits checked against the fitted model, and named errors instead of raw ones."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning

from skscratch import ConvNetFromScratch, MLPFromScratch, Network, NetworkEstimator
from skscratch.layers import BatchNorm, Dense


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:120] / 16, y[:120]


def small_convnet(**kw):
    return ConvNetFromScratch(**{"filters": (2,), "hidden_layer_sizes": (4,), "max_iter": 2,
                                 "random_state": 0, **kw})


def continue_fit(model, how, X, y):
    return getattr(model, "partial_fit" if how == "partial_fit" else "fit")(X, y)


# ------------------------------------------------- target shape on continued fits
@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_a_two_column_y_on_a_binary_model_is_refused(how):
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    model = _quiet(MLPFromScratch((8,), max_iter=3, warm_start=True, random_state=0).fit, X, y)
    before = [w.copy() for w in model.coefs_]
    with pytest.raises(ValueError, match=r"y has shape \(569, 2\).*1-D"):
        continue_fit(model, how, X, np.c_[y, y])
    for w, b in zip(model.coefs_, before):
        np.testing.assert_array_equal(w, b)


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_an_indicator_y_on_a_multiclass_model_is_refused(iris, how):
    X, y = iris
    model = _quiet(MLPFromScratch((8,), max_iter=3, warm_start=True, random_state=0).fit, X, y)
    indicator = np.eye(3, dtype=int)[y]
    with pytest.raises(ValueError, match=r"y has shape \(150, 3\).*classes \[0, 1, 2\]"):
        continue_fit(model, how, X, indicator)


def test_regression_with_another_number_of_outputs_is_still_refused(iris):
    X, y = iris
    model = _quiet(MLPFromScratch((8,), task="regression", max_iter=3).fit, X, y)
    with pytest.raises(ValueError, match="2 outputs; the model was fitted with 1"):
        model.partial_fit(X, np.c_[y, y])


# ------------------------------------------------- architecture of continued fits
@pytest.mark.parametrize("change", [{"hidden_layer_sizes": (5,)}, {"activation": "tanh"},
                                    {"dropout": 0.5}])
@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_mlp_refuses_to_continue_with_another_architecture(iris, change, how):
    X, y = iris
    model = _quiet(MLPFromScratch((8,), max_iter=3, warm_start=True, random_state=0).fit, X, y)
    model.set_params(**change)
    (name, value), = change.items()
    message = f"{name}={value!r} differs from the previous fit's {name}="
    with pytest.raises(ValueError, match=re.escape(message)):
        continue_fit(model, how, X, y)


def test_an_equal_architecture_written_differently_continues(iris):
    X, y = iris
    model = _quiet(MLPFromScratch(8, max_iter=3, warm_start=True, random_state=0).fit, X, y)
    model.set_params(hidden_layer_sizes=[8], dropout=0)
    _quiet(model.fit, X, y)
    model.partial_fit(X, y)
    # a fresh fit builds the new network
    _quiet(model.set_params(hidden_layer_sizes=(3,), warm_start=False).fit, X, y)
    assert model.coefs_[0].shape == (4, 3)


@pytest.mark.parametrize("change", [{"filters": (3,)}, {"kernel_size": 5}, {"strides": 2},
                                    {"padding": "valid"}, {"pool_size": 1},
                                    {"hidden_layer_sizes": (6,)}, {"batch_norm": True},
                                    {"input_shape": (8, 8)}, {"activation": "tanh"},
                                    {"dropout": 0.3}])
def test_convnet_refuses_to_continue_with_another_architecture(digits, change):
    X, y = digits
    model = _quiet(small_convnet(warm_start=True).fit, X, y)
    (name, _), = change.items()
    with pytest.raises(ValueError, match=rf"{name}=.*previous fit"):
        _quiet(model.set_params(**change).fit, X, y)
    with pytest.raises(ValueError, match=rf"{name}=.*previous fit"):
        model.partial_fit(X, y)


def build(input_shape, n_outputs, units=4):
    return Network([Dense(units, "relu"), Dense(n_outputs)])


def build_other(input_shape, n_outputs, units=4):
    return Network([Dense(units, "tanh"), Dense(n_outputs)])


@pytest.mark.parametrize("change", [{"model__units": 6}, {"model": build_other}])
def test_network_estimator_refuses_to_continue_with_another_model(iris, change):
    X, y = iris
    model = _quiet(NetworkEstimator(build, max_iter=3, warm_start=True, random_state=0).fit,
                   X, y)
    _quiet(model.fit, X, y)                       # unchanged: continues
    (name, _), = change.items()
    with pytest.raises(ValueError, match=rf"{name}=.*previous fit"):
        _quiet(model.set_params(**change).fit, X, y)


def test_a_network_model_continues_when_it_is_the_same_object(iris):
    X, y = iris
    net = Network([Dense(4, "relu"), Dense(3)])
    model = _quiet(NetworkEstimator(net, max_iter=3, warm_start=True, random_state=0).fit, X, y)
    _quiet(model.fit, X, y)
    with pytest.raises(ValueError, match="model=.*previous fit"):
        _quiet(model.set_params(model=Network([Dense(5, "relu"), Dense(3)])).fit, X, y)


def test_a_loaded_model_remembers_its_architecture(iris, tmp_path):
    from skscratch import load, save
    X, y = iris
    save(_quiet(MLPFromScratch((8,), max_iter=3, random_state=0).fit, X, y), tmp_path / "m.npz")
    model = load(tmp_path / "m.npz")
    model.partial_fit(X, y)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes=\(5,\) differs"):
        model.set_params(hidden_layer_sizes=(5,)).partial_fit(X, y)


# ------------------------------------------------------- task and loss after a fit
@pytest.mark.parametrize("make", [lambda **kw: MLPFromScratch((8,), max_iter=3, **kw),
                                  lambda **kw: NetworkEstimator(build, max_iter=3, **kw),
                                  lambda **kw: small_convnet(**kw)])
@pytest.mark.parametrize("fitted_for", ["classification", "regression"])
def test_a_task_changed_after_the_fit_is_refused_by_name(digits, make, fitted_for, tmp_path):
    # the network, outputs and classes are the fitted task's: read as the other task,
    # a classifier would predict labels as a "regressor", and a regressor fail with
    # AttributeErrors
    X, y = digits
    other = "regression" if fitted_for == "classification" else "classification"
    model = _quiet(make(task=fitted_for, random_state=0).fit, X,
                   y if fitted_for == "classification" else y.astype(float))
    before = model.predict(X)
    model.set_params(task=other)
    message = f"task='{other}', but this .* was fitted for {fitted_for}"
    # save too: load() would refuse a file whose task its target is not for
    calls = [model.predict, model.predict_proba, lambda X: model.score(X, y),
             lambda X: model.save(tmp_path / "model.npz"),
             lambda X: model.partial_fit(X, y),
             lambda X: _quiet(model.set_params(warm_start=True).fit, X, y)]
    for call in calls:
        with pytest.raises(ValueError, match=message):
            call(X)
    model.set_params(task=fitted_for, warm_start=False)
    np.testing.assert_array_equal(model.predict(X), before)        # nothing changed
    _quiet(model.set_params(task=other).fit, X, y)                 # a fresh fit is fine
    assert model.predict(X).dtype == (float if other == "regression" else y.dtype)


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_a_loss_changed_after_the_fit_is_refused_for_continued_fits(iris, how):
    X, y = iris
    model = _quiet(MLPFromScratch((8,), task="regression", loss="squared_error", max_iter=3,
                                  warm_start=True, random_state=0).fit, X, y.astype(float))
    model.set_params(loss="huber")
    with pytest.raises(ValueError, match="loss='huber' differs from the previous fit's loss="
                                         "'squared_error'"):
        continue_fit(model, how, X, y.astype(float))


# ------------------------------------------------------ batch norm and batches of one
def batch_norm_model(input_shape, n_outputs):
    return Network([Dense(4), BatchNorm(), Dense(n_outputs)])


@pytest.mark.parametrize("n_samples, batch_size", [(120, 1), (1, "auto")])
def test_batch_norm_refuses_batches_of_one_sample(n_samples, batch_size):
    X, y = load_digits(return_X_y=True)
    X, y = X[:n_samples] / 16, y[:n_samples].astype(float)
    model = small_convnet(batch_norm=True, batch_size=batch_size, task="regression")
    with pytest.raises(ValueError, match="batches of at least 2 samples.*every batch"):
        model.fit(X, y)
    network = NetworkEstimator(batch_norm_model, batch_size=batch_size, max_iter=2,
                               task="regression")
    with pytest.raises(ValueError, match="batches of at least 2 samples.*every batch"):
        network.fit(X, y)


@pytest.mark.parametrize("n_samples, batch_size", [(121, 10), (201, "auto")])
def test_batch_norm_takes_a_last_batch_of_one_sample(n_samples, batch_size, monkeypatch):
    # a Keras/scikit-learn user's batch_size="auto" on 201 samples: the last batch is
    # one row, which BatchNorm normalizes with its running statistics (unchanged)
    X, y = load_digits(return_X_y=True)
    X, y = X[:n_samples] / 16, y[:n_samples]
    seen = []
    forward = BatchNorm.forward

    def recording(self, x, training=False):
        if training:
            seen.append((x.size // x.shape[-1], self.state["running_var"].copy()))
        out = forward(self, x, training)
        if training:
            seen[-1] += (self.state["running_var"].copy(),)
        return out

    monkeypatch.setattr(BatchNorm, "forward", recording)
    model = _quiet(small_convnet(batch_norm=True, batch_size=batch_size).fit, X, y)
    assert model.n_iter_ == 2 and np.isfinite(model.predict_proba(X)).all()
    # one value per channel: the dense BatchNorm's last batch, in both epochs (the
    # convolution's BatchNorm has 8x8 values per channel even in one image)
    ones = [(before, after) for values, before, after in seen if values == 1]
    assert len(ones) == 2
    for before, after in ones:
        np.testing.assert_array_equal(before, after)
    assert all(var.min() > 1e-3 for _, _, var in seen)      # no collapse towards 0
    network = _quiet(NetworkEstimator(batch_norm_model, batch_size=batch_size, max_iter=2,
                                      random_state=0).fit, X, y)
    assert np.isfinite(network.predict_proba(X)).all()


# ----------------------------------------------------------- channels-first images
def test_channels_first_images_warn_and_still_fit(digits):
    X, y = digits
    with pytest.warns(UserWarning, match=r"channels-first.*transpose\(0, 2, 3, 1\)"):
        model = _quiet(small_convnet().fit, X.reshape(-1, 1, 8, 8), y)
    assert model.input_shape_ == (1, 8, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _quiet(small_convnet().fit, X.reshape(-1, 8, 8, 1), y)
        _quiet(small_convnet().fit, X.reshape(-1, 8, 8), y)
        _quiet(small_convnet(input_shape=(1, 8, 8)).fit, X.reshape(-1, 1, 8, 8), y)


# ------------------------------------------------------------------ named errors
def test_a_huge_power_t_is_a_named_error(iris):
    X, y = iris
    model = MLPFromScratch((4,), solver="sgd", learning_rate="invscaling", power_t=1e300,
                           max_iter=3, random_state=0)
    with pytest.raises(ValueError, match="power_t=1e\\+300.*invscaling"):
        model.fit(X, y)
    assert not hasattr(model, "network_")


def test_invscaling_is_unchanged_for_usual_powers(iris):
    X, y = iris
    model = _quiet(MLPFromScratch((4,), solver="sgd", learning_rate="invscaling",
                                  power_t=0.5, max_iter=3, random_state=0).fit, X, y)
    assert model._fitted.optimizer.learning_rate == pytest.approx(1e-3 / (2 * 150 + 1) ** 0.5)


@pytest.mark.parametrize("shape", [(0, 8, 8), (0, 8, 8, 1), (0, 64)])
def test_convnet_on_zero_samples_says_so(shape):
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        small_convnet().fit(np.zeros(shape), np.zeros(0))


def test_network_estimator_on_zero_images_says_so():
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        NetworkEstimator(max_iter=1).fit(np.zeros((0, 8, 8)), np.zeros(0))


@pytest.mark.parametrize("labels, named", [(["a", 1, "b", 2], "int.*str"),
                                           (["a", None, "b", "a"], "NoneType.*str")])
def test_labels_of_mixed_types_are_a_named_error(iris, labels, named):
    y = np.array(labels * 5, dtype=object)
    with pytest.raises(ValueError, match=rf"y mixes labels of types .*{named}"):
        MLPFromScratch(max_iter=1).fit(iris[0][:20], y)


@pytest.mark.parametrize("param", ["batch_size", "max_iter", "n_iter_no_change", "alpha",
                                   "learning_rate_init"])
def test_bools_are_not_numbers(iris, param):
    with pytest.raises((TypeError, ValueError), match=rf"'{param}'.*bool.*True"):
        MLPFromScratch(**{"max_iter": 1, param: True}).fit(*iris)


@pytest.mark.parametrize("param", ["alpha", "learning_rate_init", "tol", "power_t", "epsilon"])
def test_an_integer_no_float_can_hold_is_a_named_error_and_changes_nothing(iris, param):
    # scikit-learn's Interval(Real) takes any int; 10**400 overflowed deep in training
    est = MLPFromScratch(max_iter=1, random_state=0, **{param: 10**400})
    with pytest.raises(ValueError, match=rf"'{param}'.*float can hold.*401 digits"):
        est.fit(*iris)
    assert not hasattr(est, "network_")


@pytest.mark.parametrize("param", ["filters", "kernel_size", "strides", "pool_size"])
def test_convnet_refuses_bool_sizes(digits, param):
    with pytest.raises((TypeError, ValueError), match=rf"'{param}'.*bool"):
        small_convnet(**{param: True}).fit(*digits)


@pytest.mark.parametrize("kernel_size, shape", [(100, (8, 8)), ((3, 40), (8, 8)),
                                                (5, (1, 64))])
def test_a_kernel_far_larger_than_the_image_is_refused(kernel_size, shape):
    X = np.random.default_rng(0).random((10, *shape))
    model = small_convnet(kernel_size=kernel_size, padding="same")
    with pytest.raises(ValueError, match="kernel_size=.*at most"):
        model.fit(X, np.arange(10) % 2)


def test_usual_kernels_on_small_maps_and_signals_still_fit(digits):
    X, y = digits
    _quiet(ConvNetFromScratch((2, 2, 2), hidden_layer_sizes=(), max_iter=1).fit, X, y)
    signals = np.random.default_rng(0).random((10, 1, 30))
    _quiet(small_convnet().fit, signals, np.arange(10) % 2)
    _quiet(small_convnet(kernel_size=(1, 7)).fit, signals, np.arange(10) % 2)


@pytest.mark.parametrize("column", [pd.date_range("2020", periods=150),
                                    pd.date_range("2020", periods=150, tz="UTC"),
                                    pd.to_timedelta(np.arange(150), "s"),
                                    pd.period_range("2020-01", periods=150, freq="M"),
                                    pd.Categorical(pd.date_range("2020", periods=150))])
def test_datetime_columns_are_named(iris, column):
    X, y = iris
    df = pd.DataFrame(X, columns=list("abcd")).assign(when=column)
    with pytest.raises(ValueError, match="'when'"):
        MLPFromScratch(max_iter=1).fit(df, y)
    model = _quiet(MLPFromScratch(max_iter=1).fit, df.drop(columns="when"), y)
    with pytest.raises(ValueError, match="'when'"):
        model.predict(df.drop(columns="a"))


@pytest.mark.parametrize("kind", ["datetime", "datetime_utc", "date", "time", "duration"])
def test_polars_temporal_columns_are_named_not_read_as_numbers(iris, kind):
    # polars hands them over as integers (microseconds since 1970, days...): a model
    # trained on those fitted without a word
    pl = pytest.importorskip("polars")
    X, y = iris
    start = pl.datetime(2020, 1, 1)
    when = {"datetime": start, "datetime_utc": start.dt.replace_time_zone("UTC"),
            "date": start.dt.date(), "time": start.dt.time(),
            "duration": start - pl.datetime(2019, 1, 1)}[kind]
    df = pl.DataFrame(X, schema=list("abcd")).with_columns(when.alias("when"))
    with pytest.raises(ValueError, match="date, time or duration column.*'when'"):
        MLPFromScratch(max_iter=1).fit(df, y)
    model = _quiet(MLPFromScratch(max_iter=1).fit, df.drop("when"), y)
    assert list(model.feature_names_in_) == list("abcd")
    with pytest.raises(ValueError, match="'when'"):
        model.predict(df.drop("a"))


# ------------------------------------------------------ messages: each fact once
def test_a_divergence_names_the_learning_rate_once():
    X = np.random.default_rng(0).standard_normal((50, 4)) * 1e3
    est = MLPFromScratch((16,), task="regression", solver="sgd", learning_rate_init=1e3,
                         batch_size=5, max_iter=30, tol=0)
    with pytest.raises(ValueError) as info:
        est.fit(X, X[:, 0] * 1e3)
    message = str(info.value)
    assert re.fullmatch(r"Training diverged at epoch \d+: the (loss|weights) .*\. Try a smaller "
                        r"learning rate \(learning_rate_init=1000\.0\) or scale the inputs\.",
                        message), message
    assert message.count("1000") == 1 and message.count("learning rate") == 1


@pytest.mark.parametrize("labels", [np.zeros(6), np.array(["spam"] * 6), np.ones(6, bool)])
def test_a_single_class_is_named_as_the_user_wrote_it(labels):
    with pytest.raises(ValueError) as info:
        MLPFromScratch((2,), max_iter=1).fit(np.eye(6), labels)
    assert str(info.value).endswith(f"got 1 class: {labels.tolist()[0]!r}.")
    assert "np." not in str(info.value)


@pytest.mark.parametrize("labels, rare", [
    (np.array(["False"] * 19 + ["True"]), "['True']"),
    (np.array([False] * 19 + [True]), "[True]"),
    (np.array([10] * 19 + [20]), "[20]")])
def test_early_stoppings_stratification_names_the_users_labels(labels, rare):
    # the split is stratified on the labels as given, not on their encoding ([1])
    X = np.random.default_rng(0).standard_normal((20, 3))
    for est in (MLPFromScratch((2,), early_stopping=True, max_iter=1, random_state=0),
                NetworkEstimator(early_stopping=True, max_iter=1, random_state=0)):
        with pytest.raises(ValueError, match="could not hold out") as info:
            est.fit(X, labels)
        assert str(info.value).endswith(f"Classes with too few members are: {rare}")


# ------------------------------------------------------------- set_params
def _build(n_hidden=3):
    return Network([Dense(n_hidden, "relu"), Dense(1)])


@pytest.mark.parametrize("estimator", [MLPFromScratch(), ConvNetFromScratch(),
                                       NetworkEstimator(_build, model__n_hidden=4)],
                         ids=["mlp", "convnet", "network_estimator"])
@pytest.mark.parametrize("change", [{"max_iter": 7, "no_such_parameter": 1},
                                    {"max_iter": 7, "max_iter__nested": 1}])
def test_a_refused_set_params_changes_no_parameter(estimator, change):
    before = estimator.get_params()
    if isinstance(estimator, NetworkEstimator):
        change = {**change, "model__n_hidden": 9}
    with pytest.raises((ValueError, AttributeError)):
        estimator.set_params(**change)
    assert estimator.get_params() == before
