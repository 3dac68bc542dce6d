"""NetworkEstimator: any network or model in scikit-learn workflows.
"""

import pickle
import warnings

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import skscratch
from skscratch import (
    MLPFromScratch,
    Model,
    Network,
    NetworkClassifier,
    NetworkEstimator,
    NetworkRegressor,
    optimizers,
)
from skscratch.callbacks import EarlyStopping, ModelCheckpoint
from skscratch.estimators.network_estimator import (
    by_input_name,
    flat_rows,
    input_columns,
    input_names,
    split_columns,
)
from skscratch.layers import Concatenate, Conv2D, Dense, Flatten, Input, InputLayer, MaxPool2D
from skscratch.optimizers import SGD
from tests.conftest import summary_text


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


def mlp(input_shape, n_outputs, units=16, depth=1):
    """A build function with architecture parameters."""
    return Network([Dense(units, "relu", kernel_initializer="glorot_uniform")
                    for _ in range(depth)] + [Dense(n_outputs)])


def wide_and_deep(input_shape, n_outputs, units=30):
    (n_wide,), (n_deep,) = input_shape
    wide, deep = Input((n_wide,), name="wide"), Input((n_deep,), name="deep")
    h = Dense(units, "relu")(Dense(units, "relu")(deep))
    return Model([wide, deep], Dense(n_outputs)(Concatenate()([wide, h])))


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def keras_classifier(n_neurons=16, n_outputs=2):
    """A Keras-style build function: compiled, with a probability output (a sigmoid for
    binary targets, one output; a softmax over the classes otherwise)."""
    binary = n_outputs == 1
    model = Network([Dense(n_neurons, activation="relu"),
                     Dense(n_outputs, "sigmoid" if binary else "softmax")])
    model.compile(loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
                  optimizer="adam", metrics=["accuracy"])
    return model


def keras_regressor(n_hidden=1, n_neurons=16, learning_rate=3e-3, input_shape=(8,)):
    """The Keras chapter's build_model, with skscratch's names."""
    model = Network()
    model.add(InputLayer(input_shape=input_shape))
    for _ in range(n_hidden):
        model.add(Dense(n_neurons, activation="relu"))
    model.add(Dense(1))
    model.compile(loss="mse", optimizer=SGD(lr=learning_rate))
    return model


def compiled_logits(n_outputs, learning_rate=1e-2):
    """A compiled build function with a linear output of any width: any task or target."""
    model = Network([Dense(16, activation="relu"), Dense(n_outputs)])
    model.compile(loss="mse", optimizer=optimizers.Adam(learning_rate), metrics=["mae"])
    return model


def compiled_logits_classifier(n_outputs):
    model = compiled_logits(n_outputs)
    model.compile(loss="log_loss", optimizer="adam", metrics=["accuracy"])
    return model


@parametrize_with_checks([NetworkEstimator(),
                          NetworkEstimator(mlp, task="regression", model__units=32),
                          NetworkClassifier(compiled_logits_classifier),
                          NetworkRegressor(compiled_logits)])
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_grid_search_over_an_architecture_parameter_and_a_learning_rate(digits):
    X, y = digits[0][:600], digits[1][:600]
    search = GridSearchCV(NetworkEstimator(mlp, max_iter=30, random_state=0),
                          {"model__units": [2, 32], "learning_rate_init": [1e-3, 1e-2]},
                          cv=3)
    _fit(search, X, y)
    scores = dict(zip(map(lambda p: (p["model__units"], p["learning_rate_init"]),
                          search.cv_results_["params"]), search.cv_results_["mean_test_score"]))
    assert scores[(32, 1e-2)] > scores[(2, 1e-2)] + 0.2          # width matters, visibly
    assert search.best_params_ == {"model__units": 32, "learning_rate_init": 1e-2}
    units = [leaf.units for leaf in skscratch.layers.base.leaf_layers(
        search.best_estimator_.network_)]
    assert units == [32, 10]
    assert search.best_score_ > 0.85


