"""MLPClassifier and MLPRegressor: scikit-learn's names, signatures and grids, our estimator.

scikit-learn's classes are the oracle: the same parameters with the same
defaults in the same order (plus skscratch's two extras), the same pipeline
step names and grid keys, the same models from the same seeds, and the docs'
drop-in page converts a script by changing its import alone.
"""

import inspect
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn import neural_network
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skscratch
from skscratch import MLPClassifier, MLPFromScratch, MLPRegressor

EXTRAS = ["dropout", "callbacks"]
DOCS = Path(skscratch.__file__).resolve().parents[1] / "docs"


def _quiet(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit(*args, **kwargs)


@pytest.mark.parametrize("ours, theirs", [(MLPClassifier, neural_network.MLPClassifier),
                                          (MLPRegressor, neural_network.MLPRegressor)])
def test_the_signature_is_scikit_learns_plus_two_extras(ours, theirs):
    mine = inspect.signature(ours).parameters
    sk = inspect.signature(theirs).parameters
    assert list(mine) == list(sk) + EXTRAS                   # order: positional use swaps
    for name, param in sk.items():
        assert mine[name].default == param.default, name
        assert mine[name].kind == param.kind, name
    assert ours().get_params() == {**theirs().get_params(), "dropout": 0.0, "callbacks": None}


def test_the_task_is_fixed_and_no_parameter():
    assert is_classifier(MLPClassifier()) and is_regressor(MLPRegressor())
    assert isinstance(MLPClassifier(), MLPFromScratch)
    for est in (MLPClassifier(), MLPRegressor()):
        assert "task" not in est.get_params()
        with pytest.raises(ValueError, match="Invalid parameter 'task'"):
            est.set_params(task="regression")
    assert "loss" not in MLPClassifier().get_params()
    with pytest.raises(ValueError, match="'loss' parameter of MLPRegressor"):
        MLPRegressor(loss="log_loss").fit(np.eye(3), [0.0, 1.0, 2.0])
    assert not hasattr(MLPRegressor(), "predict_proba")


def test_positional_parameters_mean_what_they_mean_in_scikit_learn():
    # MLPRegressor(loss, hidden_layer_sizes, activation), MLPClassifier(hidden, activation)
    X, y = load_diabetes(return_X_y=True)
    reg = _quiet(MLPRegressor("poisson", (7,), "tanh", max_iter=3, random_state=0).fit, X, y)
    assert (reg.out_activation_, reg.coefs_[0].shape, reg.activation) == ("exp", (10, 7), "tanh")
    clf = MLPClassifier((5,), "logistic")
    assert clf.hidden_layer_sizes == (5,) and clf.activation == "logistic"


def _search(est, name, X, y):
    pipe = make_pipeline(StandardScaler(), est)
    grid = {f"{name}__alpha": [1e-4, 1.0], f"{name}__hidden_layer_sizes": [(5,), (10,)]}
    return _quiet(GridSearchCV(pipe, grid, cv=3).fit, X, y)


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_pipelines_and_grids_keyed_by_scikit_learns_names_give_its_results(task, solver):
    X, y = load_iris(return_X_y=True) if task == "classification" else load_diabetes(
        return_X_y=True)
    y = y if task == "classification" else (y - y.mean()) / y.std()
    name = "mlpclassifier" if task == "classification" else "mlpregressor"
    params = dict(solver=solver, max_iter=40, random_state=0)
    ours = (MLPClassifier if task == "classification" else MLPRegressor)(**params)
    theirs = getattr(neural_network, type(ours).__name__)(**params)
    a, b = _search(ours, name, X, y), _search(theirs, name, X, y)
    assert list(a.best_estimator_.named_steps) == ["standardscaler", name]
    assert a.best_params_ == b.best_params_
    np.testing.assert_allclose(a.cv_results_["mean_test_score"],
                               b.cv_results_["mean_test_score"], rtol=1e-7, atol=1e-9)


def test_the_same_seed_trains_scikit_learns_model_and_the_global_seed_too():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    for seed in (3, None):
        models = []
        for cls in (MLPClassifier, neural_network.MLPClassifier):
            np.random.seed(0)
            models.append(_quiet(cls((6,), max_iter=20, random_state=seed).fit, X, y))
        for a, b in zip(models[0].coefs_, models[1].coefs_):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_the_global_seed_is_drawn_from_as_scikit_learn_draws_it(solver):
    # after one fit the global stream stands where scikit-learn's leaves it, so the
    # next random_state=None fit (and the user's own draws) match scikit-learn's
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    models, draws = [], []
    for cls in (MLPClassifier, neural_network.MLPClassifier):
        np.random.seed(0)
        _quiet(cls((6,), solver=solver, max_iter=5).fit, X, y)
        models.append(_quiet(cls((6,), solver=solver, max_iter=5).fit, X, y))
        draws.append(np.random.random_sample())
    assert draws[0] == draws[1]
    for a, b in zip(models[0].coefs_, models[1].coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    # with a seed of its own a fit leaves the global stream alone
    np.random.seed(0)
    _quiet(MLPClassifier((6,), solver=solver, max_iter=5, random_state=3).fit, X, y)
    assert np.random.random_sample() == np.random.RandomState(0).random_sample()


@pytest.mark.parametrize("est", [MLPClassifier((6,), max_iter=5, random_state=0),
                                 MLPRegressor(hidden_layer_sizes=(6,), max_iter=5,
                                              random_state=0)])
def test_save_load_clone_and_skops_keep_the_class(est, tmp_path):
    X, y = load_iris(return_X_y=True)
    y = y if is_classifier(est) else X[:, 0]
    est = _quiet(est.fit, X, y)
    skscratch.save(est, tmp_path / "m.npz")
    loaded = skscratch.load(tmp_path / "m.npz")
    assert type(loaded) is type(est) and loaded.get_params() == {
        **est.get_params(), "hidden_layer_sizes": [6]}
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    assert type(clone(est)) is type(est)
    sio = pytest.importorskip("skops.io")
    again = sio.loads(sio.dumps(est), trusted=[type(est)])
    np.testing.assert_array_equal(again.predict(X), est.predict(X))


def test_save_refuses_scikit_learns_class_of_the_same_name(tmp_path):
    X, y = load_iris(return_X_y=True)
    theirs = _quiet(neural_network.MLPClassifier((3,), max_iter=2).fit, X, y)
    with pytest.raises(TypeError, match="takes an skscratch estimator"):
        skscratch.save(theirs, tmp_path / "m.npz")


def _dropin_script():
    """The script of docs/dropin.md, and the import line its conversion changes."""
    page = (DOCS / "dropin.md").read_text(encoding="utf-8")
    script = re.search(r"```python\n(.*?)```", page, flags=re.DOTALL).group(1)
    line = "from sklearn.neural_network import MLPClassifier"
    assert script.count(line) == 1
    return page, script, line


@pytest.mark.slow
def test_the_drop_in_page_converts_a_script_by_its_import_alone(tmp_path):
    if not DOCS.exists():
        pytest.skip("docs/ not present (installed package)")
    page, script, line = _dropin_script()
    # this checkout's skscratch, and one BLAS thread for both (a busy machine's spinning
    # threads would only cost time)
    env = {**os.environ, "PYTHONPATH": str(DOCS.parent), "OPENBLAS_NUM_THREADS": "1"}
    outputs = []
    for new in (line, "from skscratch import MLPClassifier"):
        path = tmp_path / "script.py"
        path.write_text(script.replace(line, new), encoding="utf-8")
        run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                             cwd=tmp_path, env=env, check=True)
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1] and outputs[0].strip()
    # the page shows the output both give
    shown = re.search(r"```text\n(.*?)```", page, flags=re.DOTALL).group(1)
    assert shown == outputs[1]
