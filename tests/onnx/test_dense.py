"""Dense layers and activations: MLPFromScratch and networks agree with onnxruntime."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits

from skscratch import MLPFromScratch, Network
from skscratch.layers import Activation, Dense, Dropout, Flatten
from skscratch.onnx import to_onnx
from tests.onnx.runtime import (
    SKIP_REASON,
    assert_classifier_matches,
    assert_network_matches,
    assert_regressor_matches,
    fit,
)

pytest.importorskip("onnxruntime", reason=SKIP_REASON)

DTYPES = [np.float32, np.float64]
ACTIVATIONS = ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softmax"]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16, y[:600]


@pytest.mark.parametrize("dtype", DTYPES)
def test_multiclass_mlp_on_digits(digits, dtype):
    X, y = digits
    model = fit(MLPFromScratch((32, 16), max_iter=10, random_state=0), X.astype(dtype), y)
    assert_classifier_matches(model, to_onnx(model), X.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ["tanh", "logistic", "elu", "leaky_relu"])
def test_binary_mlp_with_string_labels(digits, dtype, activation):
    X, y = digits
    labels = np.array(["even", "odd"], dtype=object)[y % 2]
    model = fit(MLPFromScratch((16,), activation, max_iter=5, random_state=0),
                X.astype(dtype), labels)
    onnx_model = to_onnx(model)
    assert model.n_outputs_ == 1                 # one sigmoid output, [1 - p, p] per sample
    assert_classifier_matches(model, onnx_model, X.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_multilabel_mlp_outputs_a_label_matrix(digits, dtype):
    X, y = digits
    Y = np.column_stack([y % 2, y > 4, y == 0]).astype(int)
    model = fit(MLPFromScratch((16,), max_iter=5, random_state=0), X.astype(dtype), Y)
    assert_classifier_matches(model, to_onnx(model), X.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_regression_mlp_on_diabetes(dtype):
    X, y = load_diabetes(return_X_y=True)
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(dtype)
    model = fit(MLPFromScratch((16,), task="regression", max_iter=20, random_state=0), X, y)
    assert_regressor_matches(model, to_onnx(model), X)
    two = fit(MLPFromScratch((8,), task="regression", max_iter=5, random_state=0), X,
              np.column_stack([y, -y]))
    assert_regressor_matches(two, to_onnx(two), X)


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_regression_exports_the_exponential_of_the_network(dtype):
    # loss="poisson": the network outputs log-means, predict (and the graph) exp() them
    X, y = load_diabetes(return_X_y=True)
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(dtype)
    counts = np.column_stack([np.round(y / 20), np.round(y / 50)])
    model = fit(MLPFromScratch((8,), task="regression", loss="poisson", max_iter=20,
                               random_state=0), X, counts)
    onnx_model = to_onnx(model)
    assert "Exp" in [node.op_type for node in onnx_model.graph.node]
    assert_regressor_matches(model, onnx_model, X)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_fused_and_as_a_layer(dtype, activation):
    rng = np.random.default_rng(0)
    network = Network([Dense(6, activation), Dense(5), Activation(activation)])
    network.build((4,), random_state=0, dtype=dtype)
    assert_network_matches(network, 3 * rng.standard_normal((20, 4)).astype(dtype))


def test_dropout_is_left_out_and_flatten_of_rows_adds_nothing():
    network = Network([Flatten(), Dense(6, "relu"), Dropout(0.5), Dense(2)])
    network.build((4,), random_state=0)
    onnx_model = assert_network_matches(network, np.ones((3, 4)))
    assert [n.op_type for n in onnx_model.graph.node] == ["MatMul", "Add", "Relu", "MatMul",
                                                          "Add", "Identity"]
