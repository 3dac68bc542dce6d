"""Property-based battery: bad input and bad settings never crash, hang or return NaN.

Every case ends in a clear ValueError/TypeError naming the problem, or in a
correct fit with finite predictions when the input is legitimate.
"""

import os
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402

from skscratch import ConvNetFromScratch, MLPFromScratch  # noqa: E402

CONFIGS = [
    pytest.param(MLPFromScratch, dict(hidden_layer_sizes=(4,)), id="mlp"),
    pytest.param(ConvNetFromScratch, dict(filters=(2,), hidden_layer_sizes=(4,)), id="convnet"),
]
TASKS = ["classification", "regression"]
SETTINGS = settings(max_examples=int(os.environ.get("SKSCRATCH_EXAMPLES", 40)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _make(cls, kwargs, task, **extra):
    return cls(**kwargs, task=task, max_iter=3, random_state=0, **extra)


def _targets(task, n, seed=0):
    labels = np.arange(n) % 2
    return labels if task == "classification" else labels + np.random.default_rng(
        seed).standard_normal(n)


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


finite = st.floats(-1e30, 1e30, allow_nan=False, allow_infinity=False, width=64)


def _matrix(draw, elements=finite, min_rows=2):
    n = draw(st.integers(min_rows, 12))
    d = draw(st.integers(1, 5))
    return draw(arrays(np.float64, (n, d), elements=elements))


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("cls, kwargs", CONFIGS)
@SETTINGS
@given(data=st.data())
def test_nan_or_inf_anywhere_is_named(cls, kwargs, task, data):
    X = _matrix(data.draw, st.floats(-10, 10))
    i = data.draw(st.integers(0, X.shape[0] - 1))
    j = data.draw(st.integers(0, X.shape[1] - 1))
    X[i, j] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    with pytest.raises(ValueError, match="NaN|infinity"):
        _make(cls, kwargs, task).fit(X, _targets(task, len(X)))


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("cls, kwargs", CONFIGS)
@SETTINGS
@given(data=st.data())
def test_any_finite_input_fits_with_finite_predictions_or_says_why(cls, kwargs, task, data):
    X = _matrix(data.draw)
    if task == "classification":
        y = data.draw(arrays(np.int64, len(X), elements=st.integers(0, 2)))
    else:
        y = data.draw(arrays(np.float64, len(X), elements=finite))
    est = _make(cls, kwargs, task)
    try:
        _fit(est, X, y)
    except ValueError as exc:
        assert any(word in str(exc) for word in ("class", "diverged", "overflowed")), exc
        return
    try:
        predictions = est.predict(X)
    except ValueError as exc:
        assert "overflowed" in str(exc)
        return
    if task == "regression":
        assert np.all(np.isfinite(predictions))
    else:
        assert set(np.unique(predictions)) <= set(np.unique(y))
        assert np.all(np.isfinite(est.predict_proba(X)))


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("cls, kwargs", CONFIGS)
@pytest.mark.parametrize("X, message", [
    (np.ones((6, 3)) + 1j, "Complex data not supported"),
    (np.array([["a", "b"]] * 6, dtype=object), "could not convert|convert string"),
    (np.array([["a", "b"]] * 6), "could not convert|convert string|dtype"),
    (np.empty((0, 3)), "0 sample"),
    (np.empty((6, 0)), "0 feature"),
    (np.ones(6), "Expected 2D array"),
])
def test_bad_dtypes_and_shapes(cls, kwargs, task, X, message):
    with pytest.raises(ValueError, match=message):
        _make(cls, kwargs, task).fit(X, _targets(task, 6)[:len(X)])


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("cls, kwargs", CONFIGS)
def test_numeric_object_arrays_are_legitimate(cls, kwargs, task):
    X = np.arange(24, dtype=float).reshape(8, 3).astype(object)
    est = _fit(_make(cls, kwargs, task), X, _targets(task, 8))
    assert np.all(np.isfinite(est.predict(X.astype(float)).astype(float)))


@pytest.mark.parametrize("cls, kwargs", CONFIGS)
def test_one_sample_and_one_class(cls, kwargs):
    X = np.ones((1, 4))
    with pytest.raises(ValueError, match="at least 2 classes"):
        _make(cls, kwargs, "classification").fit(X, [3])
    with pytest.raises(ValueError, match="at least 2 classes"):
        _make(cls, kwargs, "classification").fit(np.ones((5, 4)), [1] * 5)
    reg = _fit(_make(cls, kwargs, "regression"), X, [2.5])
    assert np.isfinite(reg.predict(X)).all()


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("cls, kwargs", CONFIGS)
def test_mismatched_lengths_and_predict_shapes(cls, kwargs, task):
    X = np.random.default_rng(0).standard_normal((10, 4))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        _make(cls, kwargs, task).fit(X, _targets(task, 9))
    est = _fit(_make(cls, kwargs, task), X, _targets(task, 10))
    with pytest.raises(ValueError, match="4 features"):
        est.predict(X[:, :3])


@pytest.mark.parametrize("cls, kwargs", CONFIGS)
def test_partial_fit_with_unseen_labels(cls, kwargs):
    X = np.random.default_rng(0).standard_normal((10, 4))
    est = _make(cls, kwargs, "classification")
    est.partial_fit(X, np.arange(10) % 2, classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels not seen .* \[5\]"):
        est.partial_fit(X, np.where(np.arange(10) == 3, 5, 0))


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("cls, kwargs", CONFIGS)
@SETTINGS
@given(name=st.sampled_from(["alpha", "learning_rate_init", "max_iter", "batch_size", "tol",
                             "momentum", "beta_1", "beta_2", "epsilon", "n_iter_no_change",
                             "validation_fraction", "power_t", "dropout"]),
       value=st.sampled_from([-1, -1e-3, 0, np.nan, -np.inf, 1e9]))
def test_bad_hyper_parameters_are_named(cls, kwargs, task, name, value):
    est = _make(cls, kwargs, task)
    est.set_params(**{name: value})
    X = np.random.default_rng(0).standard_normal((8, 4))
    try:
        _fit(est, X, _targets(task, 8))
    except (ValueError, TypeError) as exc:
        assert name in str(exc), exc
    else:
        # only a few values are legitimate: zero alpha/tol/momentum/power_t/dropout,
        # large counts and sizes
        assert value in (0, 1e9), (name, value)
        assert np.all(np.isfinite(est.predict(X).astype(float)))


@pytest.mark.parametrize("cls, kwargs", CONFIGS)
def test_absurd_layer_sizes_fail_fast(cls, kwargs):
    est = cls(**{**kwargs, "hidden_layer_sizes": (10**6, 10**6)})
    with pytest.raises(ValueError, match="GiB"):
        est.fit(np.ones((4, 4)), [0, 1, 0, 1])


def test_huge_learning_rate_stops_with_a_clear_message_and_no_nan_model():
    X = np.random.default_rng(0).standard_normal((50, 4)) * 1e3
    est = MLPFromScratch((16,), task="regression", solver="sgd", learning_rate_init=1e3,
                         batch_size=5, max_iter=30, tol=0)
    with pytest.raises(ValueError, match="diverged.*smaller learning rate"):
        est.fit(X, X[:, 0] * 1e3)
    assert not hasattr(est, "network_")        # a failed first fit leaves it unfitted
    with pytest.raises(NotFittedError):
        est.predict(X)
    warm = MLPFromScratch((16,), task="regression", max_iter=2, warm_start=True,
                          random_state=0).fit(X, X[:, 0])
    warm.set_params(solver="sgd", learning_rate_init=1e3, batch_size=5, max_iter=30, tol=0)
    with pytest.raises(ValueError, match="diverged"):
        warm.fit(X, X[:, 0] * 1e3)
    assert all(np.isfinite(p).all() for p in warm.network_.params)   # last finite epoch
    assert np.isfinite(warm.predict(X)).all()
