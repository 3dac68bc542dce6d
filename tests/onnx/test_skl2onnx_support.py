"""skl2onnx converts pipelines holding skscratch estimators, with its zipmap option."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import ConvNetFromScratch, MLPFromScratch, NetworkEstimator
from tests.onnx.runtime import SKIP_REASON, TOL, assert_values_close, fit, run

skl2onnx = pytest.importorskip("skl2onnx", reason=SKIP_REASON)
pytest.importorskip("onnxruntime", reason=SKIP_REASON)

DTYPES = [np.float32, np.float64]


@pytest.fixture(scope="module", autouse=True)
def registered():
    from skscratch.onnx import register_skl2onnx
    register_skl2onnx()
    register_skl2onnx()                 # a second call changes nothing


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:500], y[:500]


def _pipeline(estimator, X, y):
    return fit(make_pipeline(StandardScaler(), estimator), X, y)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scaler_and_mlp_pipeline_as_tensors(digits, dtype):
    X, y = digits
    X = X.astype(dtype)
    pipeline = _pipeline(MLPFromScratch((16,), max_iter=5, random_state=0), X, y)
    onnx_model = skl2onnx.to_onnx(pipeline, X[:1], options={MLPFromScratch: {"zipmap": False}})
    assert [o.name for o in onnx_model.graph.output] == ["label", "probabilities"]
    label, proba = run(onnx_model, X=X)
    assert proba.dtype == dtype
    np.testing.assert_allclose(proba, pipeline.predict_proba(X), rtol=0, atol=TOL[np.dtype(dtype)])
    np.testing.assert_array_equal(label, pipeline.predict(X))


def test_default_zipmap_gives_a_dictionary_per_sample_as_skl2onnx_classifiers(digits):
    X, y = digits
    X = X.astype(np.float32)
    labels = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                       "nine"], dtype=object)[y]
    pipeline = _pipeline(MLPFromScratch((16,), max_iter=5, random_state=0), X, labels)
    onnx_model = skl2onnx.to_onnx(pipeline, X[:1])
    assert [o.name for o in onnx_model.graph.output] == ["output_label", "output_probability"]
    label, dictionaries = run(onnx_model, X=X[:5])
    np.testing.assert_array_equal(label, pipeline.predict(X[:5]))
    expected = pipeline.predict_proba(X[:5])
    for row, probabilities in zip(dictionaries, expected):
        assert list(row) == list(pipeline.classes_)
        np.testing.assert_allclose(list(row.values()), probabilities, atol=1e-5)
    columns = skl2onnx.to_onnx(pipeline, X[:1], options={MLPFromScratch: {"zipmap": "columns"}})
    assert [o.name for o in columns.graph.output][:3] == ["output_label", "seight", "sfive"]


def test_nocl_gives_class_indices(digits):
    X, y = digits
    X = X.astype(np.float32)
    pipeline = _pipeline(MLPFromScratch((16,), max_iter=5, random_state=0), X, y + 10)
    onnx_model = skl2onnx.to_onnx(pipeline, X[:1], options={       # keyed by the step itself
        id(pipeline[-1]): {"zipmap": False, "nocl": True}})
    label, _ = run(onnx_model, X=X)
    np.testing.assert_array_equal(label, pipeline.predict(X) - 10)


def test_float64_with_zipmap_is_refused_with_the_fix(digits):
    X, y = digits
    pipeline = _pipeline(MLPFromScratch((4,), max_iter=2, random_state=0), X, y)
    with pytest.raises(ValueError, match="ZipMap takes float32 .* {'zipmap': False}"):
        skl2onnx.to_onnx(pipeline, X[:1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_regression_pipeline_on_diabetes(dtype):
    X, y = load_diabetes(return_X_y=True)
    X = X.astype(dtype)
    pipeline = _pipeline(MLPFromScratch((16,), task="regression", max_iter=20, random_state=0),
                         X, y)
    onnx_model = skl2onnx.to_onnx(pipeline, X[:1])
    (values,) = run(onnx_model, X=X)
    assert [o.name for o in onnx_model.graph.output] == ["variable"] and values.shape == (442, 1)
    assert_values_close(values[:, 0], pipeline.predict(X), dtype)
    scaled, model = pipeline[0].transform(X), pipeline[-1]          # the estimator alone
    (values,) = run(skl2onnx.to_onnx(model, scaled[:1]), X=scaled)
    assert_values_close(values[:, 0], model.predict(scaled), dtype)
    poisson = _pipeline(MLPFromScratch((8,), task="regression", loss="poisson", max_iter=10,
                                       random_state=0), X, np.round(y / 20))
    (values,) = run(skl2onnx.to_onnx(poisson, X[:1]), X=X)
    assert_values_close(values[:, 0], poisson.predict(X), dtype)


def test_convnet_and_multilabel_network_estimator_in_pipelines(digits):
    X, y = digits
    X = X.astype(np.float32)
    convnet = _pipeline(ConvNetFromScratch((3,), hidden_layer_sizes=(), max_iter=2,
                                           random_state=0), X, y)
    onnx_model = skl2onnx.to_onnx(convnet, X[:1], options={ConvNetFromScratch: {"zipmap": False}})
    label, proba = run(onnx_model, X=X)
    np.testing.assert_allclose(proba, convnet.predict_proba(X), rtol=0, atol=1e-5)
    np.testing.assert_array_equal(label, convnet.predict(X))
    Y = np.column_stack([y % 2, y > 4]).astype(int)
    multilabel = _pipeline(NetworkEstimator(max_iter=2, random_state=0), X, Y)
    label, proba = run(skl2onnx.to_onnx(multilabel, X[:1]), X=X)     # no ZipMap: tensors
    np.testing.assert_array_equal(label, multilabel.predict(X))
    np.testing.assert_allclose(proba, multilabel.predict_proba(X), rtol=0, atol=1e-5)


def test_a_pipeline_feeding_the_wrong_width_is_refused(digits):
    X, y = digits
    model = fit(MLPFromScratch((4,), max_iter=2, random_state=0), X[:, :10], y)
    with pytest.raises(ValueError, match="fitted on 10 features; the ONNX input before it has 64"):
        skl2onnx.to_onnx(make_pipeline(StandardScaler().fit(X), model), X[:1].astype(np.float32))
