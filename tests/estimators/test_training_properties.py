"""Property-based battery: training pathologies never break or half-change an estimator.

Random sequences of ``fit``, ``warm_start`` fits and ``partial_fit`` calls, each
possibly pathological — huge or NaN inputs (float64 or float32), absurd
learning rates, targets of the wrong shape or length, bad sample weights,
changed classes or architecture, early stopping where it does not apply, a
callback raising an error or Ctrl-C mid-epoch. Each call either succeeds, leaving finite
predictions and a consistent training record, or fails with a named error
(``ValueError``/``TypeError``, or the callback's own exception) and leaves the
estimator exactly as it was: the same fitted attributes, weights, optimizer
state and random stream, so that the next call computes bit for bit what it
would have computed without the failed one.
"""

import copy
import os
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skscratch import ConvNetFromScratch, MLPFromScratch  # noqa: E402
from skscratch.callbacks import Callback  # noqa: E402

SETTINGS = settings(max_examples=int(os.environ.get("SKSCRATCH_EXAMPLES", 25)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
N = 48


class Raises(Callback):
    """Raise ``error`` at the end of batch ``batch`` of epoch ``epoch`` (counted from the call)."""

    def __init__(self, error, epoch, batch):
        self.error, self.epoch, self.batch = error, epoch, batch
        self.fired = False

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch - self.params["initial_epoch"]

    def on_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            self.fired = True
            raise self.error


class Boom(RuntimeError):
    """What the raising callback throws, when not Ctrl-C."""


def _problem(kind, seed=0):
    """Inputs, targets and an estimator for one kind of problem."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, 4))
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)
    if kind == "binary":
        return X, labels.clip(0, 1), MLPFromScratch((5,), max_iter=3, batch_size=16,
                                                    random_state=0)
    if kind == "multiclass":
        return X, labels, MLPFromScratch((5,), dropout=0.2, max_iter=3, batch_size=16,
                                         random_state=0)
    if kind == "regression":
        return X, X[:, 0] - 2 * X[:, 1], MLPFromScratch((5,), task="regression", solver="sgd",
                                                        max_iter=3, batch_size=16,
                                                        random_state=0)
    return X.reshape(N, 2, 2, 1), labels, ConvNetFromScratch(
        (2,), kernel_size=2, hidden_layer_sizes=(4,), batch_norm=True, max_iter=2,
        batch_size=16, random_state=0)


def _record(est):
    """Everything a call may change: fitted attributes, weights, optimizer, random stream."""
    if not hasattr(est, "_fitted"):
        return {"attributes": sorted(k for k in vars(est) if k.endswith("_"))}
    fitted = est._fitted
    scalars, moments = fitted.optimizer.get_state()
    training = fitted.training
    return {
        "attributes": sorted(k for k in vars(est) if k.endswith("_")),
        "weights": [w.copy() for w in fitted.network.get_weights()],
        "optimizer": (scalars, [m.copy() for m in moments]),
        "rng": fitted.rng.bit_generator.state,
        "training": (training.n_iter, training.t, list(training.loss_curve),
                     len(training.history)),
        "n_iter_": est.n_iter_, "loss_curve_": list(est.loss_curve_),
    }


def _same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    return a == b or (a != a and b != b)


@st.composite
def calls(draw, X, y):
    """One call: how (fit, warm_start fit, partial_fit), on what data, with what trouble."""
    how = draw(st.sampled_from(["fit", "warm_start", "partial_fit"]))
    trouble = draw(st.sampled_from(["none", "none", "huge", "nan", "rate", "target_columns",
                                    "target_length", "classes", "architecture", "callback",
                                    "weights", "float32", "early_stopping"]))
    params, Xc, yc, extra = {}, X, y, {}
    if trouble == "huge":
        Xc = X * 10.0 ** draw(st.integers(10, 300))
    elif trouble == "nan":
        Xc = X.copy()
        Xc.flat[draw(st.integers(0, X.size - 1))] = draw(st.sampled_from([np.nan, np.inf]))
    elif trouble == "rate":
        params["learning_rate_init"] = 10.0 ** draw(st.integers(-12, 12))
        params["solver"] = draw(st.sampled_from(["sgd", "adam"]))
    elif trouble == "target_columns":
        yc = draw(st.sampled_from([np.c_[y, y], y.reshape(-1, 1), np.eye(3)[y.astype(int) % 3],
                                   y.reshape(-1, 2, 1)[:, :, 0]
                                   if len(y) % 2 == 0 else y[:, None]]))
    elif trouble == "target_length":
        yc = y[:draw(st.integers(0, len(y) - 1))]
    elif trouble == "classes":
        extra["classes"] = draw(st.sampled_from([[0, 1], [0, 1, 2], [0, 1, 2, 3], ["a", "b"]]))
    elif trouble == "architecture":
        params[draw(st.sampled_from(["hidden_layer_sizes", "activation"]))] = None
    elif trouble == "weights":
        extra["sample_weight"] = draw(st.sampled_from([
            np.zeros(len(y)), -np.ones(len(y)), np.full(len(y), np.nan), np.ones(len(y) - 1),
            np.full(len(y), 1e300), np.r_[np.zeros(len(y) - 1), 1.0]]))
    elif trouble == "float32":
        with np.errstate(over="ignore"):          # beyond 3.4e38: infinity, named by fit
            Xc = (X * 10.0 ** draw(st.integers(0, 40))).astype(np.float32)
    elif trouble == "early_stopping":
        params["early_stopping"] = True
    elif trouble == "callback":
        error = draw(st.sampled_from([Boom("boom"), KeyboardInterrupt()]))
        params["callbacks"] = [Raises(error, draw(st.integers(0, 2)), draw(st.integers(0, 3)))]
    return how, trouble, params, Xc, yc, extra


def _apply(est, how, params, X, y, extra):
    params = dict(params)
    if "hidden_layer_sizes" in params:
        params["hidden_layer_sizes"] = (3,)
    if "activation" in params:
        params["activation"] = "tanh"
    est.set_params(warm_start=how == "warm_start", **params)
    if how == "partial_fit":
        if getattr(est, "task", "classification") == "classification" and "classes" not in extra \
                and not hasattr(est, "classes_"):
            extra = {**extra, "classes": np.unique(y) if y.ndim == 1 else None}
        return est.partial_fit(X, y, **extra)
    return est.fit(X, y, sample_weight=extra.get("sample_weight"))


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression", "convnet"])
@SETTINGS
@given(data=st.data())
def test_a_failed_call_changes_nothing_and_a_good_one_stays_sound(kind, data):
    X, y, est = _problem(kind)
    for _ in range(data.draw(st.integers(1, 4))):
        how, trouble, params, Xc, yc, extra = data.draw(calls(X, y))
        before, snapshot = _record(est), copy.deepcopy(est)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                _apply(est, how, params, Xc, yc, extra)
        except (ValueError, TypeError, Boom, KeyboardInterrupt) as exc:
            event(f"{trouble}: {type(exc).__name__}")
            assert not isinstance(exc, (Boom, KeyboardInterrupt)) or trouble == "callback"
            assert _same(_record(est), before), (how, trouble, exc)
            _check_the_next_call_is_unaffected(est, snapshot, X, y)
        else:
            event(f"{trouble}: fitted")
            # a callback that raised (Ctrl-C included) never ends in a fitted call
            assert not any(getattr(c, "fired", False) for c in params.get("callbacks", []))
            _check_sound(est, X)
        est.set_params(callbacks=None, learning_rate_init=1e-3, early_stopping=False)


def _check_sound(est, X):
    training = est._fitted.training
    assert training.n_iter == len(est.loss_curve_) == len(training.history)
    assert np.isfinite(est.network_.flat_params).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            predictions = est.predict(X)
        except ValueError as exc:              # inputs far outside what it learned
            assert "overflowed" in str(exc) or "features" in str(exc), exc
            return
    if hasattr(est, "classes_"):
        proba = est.predict_proba(X)
        assert np.isfinite(proba).all()
        assert set(np.unique(predictions)) <= set(np.ravel(est.classes_)) | {0, 1}
    else:
        assert np.isfinite(predictions).all()


def _check_the_next_call_is_unaffected(est, snapshot, X, y):
    """A good partial_fit after the failure computes what it computes without it."""
    if not hasattr(snapshot, "_fitted"):
        assert not hasattr(est, "network_")
        return
    for model in (est, snapshot):
        model.set_params(callbacks=None, learning_rate_init=1e-3, warm_start=False,
                         early_stopping=False,
                         solver=snapshot.solver, hidden_layer_sizes=snapshot.hidden_layer_sizes,
                         activation=snapshot.activation)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            try:
                model.partial_fit(X, y)
            except ValueError:                 # the fitted target no longer takes y
                return
    np.testing.assert_array_equal(est.network_.flat_params, snapshot.network_.flat_params)
    assert est.loss_curve_ == snapshot.loss_curve_
