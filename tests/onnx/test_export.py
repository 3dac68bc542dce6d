"""to_onnx: what it accepts, the input type, the opset, and its errors."""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from skscratch import MLPFromScratch, Model, Network
from skscratch.layers import Dense, Input
from skscratch.onnx import to_onnx
from tests.onnx.runtime import SKIP_REASON, TOL, fit, run


@pytest.fixture(scope="module")
def float32_model():
    X, y = load_iris(return_X_y=True)
    return fit(MLPFromScratch((8,), max_iter=5, random_state=0), X.astype(np.float32), y), X


def test_missing_onnx_package_says_how_to_install(monkeypatch, float32_model):
    monkeypatch.setitem(sys.modules, "onnx", None)       # what an absent package looks like
    with pytest.raises(ImportError, match=r'pip install "skscratch\[onnx\]"'):
        to_onnx(float32_model[0])


def test_importing_skscratch_imports_no_onnx_package():
    import subprocess
    code = ("import sys, skscratch, skscratch.onnx; "
            "print([m for m in ('onnx', 'onnxruntime', 'skl2onnx') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_refuses_what_it_cannot_export(float32_model):
    with pytest.raises(TypeError, match="got LogisticRegression"):
        to_onnx(LogisticRegression())
    with pytest.raises(NotFittedError):
        to_onnx(MLPFromScratch())
    model, X = float32_model
    with pytest.raises(ValueError, match="float32 or float64; got dtype int64"):
        to_onnx(model, X.astype(np.int64))
    with pytest.raises(ValueError, match=r"shape \(2, 3\); the model was fitted on 4 features"):
        to_onnx(model, X[:2, :3])
    with pytest.raises(ValueError, match="target_opset >= 13"):
        to_onnx(model, target_opset=12)
    pytest.importorskip("onnx", reason=SKIP_REASON)
    with pytest.raises(ValueError, match="target_opset=999 is newer than the installed onnx"):
        to_onnx(model, target_opset=999)


def test_a_float64_sample_makes_a_double_input_cast_as_predict_casts_it(float32_model):
    pytest.importorskip("onnxruntime", reason=SKIP_REASON)
    model, X = float32_model
    onnx_model = to_onnx(model, X[:1])
    assert onnx_model.graph.input[0].type.tensor_type.elem_type == 11     # double
    assert onnx_model.graph.node[0].op_type == "Cast"
    label, proba = run(onnx_model, X=X)                # float64 rows, as predict takes them
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=TOL[proba.dtype])
    np.testing.assert_array_equal(label, model.predict(X))


@pytest.mark.parametrize("opset", [13, 17, None])
def test_the_model_is_valid_onnx_at_the_requested_opset(float32_model, opset):
    onnx = pytest.importorskip("onnx", reason=SKIP_REASON)
    pytest.importorskip("onnxruntime", reason=SKIP_REASON)
    model, X = float32_model
    onnx_model = to_onnx(model, target_opset=opset)
    onnx.checker.check_model(onnx_model, full_check=True)
    assert onnx_model.opset_import[0].version == (opset or 17)
    assert onnx_model.producer_name == "skscratch"
    assert run(onnx_model, X=X[:2].astype(np.float32))[0].tolist() == model.predict(X[:2]).tolist()


def test_a_network_exports_with_its_input_dtype():
    pytest.importorskip("onnxruntime", reason=SKIP_REASON)
    network = Network([Dense(3, "relu"), Dense(2)]).build((4,), random_state=0)
    onnx_model = to_onnx(network, np.ones((1, 4), dtype=np.float32))
    (out,) = run(onnx_model, X=np.ones((2, 4), dtype=np.float32))
    assert [i.name for i in onnx_model.graph.input] == ["X"]
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, network.predict(np.ones((2, 4))), rtol=1e-12)


def test_a_model_whose_output_is_one_of_its_inputs_exports():
    # ONNX names each value once: the output takes the input's name with a trailing _
    pytest.importorskip("onnxruntime", reason=SKIP_REASON)
    a, b = Input((3,), name="a"), Input((2,), name="b")
    model = Model([a, b], [a, Dense(1)(b)]).build(random_state=0)
    onnx_model = to_onnx(model)
    assert [o.name for o in onnx_model.graph.output] == ["a_", "dense"]
    xa, xb = np.arange(6.0).reshape(2, 3), np.ones((2, 2))
    same, dense = run(onnx_model, a=xa, b=xb)
    np.testing.assert_array_equal(same, xa)
    np.testing.assert_allclose(dense, model.predict([xa, xb])[1], rtol=1e-12)
