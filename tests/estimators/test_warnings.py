"""Every warning the estimators emit points at the user's line (here: this file).

``warnings`` shows that location, and ``filterwarnings(module=...)`` matches
its module; a fixed stack level would name skscratch's own code on some call
paths (a Pipeline, cross-validation, partial_fit).

"""

import os
import warnings

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skscratch
from skscratch import ConvNetFromScratch, MLPFromScratch, Network, NetworkEstimator
from skscratch.callbacks import Callback, EarlyStopping, ReduceLROnPlateau
from skscratch.callbacks import base as callbacks_base
from skscratch.callbacks.base import warn
from skscratch.layers import Dense


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def _caught(category, call, *args, **kwargs):
    """The warnings of ``category`` that ``call`` emits, every other one let through."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(*args, **kwargs)
    found = [w for w in caught if issubclass(w.category, category)]
    assert found, f"no {category.__name__} was emitted"
    return found


def _assert_here(found):
    assert all(w.filename == __file__ for w in found), [(w.filename, w.lineno) for w in found]


@pytest.mark.parametrize("how", ["fit", "pipeline", "cross_val_score"])
def test_the_convergence_warning_names_the_users_line(how, iris):
    X, y = iris
    est = MLPFromScratch((4,), max_iter=2, random_state=0)
    call = {"fit": lambda: est.fit(X, y),
            "pipeline": lambda: make_pipeline(StandardScaler(), est).fit(X, y),
            "cross_val_score": lambda: cross_val_score(est, X, y, cv=2)}[how]
    found = _caught(ConvergenceWarning, call)
    _assert_here(found)
    assert all("Maximum iterations (2)" in str(w.message) for w in found)


@pytest.mark.parametrize("budget", [{"max_iter": 3}, {"max_fun": 4}])
def test_the_lbfgs_convergence_warning_names_the_users_line_and_the_budget(budget, iris):
    X, y = iris
    found = _caught(ConvergenceWarning, MLPFromScratch((4,), solver="lbfgs", tol=0.0,
                                                      random_state=0, **budget).fit, X, y)
    _assert_here(found)
    message = str(found[0].message)
    assert message.startswith("lbfgs failed to converge after ")
    (name, value), = budget.items()
    assert f"({name}={value})." in message
    assert message.count("StandardScaler") == 1      # raw iris: the hint, said once
    assert message.endswith("converges in far fewer iterations.")


def test_a_module_filter_on_the_users_module_silences_it(iris):
    X, y = iris
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=ConvergenceWarning, module=__name__)
        MLPFromScratch((4,), max_iter=2, random_state=0).fit(X, y)
    assert not [w for w in caught if w.category is ConvergenceWarning]


def test_a_clipped_batch_size_warning_names_the_users_line(iris):
    X, y = iris
    found = _caught(UserWarning, MLPFromScratch((4,), batch_size=500, max_iter=1).partial_fit,
                    X, y, classes=[0, 1, 2])
    _assert_here(found)
    assert "clipped" in str(found[0].message)


def test_a_default_batch_size_the_user_did_not_set_is_clipped_silently():
    # ConvNetFromScratch's batch_size=32 on 20 images: one batch, no warning (scikit-learn
    # warns only about a batch_size the user gave); the MLP's "auto" never warns either
    X, y = np.random.default_rng(0).random((20, 8, 8)), np.arange(20) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        ConvNetFromScratch((2,), hidden_layer_sizes=(4,), max_iter=1).fit(X, y)
        MLPFromScratch((4,), max_iter=1).fit(X.reshape(20, -1), y)
        NetworkEstimator(max_iter=1).fit(X.reshape(20, -1), y)
    with pytest.warns(UserWarning, match="clipped"):
        ConvNetFromScratch((2,), hidden_layer_sizes=(4,), batch_size=64, max_iter=1).fit(X, y)


def test_a_column_vector_y_warning_names_the_users_line(iris):
    X, y = iris
    found = _caught(DataConversionWarning, MLPFromScratch((4,), max_iter=1).fit,
                    X, y.reshape(-1, 1))
    _assert_here(found)


def test_the_channels_first_warning_names_the_users_line():
    X = np.random.default_rng(0).random((12, 1, 8, 8))
    found = _caught(UserWarning, ConvNetFromScratch((2,), hidden_layer_sizes=(4,),
                                                    max_iter=1).fit, X, np.arange(12) % 2)
    _assert_here([w for w in found if "channels-first" in str(w.message)])


class _Overflow(Callback):
    """Make the last (second) epoch's validation predictions overflow: huge weights."""

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        last = batch + 1 == self.params["steps"]
        if last and self.epoch == 1:
            for p, _ in self.model.penalized:
                p[...] = np.sqrt(np.finfo(p.dtype).max) / 3


