"""save/load: identical predictions, continued training, and refusal of bad files."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import skscratch
from skscratch import ConvNetFromScratch, MLPFromScratch, load, save


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


MODELS = [
    pytest.param(lambda: MLPFromScratch((8, 4), dropout=0.2, max_iter=5, random_state=0),
                 "labels", id="mlp-multiclass"),
    pytest.param(lambda: MLPFromScratch((8,), solver="sgd", max_iter=5, random_state=0),
                 "strings", id="mlp-binary-sgd"),
    pytest.param(lambda: MLPFromScratch((8,), task="regression", loss="huber", max_iter=5,
                                        early_stopping=True, random_state=0),
                 "values", id="mlp-regression"),
    pytest.param(lambda: ConvNetFromScratch((3,), hidden_layer_sizes=(6,), batch_norm=True,
                                            max_iter=3, random_state=0),
                 "labels", id="convnet-batchnorm"),
]


def _targets(kind, X, y):
    return {"labels": y, "strings": np.where(y == 0, "setosa", "other"),
            "values": X[:, 0] * 2 - X[:, 3]}[kind]


@pytest.mark.parametrize("make, kind", MODELS)
def test_round_trip_predicts_identically_and_keeps_training_identically(make, kind, iris,
                                                                         tmp_path):
    X, y = iris
    target = _targets(kind, X, y)
    model = _fit(make(), X, target)
    save(model, tmp_path / "model.npz")
    loaded = load(tmp_path / "model.npz")
    assert type(loaded) is type(model)
    assert loaded.get_params() == {**model.get_params(),
                                   **{k: list(v) for k, v in model.get_params().items()
                                      if isinstance(v, tuple)}}
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    for name in ("n_iter_", "t_", "loss_curve_", "n_outputs_", "out_activation_",
                 "n_features_in_", "validation_scores_"):
        assert getattr(loaded, name) == getattr(model, name), name
    # optimizer moments and the random generator come back too: one more
    # epoch on each gives the same weights
    model.partial_fit(X, target)
    loaded.partial_fit(X, target)
    for p, q in zip(model.network_.params, loaded.network_.params):
        np.testing.assert_array_equal(p, q)


def test_float32_models_and_feature_names(iris, tmp_path):
    X, y = iris
    frame = pd.DataFrame(X.astype(np.float32), columns=["a", "b", "c", "d"])
    model = _fit(MLPFromScratch((8,), max_iter=3, random_state=0), frame, y)
    save(model, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert loaded.coefs_[0].dtype == np.float32
    np.testing.assert_array_equal(loaded.feature_names_in_, ["a", "b", "c", "d"])
    np.testing.assert_array_equal(loaded.predict_proba(frame), model.predict_proba(frame))


def test_summary_of_a_fitted_estimator(iris):
    X, y = iris
    model = _fit(MLPFromScratch((8,), max_iter=2), X, y)
    assert "Total params: 67" in model.summary()       # 4*8+8 + 8*3+3
    with pytest.raises(NotFittedError):
        MLPFromScratch().summary()


def test_unfitted_and_foreign_objects_are_refused(tmp_path):
    with pytest.raises(NotFittedError):
        save(MLPFromScratch(), tmp_path / "m.npz")
    with pytest.raises(TypeError, match="skscratch estimator"):
        save(object(), tmp_path / "m.npz")


def test_callbacks_are_not_saved(iris, tmp_path):
    X, y = iris
    model = _fit(MLPFromScratch((4,), max_iter=2, callbacks=[_never_stop]), X, y)
    with pytest.warns(UserWarning, match="callbacks are code"):
        save(model, tmp_path / "m.npz")
    assert load(tmp_path / "m.npz").callbacks is None


def _never_stop(estimator, record):
    return False


def _rewrite(src, dst, change):
    """Copy a model archive, letting ``change(arrays)`` edit its contents."""
    with np.load(src, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    change(arrays)
    with open(dst, "wb") as f:
        np.savez(f, **arrays)


def _edit_header(edit):
    def change(arrays):
        header = json.loads(bytes(arrays["header"]).decode())
        edit(header)
        arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    return change


@pytest.fixture
def saved(iris, tmp_path):
    X, y = iris
    save(_fit(MLPFromScratch((8,), max_iter=2, random_state=0), X, y), tmp_path / "good.npz")
    return tmp_path / "good.npz"


@pytest.mark.parametrize("change, message", [
    (lambda a: a.__setitem__("weight.0", a["weight.0"][:2]), "shape"),
    (lambda a: a.__setitem__("weight.1", a["weight.1"].astype(np.float32)), "dtype"),
    (lambda a: a.pop("weight.2"), "lacks the array 'weight.2'"),
    (lambda a: a.__setitem__("extra", np.zeros(3)), "Unexpected arrays"),
    (lambda a: a.__setitem__("header", np.frombuffer(b"{not json", np.uint8)), "not an skscratch"),
    (_edit_header(lambda h: h.__setitem__("estimator", "os.system")), "Unknown estimator"),
    (_edit_header(lambda h: h["network"]["layers"][0].__setitem__("type", "Lambda")),
     "Unknown layer"),
    (_edit_header(lambda h: h["network"]["layers"][0]["config"].__setitem__("units", 9)), "shape"),
    (_edit_header(lambda h: h["params"].__setitem__("alpha", -1)), "alpha"),
    (_edit_header(lambda h: h.__setitem__("version", 99)), "version"),
    (_edit_header(lambda h: h.pop("target")), "malformed header"),
    (_edit_header(lambda h: h["network"].__setitem__("dtype", "object")), "Unknown dtype"),
])
def test_tampered_files_are_rejected(saved, tmp_path, change, message):
    _rewrite(saved, tmp_path / "bad.npz", change)
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "bad.npz")


def test_pickled_objects_and_non_archives_are_rejected(saved, tmp_path):
    bad = tmp_path / "pickle.npz"
    with open(bad, "wb") as f:
        np.savez(f, header=np.array([{"evil": True}], dtype=object))
    with pytest.raises(ValueError, match="not a safe skscratch model file"):
        load(bad)
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ValueError, match="not an skscratch model file"):
        load(tmp_path / "text.npz")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(saved.read_bytes()[:200])
    with pytest.raises(ValueError, match="not an skscratch model file"):
        load(truncated)


def test_module_api():
    assert skscratch.save is save and skscratch.load is load