def test_routed_parameters_are_parameters(digits):
    est = NetworkEstimator(mlp, model__units=8)
    assert est.get_params()["model__units"] == 8
    est.set_params(model__depth=2, learning_rate_init=0.01)
    assert clone(est).get_params()["model__depth"] == 2
    assert "model__units=8" in repr(est)
    _fit(est.set_params(max_iter=2), *digits)
    assert len(est.coefs_) == 3
    with pytest.raises(ValueError, match=r"mlp\(\) has no parameter\(s\) \['width'\].*"
                                         r"\['units', 'depth'\]"):
        _fit(NetworkEstimator(mlp, model__width=3, max_iter=1), *digits)
    with pytest.raises(TypeError, match="start with 'model__'"):
        NetworkEstimator(mlp, units=3)
    # the second edition's search names the build function's parameters bare: the
    # error names the prefix, and nothing is set
    with pytest.raises(ValueError, match="Invalid parameter 'units'.*set as 'model__units'"):
        est.set_params(model__depth=5, units=3)
    assert est.get_params()["model__depth"] == 2


class SklearnStreams(NetworkEstimator):
    # the MLP's one difference: it draws its weights and shuffles as scikit-learn does
    _sklearn_random_streams = True


def test_one_code_path_a_build_function_trains_exactly_like_the_mlp(digits):
    X, y = digits[0][:500], digits[1][:500]
    ours = _fit(SklearnStreams(mlp, model__units=16, max_iter=5, random_state=3), X, y)
    theirs = _fit(MLPFromScratch((16,), max_iter=5, random_state=3), X, y)
    np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))
    assert ours.loss_curve_ == theirs.loss_curve_


def test_an_unbuilt_model_is_copied_per_fit_so_clones_never_share_weights(digits):
    X, y = digits[0][:300], digits[1][:300]
    net = Network([Dense(8, "relu"), Dense(10)])
    a = _fit(NetworkEstimator(net, max_iter=3, random_state=0), X, y)
    b = _fit(clone(a).set_params(random_state=1), X, y)
    assert not net.built                                   # the template stays a template
    assert a.network_ is not net and b.network_ is not a.network_
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])
    a.partial_fit(X, y)
    assert not np.shares_memory(a.coefs_[0], b.coefs_[0])


def test_models_that_do_not_fit_the_target_are_refused(digits):
    with pytest.raises(ValueError, match=r"output has shape \(3,\).*\(10,\)"):
        _fit(NetworkEstimator(Network([Dense(3)]), max_iter=1), *digits)
    with pytest.raises(TypeError, match="must return a skscratch Network or Model"):
        _fit(NetworkEstimator(lambda shape, n: [Dense(n)], max_iter=1), *digits)
    with pytest.raises(ValueError, match="takes no parameters"):
        _fit(NetworkEstimator(Network([Dense(10)]), model__units=3, max_iter=1), *digits)


def test_pickle_and_save_load_round_trips(digits, tmp_path):
    X, y = digits[0][:300], digits[1][:300]
    est = _fit(NetworkEstimator(mlp, model__units=8, max_iter=3, random_state=0), X, y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict_proba(X),
                                  est.predict_proba(X))
    with pytest.warns(UserWarning, match="build function, which is code"):
        skscratch.save(est, tmp_path / "m.npz")
    loaded = skscratch.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert isinstance(loaded.model, Network) and "model__units" not in loaded.get_params()
    refit = _fit(clone(loaded), X, y)                     # the same architecture again
    assert [w.shape for w in refit.coefs_] == [w.shape for w in est.coefs_]
    template = _fit(NetworkEstimator(Network([Dense(6, "tanh"), Dense(10)]), max_iter=2,
                                     random_state=0), X, y)
    skscratch.save(template, tmp_path / "t.npz")
    again = skscratch.load(tmp_path / "t.npz")
    assert again.model.get_config() == template.model.get_config() and not again.model.built
    again.partial_fit(X, y)
    template.partial_fit(X, y)
    np.testing.assert_array_equal(again.network_.flat_params, template.network_.flat_params)


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X, (y - y.mean()) / y.std()


