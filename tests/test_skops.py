"""skops's secure format: round trips, the types to trust, tampered files, pickle unchanged.

The estimators' state for skops is what skscratch.save writes (a JSON header
and named arrays); see skscratch/estimators/_state.py.
"""

import copy
import io
import json
import pickle
import warnings
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skscratch import ConvNetFromScratch, MLPFromScratch, Network, NetworkEstimator
from skscratch.callbacks import Callback
from skscratch.configs import layer_config
from skscratch.layers import Dense

pytest.importorskip("skops", reason="skops is an optional extra: pip install 'skscratch[skops]'")
import skops.io as sio  # noqa: E402
from skops.io.exceptions import UntrustedTypesFoundException  # noqa: E402

MLP = "skscratch.estimators.mlp.MLPFromScratch"
CALLS = []          # what _sentinel was called with: must stay empty


def _sentinel(*args, **kwargs):
    CALLS.append((args, kwargs))


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _round_trip(obj, trusted):
    data = sio.dumps(obj)
    return sio.loads(data, trusted=trusted), sio.get_untrusted_types(data=data)


def _params(est):
    """``get_params()`` comparable across a round trip: tuples as lists, networks as configs."""
    return {k: list(v) if isinstance(v, tuple) else
            layer_config(v) if isinstance(v, Network) else v
            for k, v in est.get_params().items()}


def _build(input_shape, n_outputs, units=4):
    return Network([Dense(units, "tanh"), Dense(n_outputs)])


class _Recorder(Callback):
    def on_epoch_end(self, epoch, logs=None):
        return False


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


@pytest.fixture(scope="module")
def fitted_mlp(iris):
    X, y = iris
    return _fit(MLPFromScratch((6,), max_iter=5, random_state=0), X, y)


IMAGES = np.random.default_rng(0).random((24, 6, 6, 1))
ESTIMATORS = [
    pytest.param(lambda: MLPFromScratch((8, 4), dropout=0.2, max_iter=5, random_state=0),
                 "strings", MLP, id="mlp-string-labels"),
    pytest.param(lambda: MLPFromScratch((8,), task="regression", solver="sgd", max_iter=5,
                                        random_state=0),
                 "values", MLP, id="mlp-regressor"),
    pytest.param(lambda: ConvNetFromScratch((3,), hidden_layer_sizes=(6,), batch_norm=True,
                                            max_iter=3, random_state=0),
                 "images", "skscratch.estimators.convnet.ConvNetFromScratch", id="convnet"),
    pytest.param(lambda: NetworkEstimator(Network([Dense(6, "tanh"), Dense(3)]), max_iter=5,
                                          random_state=0),
                 "labels", "skscratch.estimators.network_estimator.NetworkEstimator",
                 id="network-estimator"),
]


def _data(kind, iris):
    X, y = iris
    if kind == "images":
        return IMAGES, np.arange(len(IMAGES)) % 2
    return X, {"labels": y, "strings": np.array(["setosa", "versicolor", "virginica"])[y],
               "values": X[:, 0] * 2 - X[:, 3]}[kind]


@pytest.mark.parametrize("make, kind, name", ESTIMATORS)
def test_fitted_estimators_round_trip_and_keep_training_identically(make, kind, name, iris):
    X, y = _data(kind, iris)
    model = _fit(make(), X, y)
    loaded, untrusted = _round_trip(model, [type(model)])
    assert untrusted == [name]
    assert type(loaded) is type(model) and loaded is not model
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.loss_curve_ == model.loss_curve_ and loaded.t_ == model.t_
    # optimizer moments and the random generator came back: one more epoch on
    # each gives the same weights
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    for p, q in zip(model.network_.params, loaded.network_.params):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("make, kind, name", ESTIMATORS)
def test_unfitted_estimators_round_trip_as_parameters(make, kind, name, iris):
    X, y = _data(kind, iris)
    model = make()
    loaded, untrusted = _round_trip(model, [type(model)])
    assert untrusted == [name]
    assert not hasattr(loaded, "network_")
    assert _params(loaded) == _params(model)
    np.testing.assert_array_equal(_fit(loaded, X, y).predict(X), _fit(model, X, y).predict(X))


