"""Metrics by name: each one's value against its formula, weights, forms and keys."""

import numpy as np
import pytest

from skscratch.losses import LogLoss, SigmoidCrossEntropy, SoftmaxCrossEntropy, SquaredError
from skscratch.metrics import (
    METRICS,
    Accuracy,
    OutputMetrics,
    get_metric,
    metric_key,
    metric_names,
)


@pytest.fixture
def data(rng):
    target = rng.standard_normal((50, 3))
    prediction = target + rng.standard_normal((50, 3))
    weights = rng.random(50)
    return target, prediction, weights


@pytest.mark.parametrize("name, formula", [
    ("mae", lambda t, p, w: np.average(np.abs(t - p).mean(axis=1), weights=w)),
    ("MeanSquaredError", lambda t, p, w: np.average(((t - p) ** 2).mean(axis=1), weights=w)),
    ("RootMeanSquaredError",
     lambda t, p, w: np.sqrt(np.average(((t - p) ** 2).mean(axis=1), weights=w))),
])
def test_regression_metrics_equal_their_formulas_over_batches(name, formula, data):
    target, prediction, weights = data
    metric = get_metric(name)
    for rows in (slice(0, 20), slice(20, 45), slice(45, 50)):     # an epoch's batches
        metric.update(target[rows], prediction[rows], weights[rows])
    assert metric.result() == pytest.approx(formula(target, prediction, weights), rel=1e-12)
    metric.reset()
    metric.update(target, prediction)
    assert metric.result() == pytest.approx(formula(target, prediction, None), rel=1e-12)


def test_accuracies_read_probabilities_and_logits_alike(rng):
    logits = rng.standard_normal((40, 4))
    labels = rng.integers(0, 4, 40)
    onehot = np.eye(4)[labels]
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    categorical = Accuracy("categorical")
    categorical.update(onehot, logits, logits=True)
    assert categorical.result() == np.mean(logits.argmax(axis=1) == labels)
    binary = Accuracy("binary")
    binary.update(onehot, logits, logits=True)
    other = Accuracy("binary")
    other.update(onehot, 1 / (1 + np.exp(-logits)))
    assert binary.result() == other.result() == np.mean((logits > 0) == (onehot > 0.5))
    categorical.reset()
    categorical.update(onehot, probabilities)
    assert categorical.result() == np.mean(probabilities.argmax(axis=1) == labels)


@pytest.mark.parametrize("loss, width, form", [
    (SoftmaxCrossEntropy(), 4, "categorical"), (SigmoidCrossEntropy(), 4, "binary"),
    (LogLoss(), 1, "binary"), (LogLoss(), 3, "categorical")])
def test_accuracy_takes_its_form_from_the_loss_as_keras_does(loss, width, form):
    metric = get_metric("accuracy")
    metric.check_output(loss, width, "accuracy", "out")
    assert metric.form == form


def test_names_keys_and_unknown_metrics():
    assert metric_key("RootMeanSquaredError") == "root_mean_squared_error"
    assert metric_key("mae") == "mae"
    assert type(get_metric("acc")) is Accuracy
    assert type(get_metric("sparse_categorical_accuracy")).__name__ == "CategoricalAccuracy"
    with pytest.raises(ValueError, match="Unknown metric 'auc'"):
        get_metric("AUC")
    with pytest.raises(TypeError, match="A metric is a name"):
        get_metric(3)
    assert metric_names([get_metric("mae"), "acc"]) == ["mean_absolute_error", "acc"]
    assert set(METRICS) >= {"accuracy", "mean_absolute_error", "root_mean_squared_error"}


def test_output_metrics_key_by_output_and_activate_logits_only_when_needed(rng):
    losses = [SoftmaxCrossEntropy(), SquaredError()]
    metrics = OutputMetrics({"main": ["accuracy", "mse"], "aux": ["mae"]}, losses,
                            ["main", "aux"], [3, 1], ["softmax", None], [True, False])
    assert metrics.keys == ["main_accuracy", "main_mse", "aux_mae"]
    logits = rng.standard_normal((10, 3))
    labels = np.eye(3)[rng.integers(0, 3, 10)]
    aux, aux_target = rng.standard_normal((10, 1)), rng.standard_normal((10, 1))
    metrics.update([logits, aux], [labels, aux_target])
    result = metrics.results("val_")
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert result["val_main_mse"] == pytest.approx(np.mean(((labels - p) ** 2).mean(axis=1)))
    assert result["val_main_accuracy"] == np.mean(logits.argmax(1) == labels.argmax(1))
    assert result["val_aux_mae"] == pytest.approx(np.mean(np.abs(aux - aux_target)))
    with pytest.raises(ValueError, match=r"metrics names outputs \['other'\]"):
        OutputMetrics({"other": ["mae"]}, losses, ["main", "aux"], [3, 1], [None, None],
                      [False, False])
    with pytest.raises(ValueError, match="metrics has 1 lists for 2 outputs"):
        OutputMetrics([["mae"]], losses, ["main", "aux"], [3, 1], [None, None], [False, False])