def test_wide_and_deep_in_cross_val_score_after_a_column_transformer():
    X, y = _diabetes()
    scale = ColumnTransformer([("scale", StandardScaler(), list(range(8)))])  # drops 8, 9
    est = NetworkEstimator(wide_and_deep, inputs=[range(0, 5), range(2, 8)], task="regression",
                           learning_rate_init=3e-3, max_iter=60, random_state=0)
    pipe = make_pipeline(scale, est)
    scores = cross_val_score(pipe, X, y, cv=KFold(5, shuffle=True, random_state=0))
    assert scores.mean() > 0.35           # diabetes: linear models reach about 0.45
    fitted = _fit(pipe, X, y)[-1]
    assert [len(c) for c in fitted.input_columns_] == [5, 6]
    assert fitted.network_.input_shape == [(5,), (6,)]


def test_several_inputs_as_a_tuple_or_a_dict_by_name():
    X, y = _diabetes()
    X = StandardScaler().fit_transform(X)
    wide, deep = X[:, :5], X[:, 2:8]
    est = _fit(NetworkEstimator(wide_and_deep, task="regression", max_iter=60,
                                learning_rate_init=3e-3, random_state=0), (wide, deep), y)
    assert est.n_features_in_ == 11 and est.input_shapes_ == [(5,), (6,)]
    by_tuple = est.predict((wide, deep))
    assert est.score((wide, deep), y) > 0.3
    model = wide_and_deep([(5,), (6,)], 1)
    named = _fit(NetworkEstimator(model, task="regression", max_iter=30, random_state=0),
                 {"deep": deep, "wide": wide}, y)
    np.testing.assert_array_equal(named.predict({"wide": wide, "deep": deep}),
                                  named.predict((wide, deep)))
    assert by_tuple.shape == (len(y),)
    with pytest.raises(ValueError, match="inputs of shapes"):
        est.predict((deep, wide))
    with pytest.raises(ValueError, match="not both"):
        NetworkEstimator(wide_and_deep, inputs=[[0], [1]]).fit((wide, deep), y)


def test_images_feed_a_convolutional_model(digits):
    X, y = digits[0].reshape(-1, 8, 8, 1)[:400], digits[1][:400]

    def convnet(input_shape, n_outputs, filters=4):
        return Network([Conv2D(filters, 3, padding="same", activation="relu"), MaxPool2D(),
                        Flatten(), Dense(n_outputs)])

    est = _fit(NetworkEstimator(convnet, model__filters=8, batch_size=32, max_iter=30,
                                learning_rate_init=3e-3, random_state=0), X, y)
    assert est.input_shapes_ == [(8, 8, 1)] and est.n_features_in_ == 64
    assert est.score(X, y) > 0.9


def test_several_inputs_with_early_stopping_sample_weights_and_partial_fit():
    X, y = _diabetes()
    X = StandardScaler().fit_transform(X)
    parts, w = (X[:, :5], X[:, 2:8]), np.random.default_rng(0).uniform(0.5, 2, len(y))
    est = _fit(NetworkEstimator(wide_and_deep, task="regression", early_stopping=True,
                                max_iter=40, learning_rate_init=3e-3, random_state=0),
               parts, y, sample_weight=w)
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    before = len(est.loss_curve_)
    est.set_params(early_stopping=False).partial_fit(parts, y, sample_weight=w)
    assert est.n_iter_ == 1 and len(est.loss_curve_) == before + 1
    assert "Connected to" in summary_text(est)