def test_warm_start_after_a_round_trip_continues_as_without(fitted_mlp, iris):
    X, y = iris
    loaded, _ = _round_trip(fitted_mlp, [MLPFromScratch])
    original = copy.deepcopy(fitted_mlp)
    for est in (original, loaded):
        _fit(est.set_params(warm_start=True, max_iter=3), X, y)
    assert loaded.loss_curve_ == original.loss_curve_
    np.testing.assert_array_equal(loaded.predict_proba(X), original.predict_proba(X))


def test_pipeline_with_a_scaler(iris):
    X, y = iris
    pipe = _fit(make_pipeline(StandardScaler(), MLPFromScratch((8,), max_iter=10,
                                                               random_state=0)), X, y)
    loaded, untrusted = _round_trip(pipe, [MLPFromScratch])
    assert untrusted == [MLP]
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(loaded[0].scale_, pipe[0].scale_)


def test_column_transformer_pipeline_on_a_data_frame(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["size"] = np.where(X[:, 0] > 5.8, "big", "small")
    columns = ColumnTransformer([("num", StandardScaler(), ["a", "b", "c", "d"]),
                                 ("cat", OneHotEncoder(), ["size"])])
    pipe = _fit(make_pipeline(columns, MLPFromScratch((8,), max_iter=10, random_state=0)),
                frame, np.array(["setosa", "versicolor", "virginica"])[y])
    data = sio.dumps(pipe)
    untrusted = sio.get_untrusted_types(data=data)
    # scikit-learn 1.6's ColumnTransformer holds a private list type that skops does
    # not trust by default: scikit-learn's own, to be judged apart from skscratch's
    sklearn_own = [t for t in untrusted if t.startswith("sklearn.compose.")]
    assert sorted(set(untrusted) - set(sklearn_own)) == [MLP]
    loaded = sio.loads(data, trusted=[MLPFromScratch, *sklearn_own])
    np.testing.assert_array_equal(loaded.predict_proba(frame), pipe.predict_proba(frame))
    np.testing.assert_array_equal(loaded.predict(frame), pipe.predict(frame))


def test_feature_names_of_a_data_frame_come_back(iris):
    X, y = iris
    frame = pd.DataFrame(X.astype(np.float32), columns=["a", "b", "c", "d"])
    model = _fit(MLPFromScratch((4,), max_iter=3, random_state=0), frame, y)
    loaded, _ = _round_trip(model, [MLPFromScratch])
    np.testing.assert_array_equal(loaded.feature_names_in_, ["a", "b", "c", "d"])
    assert loaded.coefs_[0].dtype == np.float32


def test_what_is_code_is_refused_or_dropped_with_a_warning(iris):
    X, y = iris
    with pytest.raises(TypeError, match="build function"):
        sio.dumps(NetworkEstimator(_build, model__units=5))
    fitted = _fit(NetworkEstimator(_build, model__units=5, max_iter=2, random_state=0), X, y)
    with pytest.warns(UserWarning, match="fitted architecture"):
        data = sio.dumps(fitted)
    loaded = sio.loads(data, trusted=[NetworkEstimator])
    assert isinstance(loaded.model, Network) and "model__units" not in loaded.get_params()
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    with pytest.warns(UserWarning, match="callbacks are code"):
        data = sio.dumps(MLPFromScratch(callbacks=[_Recorder()]))
    assert sio.loads(data, trusted=[MLPFromScratch]).callbacks is None
    with pytest.warns(UserWarning, match="random_state is a generator"):
        sio.dumps(MLPFromScratch(random_state=np.random.RandomState(0)))


def test_subclasses_are_refused_when_dumped():
    class Custom(MLPFromScratch):
        pass

    with pytest.raises(TypeError, match="only skscratch's own estimators"):
        sio.dumps(Custom())


# ------------------------------------------------------------- tampered files
def _schema_and_members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return (json.loads(z.read("schema.json")),
                {n: z.read(n) for n in z.namelist() if n != "schema.json"})


def _zip(schema, members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("schema.json", json.dumps(schema))
        for name, content in members.items():
            z.writestr(name, content)
    return out.getvalue()


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _edit_header(data, edit):
    """``data`` with the estimator's JSON header changed by ``edit(header)``."""
    schema, members = _schema_and_members(data)
    node = schema["content"]["content"]["header"]
    header = json.loads(json.loads(node["content"]))
    edit(header)
    node["content"] = json.dumps(json.dumps(header))
    return _zip(schema, members)


def _edit_array(data, name, array):
    schema, members = _schema_and_members(data)
    member = schema["content"]["content"]["arrays"]["content"][name]["file"]
    return _zip(schema, {**members, member: _npy(array)})


def _replace_node(data, key, node):
    """``data`` with the state's ``key`` entry ("header" or "arrays") replaced by ``node``."""
    schema, members = _schema_and_members(data)
    schema["content"]["content"][key] = node
    return _zip(schema, members)


def _relabel(data, module, name):
    """``data`` claiming to hold another skscratch estimator class than its header names."""
    schema, members = _schema_and_members(data)
    schema.update({"__class__": name, "__module__": f"skscratch.estimators.{module}"})
    return _zip(schema, members)


def _function_node(module, name):
    return {"__class__": name, "__module__": module, "__loader__": "FunctionNode"}


def _relabel_first_layer(header):
    header["network"]["model"]["config"]["layers"][0]["type"] = "EvilLayer"


TAMPERED = [
    pytest.param(lambda d, w: _edit_array(d, "weight.0", np.full_like(w, np.nan)),
                 "non-finite", id="nan-weights"),
    pytest.param(lambda d, w: _edit_array(d, "weight.0", np.zeros((w.shape[0] + 1, 2))),
                 "shape", id="wrong-shape"),
    pytest.param(lambda d, w: _edit_array(d, "classes_", np.array([2, 1, 0])),
                 "sorted", id="unsorted-classes"),
    pytest.param(lambda d, w: _edit_header(d, _relabel_first_layer), "EvilLayer",
                 id="unknown-layer"),
    pytest.param(lambda d, w: _edit_header(d, lambda h: h.update(estimator="Pipeline")),
                 "Unknown estimator", id="unknown-estimator"),
    pytest.param(lambda d, w: _relabel(d, "network_estimator", "NetworkEstimator"),
                 "describes a MLPFromScratch", id="another-class-than-the-header"),
    pytest.param(lambda d, w: _edit_header(d, lambda h: h["params"].update(max_iter=-1)),
                 "max_iter", id="invalid-parameter"),
    pytest.param(lambda d, w: _replace_node(d, "header", _function_node("numpy", "add")),
                 "JSON header", id="a-trusted-function-as-header"),
]


@pytest.mark.parametrize("tamper, message", TAMPERED)
def test_tampered_files_are_refused_with_value_error(tamper, message, fitted_mlp):
    data = tamper(sio.dumps(fitted_mlp), fitted_mlp.network_.get_weights()[0])
    with pytest.raises(ValueError, match=message):
        sio.loads(data, trusted=[MLPFromScratch, NetworkEstimator])


def test_a_foreign_callable_is_refused_by_skops_before_anything_is_built(fitted_mlp):
    data = _replace_node(sio.dumps(fitted_mlp), "arrays", _function_node("os", "system"))
    assert "os.system" in sio.get_untrusted_types(data=data)
    with pytest.raises(UntrustedTypesFoundException, match="os.system"):
        sio.loads(data, trusted=[MLPFromScratch])


@pytest.mark.parametrize("key", ["header", "arrays"])
def test_a_trusted_callable_in_the_state_is_refused_and_never_called(key, fitted_mlp):
    # a careless user trusts everything the file lists: the callable is still
    # refused as data, and never called
    data = _replace_node(sio.dumps(fitted_mlp), key, _function_node(__name__, "_sentinel"))
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted == sorted([MLP, f"{__name__}._sentinel"])
    with pytest.raises(ValueError, match="JSON header|dict of arrays"):
        sio.loads(data, trusted=untrusted)
    assert CALLS == []


def test_object_arrays_and_unknown_names_are_refused(fitted_mlp):
    schema, members = _schema_and_members(sio.dumps(fitted_mlp))
    arrays = schema["content"]["content"]["arrays"]["content"]
    arrays["weight.0"] = {"__class__": "ndarray", "__module__": "numpy",
                          "__loader__": "NdArrayNode", "type": "json",
                          "content": [], "shape": {"__class__": "tuple",
                                                   "__module__": "builtins",
                                                   "__loader__": "TupleNode", "content": []}}
    with pytest.raises(ValueError, match="not an array of numbers or strings"):
        sio.loads(_zip(schema, members), trusted=[MLPFromScratch])
    arrays["evil"] = arrays.pop("weight.0")
    with pytest.raises(ValueError, match="Unexpected array 'evil'"):
        sio.loads(_zip(schema, members), trusted=[MLPFromScratch])


def test_the_attribute_dict_of_a_plain_skops_object_is_refused():
    # what skops stores for an ordinary estimator (its __dict__) is not accepted:
    # it would set attributes without any check
    schema, members = _schema_and_members(sio.dumps(MLPFromScratch()))
    schema["content"] = {
        "__class__": "dict", "__module__": "builtins", "__loader__": "DictNode",
        "content": {"max_iter": {"__class__": "str", "__module__": "builtins",
                                 "__loader__": "JsonNode", "content": "5", "is_json": True}},
        "key_types": {"__class__": "list", "__module__": "builtins", "__loader__": "ListNode",
                      "content": [{"__class__": "str", "__module__": "builtins",
                                   "__loader__": "TypeNode"}]}}
    with pytest.raises(ValueError, match="not skscratch plain data"):
        sio.loads(_zip(schema, members), trusted=[MLPFromScratch])


def test_pickles_own_state_type_cannot_be_forged_without_trusting_it():
    schema, members = _schema_and_members(sio.dumps(MLPFromScratch()))
    schema["content"].update({"__class__": "PickledState",
                              "__module__": "skscratch.estimators._state"})
    data = _zip(schema, members)
    assert "skscratch.estimators._state.PickledState" in sio.get_untrusted_types(data=data)
    with pytest.raises(UntrustedTypesFoundException):
        sio.loads(data, trusted=[MLPFromScratch])


# --------------------------------------------- pickle, copy, clone: unchanged
def test_pickle_and_deepcopy_keep_what_skops_cannot_store(iris):
    X, y = iris
    est = _fit(NetworkEstimator(_build, model__units=5, max_iter=2, callbacks=[_Recorder()],
                                random_state=np.random.RandomState(0)), X, y)
    for copied in (pickle.loads(pickle.dumps(est)), copy.deepcopy(est), copy.copy(est)):
        assert copied.model is _build and copied.get_params()["model__units"] == 5
        assert isinstance(copied.callbacks[0], _Recorder)
        assert isinstance(copied.random_state, np.random.RandomState)
        np.testing.assert_array_equal(copied.predict_proba(X), est.predict_proba(X))
    assert clone(est).get_params()["model__units"] == 5


def test_joblib_and_cloudpickle_carry_fitted_estimators_whole(iris, tmp_path):
    # what joblib.dump and parallel workers (loky: cloudpickle) use; GridSearchCV
    # with n_jobs=2 itself is tested in tests/estimators/test_reliability.py
    cloudpickle = pytest.importorskip("cloudpickle", reason="loky's pickler (via distributed)")
    X, y = iris
    est = _fit(make_pipeline(StandardScaler(), MLPFromScratch(
        (4,), max_iter=3, random_state=0, callbacks=[_Recorder()])), X, y)
    joblib.dump(est, tmp_path / "model.joblib")
    for copied in (joblib.load(tmp_path / "model.joblib"),
                   cloudpickle.loads(cloudpickle.dumps(est))):
        assert isinstance(copied[-1].callbacks[0], _Recorder)
        np.testing.assert_array_equal(copied.predict_proba(X), est.predict_proba(X))
        copied[-1].partial_fit(StandardScaler().fit_transform(X), y)
