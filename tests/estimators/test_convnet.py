"""ConvNetFromScratch: input shapes, layers, scikit-learn machinery."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skscratch import ConvNetFromScratch
from skscratch.layers import Activation, BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16, y[:600]


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


def _dropout_is_random(estimator):
    # the default dropout (0.5) draws a mask per row: a row of weight 2 and the
    # same row twice train differently, as in any estimator with random dropout
    return {"check_sample_weight_equivalence_on_dense_data":
            "dropout draws independent masks for duplicated rows"}


@parametrize_with_checks([ConvNetFromScratch(), ConvNetFromScratch(task="regression")],
                         expected_failed_checks=_dropout_is_random)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("n_features, expected", [(64, (8, 8, 1)), (10, (1, 10, 1)),
                                                  (1, (1, 1, 1))])
def test_input_shape_inferred_from_flat_rows(n_features, expected):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, n_features))
    est = _fit(ConvNetFromScratch((2,), hidden_layer_sizes=(), max_iter=2), X, np.arange(30) % 2)
    assert est.input_shape_ == expected
    assert est.n_features_in_ == n_features


@pytest.mark.parametrize("shape", [(8, 8), (8, 8, 1)])
def test_image_arrays_and_flat_rows_are_interchangeable(shape, digits):
    X, y = digits
    images = X.reshape(-1, *shape)
    est = _fit(ConvNetFromScratch((4,), max_iter=3, random_state=0), images, y)
    assert est.input_shape_ == (8, 8, 1) and est.n_features_in_ == 64
    np.testing.assert_array_equal(est.predict(images), est.predict(X))


def test_multichannel_images_and_explicit_input_shape():
    rng = np.random.default_rng(0)
    images = rng.random((40, 6, 5, 3))
    y = (images[:, :3].mean(axis=(1, 2, 3)) > images[:, 3:].mean(axis=(1, 2, 3))).astype(int)
    est = _fit(ConvNetFromScratch((4,), max_iter=3, random_state=0), images, y)
    assert est.input_shape_ == (6, 5, 3)
    flat = _fit(ConvNetFromScratch((4,), input_shape=(6, 5, 3), max_iter=3, random_state=0),
                images.reshape(40, -1), y)
    np.testing.assert_array_equal(flat.predict(images.reshape(40, -1)), est.predict(images))


def test_wrong_input_shape_is_a_clear_error(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"holds 63 values per sample, but X has 64 features"):
        ConvNetFromScratch(input_shape=(9, 7)).fit(X, y)
    est = _fit(ConvNetFromScratch((2,), max_iter=1), X, y)
    with pytest.raises(ValueError, match="64 features"):
        est.predict(X[:, :63])
    with pytest.raises(ValueError, match=r"images of shape \(4, 16, 1\)"):
        est.predict(X.reshape(-1, 4, 16))
    with pytest.raises(ValueError, match="2 or 3 axes per sample"):
        est.predict(X.reshape(-1, 2, 2, 4, 4))
    with pytest.raises(ValueError, match="kernel_size must be a positive int"):
        ConvNetFromScratch(kernel_size=(3, 0)).fit(X, y)
    with pytest.raises(ValueError, match="does not fit"):
        ConvNetFromScratch(kernel_size=9, padding="valid").fit(X, y)


def test_layers_follow_the_parameters(digits):
    X, y = digits
    est = _fit(ConvNetFromScratch((4, 6), hidden_layer_sizes=(12,), dropout=0.2, max_iter=1),
               X, y)
    kinds = [type(layer) for layer in est.network_.layers]
    # pooling comes before the activation: exact for non-decreasing activations
    assert kinds == [Conv2D, MaxPool2D, Activation, Conv2D, MaxPool2D, Activation, Flatten,
                     Dense, Dropout, Dense]
    assert [layer.output_shape for layer in est.network_.layers[:6]] == [
        (8, 8, 4), (4, 4, 4), (4, 4, 4), (4, 4, 6), (2, 2, 6), (2, 2, 6)]
    assert [c.shape for c in est.coefs_] == [(3, 3, 1, 4), (3, 3, 4, 6), (24, 12), (12, 10)]
    bn = _fit(ConvNetFromScratch((4,), hidden_layer_sizes=(8,), batch_norm=True, dropout=0.0,
                                 max_iter=1), X, y)
    kinds = [type(layer) for layer in bn.network_.layers]
    assert kinds == [Conv2D, BatchNorm, MaxPool2D, Activation, Flatten, Dense, BatchNorm,
                     Activation, Dense]


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "leaky_relu", "elu",
                                        "identity"])
def test_pooling_before_the_activation_is_exact(activation, rng):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 6, 6, 2))
    pool, act = MaxPool2D(2), Activation(activation)
    pool.build((6, 6, 2))
    act.build((3, 3, 2))
    pool_first = act.forward(pool.forward(x, training=True), training=True)
    act_first = MaxPool2D(2)
    act_first.build((6, 6, 2))
    first_act = Activation(activation)
    first_act.build((6, 6, 2))
    np.testing.assert_allclose(pool_first, act_first.forward(first_act.forward(x)))
    dy = rng.standard_normal(pool_first.shape)
    grad_pool_first = pool.backward(act.backward(dy))
    first_act.forward(x, training=True)
    act_first.forward(first_act.forward(x), training=True)
    grad_act_first = first_act.backward(act_first.backward(dy))
    np.testing.assert_allclose(grad_pool_first, grad_act_first)


def test_pooling_is_skipped_where_the_map_is_too_small():
    X = np.random.default_rng(0).standard_normal((20, 12))     # 1 x 12 signals
    est = _fit(ConvNetFromScratch((3, 3, 3), kernel_size=(1, 3), dropout=0.0, max_iter=1), X,
               np.arange(20) % 2)
    pools = [layer.pool_size for layer in est.network_.layers if isinstance(layer, MaxPool2D)]
    assert pools == [(1, 2), (1, 2), (1, 2)]
    assert est.network_.layers[-4].output_shape == (1, 1, 3)   # 12 -> 6 -> 3 -> 1


def test_batch_norm_predictions_do_not_depend_on_the_batch(digits):
    X, y = digits
    est = _fit(ConvNetFromScratch((4,), batch_norm=True, max_iter=3, random_state=0), X, y)
    np.testing.assert_allclose(est.predict_proba(X[:1]), est.predict_proba(X[:50])[:1])


def test_early_stopping_restores_batch_norm_statistics(digits):
    X, y = digits
    est = _fit(ConvNetFromScratch((4,), batch_norm=True, early_stopping=True,
                                  n_iter_no_change=2, max_iter=30, random_state=0), X, y)
    running = [layer.state["running_mean"] for layer in est.network_.layers
               if isinstance(layer, BatchNorm)]
    saved = est._fitted.training.best_weights[-2 * len(running)::2]
    for current, best in zip(running, saved):
        np.testing.assert_array_equal(current, best)


def test_regression_and_partial_fit(digits):
    X, y = digits
    reg = _fit(ConvNetFromScratch((4,), task="regression", learning_rate_init=0.01,
                                  batch_size=32, max_iter=20, random_state=0), X, y.astype(float))
    assert reg.score(X, y) > 0.5
    clf = ConvNetFromScratch((4,), random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.arange(10))
    # as scikit-learn: n_iter_ counts the latest call, loss_curve_ every epoch
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 3


def test_float32_end_to_end(digits):
    X, y = digits
    est = _fit(ConvNetFromScratch((4,), max_iter=2), X.astype(np.float32), y)
    assert est.coefs_[0].dtype == np.float32
    assert est.predict_proba(X).dtype == np.float32


def test_grid_search_in_a_pipeline_and_round_trips(digits, tmp_path):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), ConvNetFromScratch((4,), batch_size=32, max_iter=4,
                                                              random_state=0))
    grid = {"convnetfromscratch__learning_rate_init": [1e-5, 3e-3]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    assert search.best_params_ == {"convnetfromscratch__learning_rate_init": 3e-3}
    model = search.best_estimator_
    expected = model.predict(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), expected)
    joblib.dump(model, tmp_path / "convnet.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "convnet.joblib").predict(X), expected)
    np.testing.assert_array_equal(_fit(clone(model), X, y).predict(X), expected)


@pytest.mark.slow
def test_digits_five_fold_accuracy():
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    X, y = load_digits(return_X_y=True)
    model = make_pipeline(MinMaxScaler(), ConvNetFromScratch(
        filters=(16, 32), hidden_layer_sizes=(128,), batch_size=32, max_iter=40, random_state=0))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(model, X, y, cv=cv, n_jobs=2)
    assert scores.mean() >= 0.98, scores