def test_layouts_by_slice_and_clear_errors_for_what_is_not_supported():
    X, y = _diabetes()
    est = _fit(NetworkEstimator(wide_and_deep, inputs=[slice(0, 5), slice(2, 8)],
                                task="regression", max_iter=2, random_state=0), X, y)
    assert [c.tolist() for c in est.input_columns_] == [[0, 1, 2, 3, 4], [2, 3, 4, 5, 6, 7]]
    with pytest.raises(ValueError, match="needs model= a Model"):
        NetworkEstimator(wide_and_deep, task="regression").fit({"wide": X[:, :5],
                                                                "deep": X[:, 2:8]}, y)

    def two_heads(input_shape, n_outputs):
        x = Input(input_shape)
        return Model(x, [Dense(n_outputs)(x), Dense(n_outputs)(x)])

    with pytest.raises(ValueError, match="models with one output"):
        NetworkEstimator(two_heads, task="regression").fit(X, y)


def test_build_functions_must_make_a_new_network_and_layers_are_not_models(digits, tmp_path):
    X, y = digits[0][:200], digits[1][:200]
    shared = Network([Dense(10)])
    _fit(NetworkEstimator(lambda shape, n: shared, max_iter=1), X, y)
    assert not shared.built                         # a copy was trained
    shared.build((64,))
    with pytest.raises(ValueError, match="returned a network that is already built"):
        _fit(NetworkEstimator(lambda shape, n: shared, max_iter=1), X, y)
    with pytest.raises(TypeError, match="wrap it in a Network"):
        NetworkEstimator(Dense(10)).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)          # no warning per checkpoint
        _fit(NetworkEstimator(mlp, max_iter=3, callbacks=[
            ModelCheckpoint(tmp_path / "c.npz")]), X, y)


# a layer a build function keeps at module level and puts in every network it returns
KEPT = Dense(12, "relu")


def build_with_a_kept_layer(input_shape, n_outputs):
    return Network([KEPT, Dense(n_outputs)])


