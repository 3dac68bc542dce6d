"""Shared helpers of the ONNX tests: run a model in onnxruntime, compare with skscratch.

onnxruntime is imported when a model runs, so test modules can skip
themselves (``pytest.importorskip``) before anything here needs it.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

SKIP_REASON = 'ONNX export needs the optional extra: pip install "skscratch[onnx]"'
# the tolerances: probabilities absolutely, values relative to their size
TOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}


def fit(estimator, X, y):
    """Fit briefly (few epochs on purpose), without the convergence warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def run(onnx_model, **inputs):
    """onnxruntime's outputs of ``onnx_model`` for the named inputs."""
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, inputs)


def rows(X):
    """``X`` as the 2-D rows the exported estimators take."""
    X = np.asarray(X)
    return X.reshape(len(X), -1)


def assert_classifier_matches(estimator, onnx_model, X):
    """Labels identical to ``predict``, probabilities within the dtype's tolerance."""
    dtype = estimator.network_.dtype
    label, proba = run(onnx_model, X=rows(X).astype(dtype))
    expected = estimator.predict_proba(X)
    assert proba.dtype == dtype and proba.shape == expected.shape
    np.testing.assert_allclose(proba, expected, rtol=0, atol=TOL[dtype])
    np.testing.assert_array_equal(label, estimator.predict(X))


def assert_values_close(got, expected, dtype):
    """Within the dtype's tolerance relative to the values' scale (their largest magnitude).

    Rounding errors scale with the magnitudes a network computes with, not with
    each output: a prediction near 0 among values near 150 carries the
    rounding of the 150s.
    """
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL[np.dtype(dtype)] * scale)


def assert_regressor_matches(estimator, onnx_model, X):
    """Values within the dtype's tolerance, relative to their scale (shape (n, n_outputs))."""
    dtype = estimator.network_.dtype
    (values,) = run(onnx_model, X=rows(X).astype(dtype))
    assert values.dtype == dtype
    assert_values_close(values, estimator.predict(X).reshape(len(values), -1), dtype)


def assert_network_matches(network, *xs):
    """A built network's ONNX outputs equal its ``predict`` on ``xs`` (one array per input)."""
    from skscratch.onnx import to_onnx

    onnx_model = to_onnx(network)
    names = [i.name for i in onnx_model.graph.input]
    outputs = run(onnx_model, **dict(zip(names, xs)))
    expected = network.predict(list(xs) if len(xs) > 1 else xs[0])
    expected = expected if isinstance(expected, list) else [expected]
    for got, want in zip(outputs, expected):
        assert_values_close(got, want, network.dtype)
    return onnx_model