def test_the_validation_overflow_warning_names_the_users_line():
    X, y = load_diabetes(return_X_y=True)
    est = MLPFromScratch((10,), task="regression", early_stopping=True, max_iter=2,
                         n_iter_no_change=np.inf, random_state=0, callbacks=[_Overflow()])
    found = _caught(RuntimeWarning, est.fit, StandardScaler().fit_transform(X), y)
    _assert_here(found)
    assert "validation predictions overflowed" in str(found[0].message)


def _build(input_shape, n_outputs, units=4):
    return skscratch.Network([skscratch.layers.Dense(units, "relu"),
                              skscratch.layers.Dense(n_outputs)])


def test_the_save_warnings_name_the_users_line(iris, tmp_path):
    X, y = iris
    fitted = NetworkEstimator(_build, max_iter=1, random_state=0, callbacks=[Callback()])
    _caught(ConvergenceWarning, fitted.fit, X, y)
    found = _caught(UserWarning, skscratch.save, fitted, tmp_path / "m.npz")
    assert {str(w.message).split(" ")[0] for w in found} == {"model", "callbacks"}
    _assert_here(found)
    sio = pytest.importorskip("skops.io")
    found = _caught(UserWarning, sio.dumps, MLPFromScratch(random_state=np.random.RandomState(0)))
    assert "random_state is a generator" in str(found[0].message)
    _assert_here(found)


def _warned(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    (w,) = caught
    return w


@pytest.mark.parametrize("how", ["estimator", "network"])
def test_a_monitor_falling_back_to_the_training_loss_warns_at_the_users_line(how, iris):
    from_callback = [EarlyStopping(patience=3), ReduceLROnPlateau(patience=3)]
    if how == "estimator":
        fit = MLPFromScratch((4,), max_iter=2, callbacks=from_callback, random_state=0).fit
        found = _caught(UserWarning, fit, *iris)
    else:
        fit = Network([Dense(4, "relu"), Dense(3)]).fit
        found = _caught(UserWarning, fit, *iris, loss="log_loss", epochs=2,
                        callbacks=from_callback)
    fallbacks = [w for w in found if "watches 'loss' instead" in str(w.message)]
    assert len(fallbacks) == 2 and all(w.filename == __file__ for w in fallbacks)


def test_a_warning_from_skscratch_points_at_the_line_that_called_it():
    w = _warned(lambda: warn("careful", RuntimeWarning))
    assert w.category is RuntimeWarning and str(w.message) == "careful"
    assert w.filename == __file__


def test_internal_frames_are_skipped_however_many(monkeypatch):
    # frames whose module is inside a listed package are skipped, at any depth
    monkeypatch.setattr(callbacks_base, "INTERNAL_PACKAGES", ("skscratch", __name__))

    def deep(n):
        return warn("deep") if n == 0 else deep(n - 1)

    w = _warned(lambda: deep(5))
    assert w.filename != __file__            # this module counts as internal now
    assert "pytest" in w.filename or "pluggy" in w.filename


def test_a_stack_of_internal_frames_only_names_the_first_caller_outside_skscratch(monkeypatch):
    # no user line anywhere: the line that called skscratch (here this file's lambda),
    # not the interpreter's outermost frame
    monkeypatch.setattr(callbacks_base, "_internal", lambda frame: True)
    w = _warned(lambda: warn("nobody's"))
    assert w.filename == __file__


def test_in_a_parallel_search_worker_the_warning_names_scikit_learns_call_of_fit(iris):
    # a worker thread's stack holds no user line: the warning names scikit-learn's line
    # that called fit (where scikit-learn's MLP names its own), not the thread pool's
    X, y = iris
    est = MLPFromScratch((4,), max_iter=2, random_state=0)
    with parallel_backend("threading", n_jobs=2):
        found = _caught(ConvergenceWarning, cross_val_score, est, X, y, cv=2, n_jobs=2)
    where = os.path.join("sklearn", "model_selection", "_validation.py")
    assert all(w.filename.endswith(where) for w in found), [w.filename for w in found]


@pytest.mark.parametrize("name, internal", [
    ("skscratch", True), ("skscratch.estimators._base", True), ("sklearn.pipeline", True),
    ("joblib.parallel", True), ("skscratchy", False), ("__main__", False),
    ("tests.estimators.test_mlp", False)])
def test_internal_means_inside_a_listed_package(name, internal):
    class Frame:
        f_globals = {"__name__": name}
    assert callbacks_base._internal(Frame) is internal