def test_layers_a_build_function_keeps_are_never_trained_in_place(digits):
    # each fit trains a copy of what the build function returns: one estimator's fit
    # cannot change another's predictions, folds do not leak into each other, and
    # n_jobs=1 and 2 score alike
    X, y = digits[0][:300], digits[1][:300]
    first = _fit(NetworkEstimator(build_with_a_kept_layer, max_iter=5, random_state=0), X, y)
    before = first.predict_proba(X)
    second = _fit(NetworkEstimator(build_with_a_kept_layer, max_iter=5, random_state=1), X, y)
    np.testing.assert_array_equal(first.predict_proba(X), before)
    assert not KEPT.built and first.network_.layers[0] is not second.network_.layers[0]
    est = NetworkEstimator(build_with_a_kept_layer, max_iter=5, random_state=0)
    folds = KFold(3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one, again, two = (cross_val_score(est, X, y, cv=folds, n_jobs=jobs)
                           for jobs in (1, 1, 2))
    np.testing.assert_array_equal(one, again)
    np.testing.assert_array_equal(one, two)


def test_a_build_function_returning_a_built_layer_is_refused_by_name(digits):
    X, y = digits[0][:200], digits[1][:200]
    trained = Network([Dense(7, "relu", name="encoder"), Dense(10)])
    trained.fit(X, y, loss="log_loss", epochs=1)
    weights = trained.get_weights()

    def reuse(input_shape, n_outputs):
        return Network([trained.layers[0], Dense(n_outputs)])

    with pytest.raises(ValueError, match="holding Dense 'encoder', which is already built"):
        _fit(NetworkEstimator(reuse, max_iter=2), X, y)
    for p, q in zip(trained.get_weights(), weights):
        np.testing.assert_array_equal(p, q)


def test_tampered_layouts_are_refused_at_load(digits, tmp_path):
    import json
    X, y = _diabetes()
    est = _fit(NetworkEstimator(wide_and_deep(([(5,), (6,)]), 1), task="regression",
                                inputs=[range(0, 5), range(2, 8)], max_iter=2), X, y)
    skscratch.save(est, tmp_path / "m.npz")

    def tamper(edit):
        with np.load(tmp_path / "m.npz") as archive:
            arrays = {k: archive[k] for k in archive.files}
        header = json.loads(bytes(arrays["header"]).decode())
        edit(header)
        arrays["header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
        np.savez(tmp_path / "bad.npz", **arrays)
        return tmp_path / "bad.npz"

    for edit, message in [
        (lambda h: h["fitted"].__setitem__("input_columns_", [[0, 99], [1]]), "input layout"),
        (lambda h: h["fitted"].__setitem__("n_features_in_", 3), "input layout|give inputs"),
        (lambda h: h.__setitem__("model", {"type": "Dense", "config": {"units": 1}}),
         "single layer"),
    ]:
        with pytest.raises(ValueError, match=message):
            skscratch.load(tamper(edit))


def test_keras_build_functions_train_with_their_compiled_loss_and_optimizer(tmp_path):
    from sklearn.datasets import load_diabetes
    X, y = load_diabetes(return_X_y=True)
    X, y = (X - X.mean(0)) / X.std(0), (y - y.mean()) / y.std()
    reg = NetworkRegressor(keras_regressor, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(40\)"):
        reg.fit(X[:300], y[:300], epochs=40, validation_data=(X[300:], y[300:]))
    assert reg.n_iter_ == 40 and reg.score(X[300:], y[300:]) > 0.3
    # Keras's "mse" is the whole mean squared error; SGD(lr=3e-3) without momentum
    assert type(reg._fitted.target.loss).__name__ == "SquaredError"
    assert reg._fitted.optimizer.get_config() == {"learning_rate": 3e-3, "momentum": 0.0,
                                                   "nesterov": False}
    np.testing.assert_allclose(reg.history_[-1]["val_loss"],
                               np.mean((reg.predict(X[300:]) - y[300:]) ** 2), rtol=1e-10)
    # the estimator's own parameters win over the compiled ones
    own = NetworkRegressor(keras_regressor, solver="adam", learning_rate_init=0.01,
                           loss="huber", max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        own.fit(X, y)
    assert type(own._fitted.optimizer).__name__ == "Adam"
    assert own._fitted.optimizer.learning_rate_init == 0.01
    assert type(own._fitted.target.loss).__name__ == "Huber"
    path = tmp_path / "reg.npz"
    with pytest.warns(UserWarning, match="build function"):
        reg.save(path)
    loaded = skscratch.load(path)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    loaded.partial_fit(X, y)
    reg.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))


def test_keras_fit_arguments_pass_through_a_search():
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import RandomizedSearchCV
    X, y = load_diabetes(return_X_y=True)
    X, y = (X - X.mean(0)) / X.std(0), (y - y.mean()) / y.std()
    search = RandomizedSearchCV(
        NetworkRegressor(keras_regressor, random_state=0),
        {"model__n_hidden": [0, 1], "model__n_neurons": [4, 16],
         "model__learning_rate": [1e-3, 1e-2]}, n_iter=3, cv=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X[:300], y[:300], epochs=60, validation_data=(X[300:], y[300:]),
                   callbacks=[EarlyStopping(patience=5)])
    best = search.best_estimator_
    assert search.best_score_ > 0.2 and set(search.best_params_) == {
        "model__n_hidden", "model__n_neurons", "model__learning_rate"}
    # the validation data reached every fit's record, for the callbacks to watch
    assert "val_loss" in best.history_[-1] and best.n_iter_ <= 60
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['epoch'\]"):
        NetworkRegressor(keras_regressor).fit(X, y, epoch=3)


def test_a_compiled_loss_of_the_other_task_is_refused():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="compiled with the regression loss SquaredError, but "
                                         "the estimator's task is classification"):
        NetworkClassifier(lambda: _compiled(Network([Dense(3)]), "mse")).fit(X, y)


def _compiled(model, loss):
    model.compile(loss=loss)
    return model


def test_a_softmax_output_estimator_predicts_what_its_logits_give():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    clf = NetworkClassifier(keras_classifier, random_state=0, batch_size=16,
                            max_iter=50).fit(X, y)
    logits = clf.network_.predict(X, logits=True)
    np.testing.assert_allclose(clf.predict_proba(X), clf.network_.predict(X), rtol=1e-12)
    np.testing.assert_allclose(clf.predict_log_proba(X),
                               logits - np.log(np.exp(logits).sum(1, keepdims=True)),
                               rtol=1e-10)
    assert clf.score(X, y) > 0.9 and clf.history_[-1]["accuracy"] > 0.9
    assert skscratch.estimators.NetworkClassifier is NetworkClassifier
    assert "task" not in clf.get_params()


def _named_model():
    wide, deep = Input((2,), name="wide"), Input((3,), name="deep")
    return Model([wide, deep], Dense(1)(Concatenate()([wide, deep])))


def test_a_tuple_and_images_become_rows_and_back():
    a, b = np.arange(8.0).reshape(4, 2), np.arange(24.0).reshape(4, 3, 2)
    rows, shapes = flat_rows((a, b), None, None)
    assert rows.shape == (4, 8) and shapes == [(2,), (3, 2)]
    columns = input_columns(8, shapes, None, None)
    assert [c.tolist() for c in columns] == [[0, 1], [2, 3, 4, 5, 6, 7]]
    first, second = split_columns(rows, columns, shapes)
    np.testing.assert_array_equal(first, a)
    np.testing.assert_array_equal(second, b)
    plain = np.zeros((4, 3))
    assert flat_rows(plain, None, None) == (plain, None)
    assert input_columns(3, None, None, None) is None and split_columns(plain, None, None) is plain


def test_column_layouts_by_index_range_slice_and_input_name():
    model = _named_model()
    assert input_names(model) == ["wide", "deep"] and input_names(lambda s, n: None) is None
    columns = input_columns(5, None, {"deep": slice(2, 5), "wide": range(0, 2)}, model)
    assert [c.tolist() for c in columns] == [[0, 1], [2, 3, 4]]
    X = csr_matrix(np.arange(10.0).reshape(2, 5))
    wide, deep = split_columns(X, columns, None)                 # sparse parts stay 2-D
    assert wide.shape == (2, 2) and deep.shape == (2, 3)
    with pytest.raises(ValueError, match="column indices 0 to 4"):
        input_columns(5, None, [[0, 5]], None)
    with pytest.raises(ValueError, match="inputs are named"):
        by_input_name({"wide": 1}, "X", model)
    with pytest.raises(ValueError, match="needs model= a Model"):
        by_input_name({"wide": 1}, "inputs", None)


def test_what_cannot_be_mixed_is_refused():
    a = np.zeros((4, 2))
    with pytest.raises(ValueError, match="not both"):
        flat_rows((a, a), [[0], [1]], None)
    with pytest.raises(ValueError, match="not as a tuple of matrices"):
        flat_rows((csr_matrix(a), a), None, None)
    with pytest.raises(ValueError, match="different numbers of samples"):
        flat_rows((a, a[:3]), None, None)


@pytest.mark.parametrize("verbose, bar", [(1, True), ("auto", True), (2, False)])
def test_fit_takes_keras_verbose_as_keras_prints_it(capsys, verbose, bar):
    X, y = load_diabetes(return_X_y=True)
    est = NetworkRegressor(mlp, max_iter=5, random_state=0)
    _fit(est, X[:100], y[:100], epochs=2, batch_size=20, verbose=verbose)
    out = capsys.readouterr().out
    assert [line.split(" - ")[0] for line in out.splitlines()
            if line.startswith("Epoch ")] == ["Epoch 1/2", "Epoch 2/2"]
    assert ("epoch 1" in out) == bar          # the progress bar within the epoch
    with pytest.raises(ValueError, match="verbose must be 0, 1, 2 or 'auto'"):
        est.fit(X[:100], y[:100], verbose=3)


def test_model_underscore_is_the_trained_network_as_in_scikeras():
    X, y = load_diabetes(return_X_y=True)
    est = NetworkRegressor(mlp, max_iter=3, random_state=0)
    assert not hasattr(est, "model_")
    _fit(est, X[:60], y[:60])
    assert est.model_ is est.network_ and est.model is mlp
    np.testing.assert_array_equal(est.model_.predict(X[:5])[:, 0], est.predict(X[:5]))
