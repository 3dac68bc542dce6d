"""The walk through models: Wide & Deep, nesting, shared layers, several outputs."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

from skscratch import Model, Network, NetworkEstimator
from skscratch.layers import BatchNorm, Concatenate, Dense, Dropout, Input
from skscratch.onnx import to_onnx
from tests.onnx.runtime import (
    SKIP_REASON,
    assert_network_matches,
    assert_regressor_matches,
    assert_values_close,
    fit,
    run,
)

pytest.importorskip("onnxruntime", reason=SKIP_REASON)

DTYPES = [np.float32, np.float64]


def wide_and_deep():
    wide, deep = Input((5,), name="wide"), Input((6,), name="deep")
    h = Dense(16, "relu")(deep)
    h = BatchNorm()(Dense(16, "relu")(h))
    return Model([wide, deep], Dense(1, name="main")(Concatenate()([wide, h])))


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.mark.parametrize("dtype", DTYPES)
def test_wide_and_deep_estimator_with_a_column_layout(diabetes, dtype):
    X, y = diabetes
    X = X.astype(dtype)
    model = fit(NetworkEstimator(wide_and_deep(), inputs={"wide": slice(0, 5),
                                                          "deep": [2, 3, 4, 5, 6, 7]},
                                 task="regression", batch_size=32, max_iter=10,
                                 random_state=0), X, y)
    assert_regressor_matches(model, to_onnx(model), X)


@pytest.mark.parametrize("dtype", DTYPES)
def test_wide_and_deep_estimator_fitted_on_a_tuple_takes_the_arrays_side_by_side(diabetes,
                                                                                 dtype):
    X, y = diabetes
    parts = (X[:, :5].astype(dtype), X[:, 2:8].astype(dtype))
    model = fit(NetworkEstimator(wide_and_deep(), task="regression", batch_size=32,
                                 max_iter=10, random_state=0), parts, y)
    (values,) = run(to_onnx(model), X=np.hstack(parts))
    assert_values_close(values[:, 0], model.predict(parts), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nested_networks_shared_layers_and_two_outputs(dtype):
    x, z = Input((4,), name="x"), Input((3,), name="z")
    shared = Dense(5, "relu", name="shared")
    inner = Network([Dense(6, "tanh"), Dropout(0.2), Dense(5)])
    inner_model = Model(x, Dense(5)(x))
    a, b = shared(inner(x)), shared(inner_model(x))
    main = Dense(2, name="main")(Concatenate()([a, b, z]))
    model = Model([x, z], [main, Dense(1, name="aux")(b)]).build(random_state=0, dtype=dtype)
    rng = np.random.default_rng(0)
    onnx_model = assert_network_matches(model, rng.standard_normal((7, 4)).astype(dtype),
                                        rng.standard_normal((7, 3)).astype(dtype))
    assert [i.name for i in onnx_model.graph.input] == ["x", "z"]
    assert [o.name for o in onnx_model.graph.output] == ["main", "aux"]
    # the shared layer's weights are stored once
    assert sum(i.name.startswith("shared_W") for i in onnx_model.graph.initializer) == 1
