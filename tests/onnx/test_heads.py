"""Estimator heads: label tables, and the outputs' names, types and shapes."""

import numpy as np
import pytest
from sklearn.datasets import load_iris

from skscratch import MLPFromScratch
from skscratch.onnx import to_onnx
from skscratch.onnx.builder import INT64, STRING
from skscratch.onnx.heads import label_constant
from tests.onnx.runtime import SKIP_REASON, assert_classifier_matches, fit


def test_label_tables_are_int64_or_strings():
    table, kind = label_constant(np.array([3, 7, 9], dtype=np.int32))
    assert kind == INT64 and table.dtype == np.int64 and table.tolist() == [3, 7, 9]
    assert label_constant(np.array([False, True]))[0].tolist() == [0, 1]
    assert label_constant(np.array([1.0, 2.0]))[0].tolist() == [1, 2]
    table, kind = label_constant(np.array(["cat", "dog"], dtype=object))
    assert kind == STRING and table.tolist() == ["cat", "dog"]
    assert label_constant(np.array(["a", "b"]))[1] == STRING


def test_fractional_float_labels_are_refused_by_name():
    with pytest.raises(ValueError, match=r"classes_ \[0.5, 1.5\] are neither"):
        label_constant(np.array([0.5, 1.5]))


def _shape(value_info):
    return [d.dim_value or None for d in value_info.type.tensor_type.shape.dim]


def test_outputs_are_declared_as_skl2onnx_names_them():
    pytest.importorskip("onnx", reason=SKIP_REASON)
    X, y = load_iris(return_X_y=True)
    classes = np.array(["setosa", "versicolor", "virginica"], dtype=object)
    model = fit(MLPFromScratch((4,), max_iter=2, random_state=0), X, classes[y])
    graph = to_onnx(model).graph
    assert [(v.name, v.type.tensor_type.elem_type, _shape(v)) for v in graph.output] == [
        ("label", STRING, [None]), ("probabilities", 11, [None, 3])]
    assert [(v.name, _shape(v)) for v in graph.input] == [("X", [None, 4])]


def test_binary_probabilities_are_one_minus_p_then_p():
    pytest.importorskip("onnxruntime", reason=SKIP_REASON)
    X, y = load_iris(return_X_y=True)
    model = fit(MLPFromScratch((4,), max_iter=3, random_state=0), X, (y == 2) * 5)
    onnx_model = to_onnx(model)
    assert model.classes_.tolist() == [0, 5]
    assert_classifier_matches(model, onnx_model, X)


@pytest.mark.parametrize("binary", [False, True])
def test_a_probability_output_is_decoded_from_its_logits_not_activated_twice(binary):
    pytest.importorskip("onnxruntime", reason=SKIP_REASON)
    from skscratch import Network, NetworkClassifier
    from skscratch.layers import Dense

    def build(n_outputs):
        activation = "sigmoid" if n_outputs == 1 else "softmax"
        model = Network([Dense(6, "relu"), Dense(n_outputs, activation)])
        model.compile(loss="binary_crossentropy" if n_outputs == 1
                      else "sparse_categorical_crossentropy")
        return model

    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    model = fit(NetworkClassifier(build, max_iter=20, random_state=0), X, y == 2 if binary else y)
    onnx_model = to_onnx(model)
    assert_classifier_matches(model, onnx_model, X)
    # the network alone exports its probabilities, as its predict gives them
    from tests.onnx.runtime import run
    np.testing.assert_allclose(run(to_onnx(model.network_), X=X)[0], model.network_.predict(X),
                               rtol=1e-10)
