"""Property-based battery: a tampered model file is refused, or loads a sound model.

Random edits of saved files — header fields replaced, deleted or added; arrays
reshaped, retyped, given NaN, huge or negative values, dropped, renamed or
added; bytes flipped; the file truncated — must end in ``ValueError`` (or
``FileNotFoundError``) from :func:`skscratch.load`, never in another
exception. A file that still loads must give a sound model: ``predict``,
``predict_proba`` and ``partial_fit`` answer with finite values of the right
shape (labels among ``classes_``, probability rows summing to 1) or with a
``ValueError`` naming the problem.
"""

import json
import os
import tempfile
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skscratch import ConvNetFromScratch, MLPFromScratch, Network, load, save  # noqa: E402
from skscratch.layers import Dense  # noqa: E402

SETTINGS = settings(max_examples=int(os.environ.get("SKSCRATCH_EXAMPLES", 60)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _models():
    """A saved file of each kind: ``name -> (file bytes, X, fitted model)``."""
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    cases = {
        "mlp-strings": (MLPFromScratch((5,), max_iter=3, random_state=0), X, names),
        "mlp-multilabel-sgd": (MLPFromScratch((5,), solver="sgd", max_iter=3, random_state=0),
                               X, np.c_[y == 0, y == 2].astype(int)),
        "mlp-regression": (MLPFromScratch((5,), task="regression", max_iter=3, random_state=0),
                           X, np.c_[X[:, 0], X[:, 1] - X[:, 2]]),
        "convnet-batchnorm": (ConvNetFromScratch((2,), hidden_layer_sizes=(4,), batch_norm=True,
                                                 max_iter=2, random_state=0),
                              X.reshape(-1, 2, 2, 1), y),
    }
    saved = {}
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, (model, data, target) in cases.items():
            model.fit(data, target)
            saved[name] = (_saved_bytes(model, folder), data, model)
        network = Network([Dense(4, "tanh"), Dense(2)]).build((4,), random_state=0)
        saved["network"] = (_saved_bytes(network, folder), X, network)
    return saved


def _saved_bytes(model, folder):
    path = os.path.join(folder, "model.npz")
    save(model, path)
    with open(path, "rb") as f:
        return f.read()


MODELS = _models()


def _arrays(data):
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.seek(0)
        with np.load(f, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}


def _archive(arrays):
    with tempfile.TemporaryFile() as f:
        np.savez(f, **arrays)
        f.seek(0)
        return f.read()


def _refused_or_sound(data, X, original):
    """Load ``data``: a ValueError, or a model whose answers are sound."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "tampered.npz")
        with open(path, "wb") as f:
            f.write(data)
        try:
            model = load(path)
        except (ValueError, FileNotFoundError):
            event("refused")              # --hypothesis-show-statistics counts both
            return "refused"
    event("loaded")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if isinstance(model, Network):
            out = model.predict(X)
            assert out.shape == original.predict(X).shape and np.isfinite(out).all()
            return "loaded"
        _check_estimator(model, X)
    return "loaded"


def _check_estimator(model, X):
    """predict, predict_proba and partial_fit answer soundly or raise ValueError."""
    try:
        predictions = _sound_predictions(model, X)
    except ValueError:                    # e.g. a consistent edit of the expected features
        return
    try:
        model.partial_fit(X, predictions)
    except ValueError:
        return
    _sound_predictions(model, X)


def _sound_predictions(model, X):
    predictions = model.predict(X)
    assert len(predictions) == len(X)
    if not hasattr(model, "classes_"):
        assert np.isfinite(predictions).all()
        return predictions
    proba = model.predict_proba(X)
    assert proba.shape[0] == len(X) and np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    if predictions.ndim == 1:             # single-label: one probability per class
        assert proba.shape[1] == len(model.classes_)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        assert set(np.unique(predictions)) <= set(model.classes_)
    return predictions


# -------------------------------------------------------------- header edits
def _json_paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _json_paths(value, prefix + (i,))


JSON_VALUES = st.one_of(
    st.none(), st.booleans(),
    st.sampled_from([0, 1, 2, 3, -1, 2**31, 2**63, 10**30, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["Dense", "Conv2D", "BatchNorm", "Network", "Model", "adam", "sgd",
                     "float32", "float16", "object", "relu", "elu", "softmax", "log_loss",
                     "squared_error", "classification", "regression", "MLPFromScratch",
                     "ConvNetFromScratch", "NetworkEstimator", "PCG64", "MT19937", "__import__",
                     "os.system", "weight.0"]),
    st.lists(st.integers(-2, 40), max_size=4),
    st.dictionaries(st.sampled_from(["type", "config", "units", "layers"]),
                    st.integers(-1, 5), max_size=2),
)


@st.composite
def header_edits(draw, header):
    header = json.loads(json.dumps(header))
    paths = list(_json_paths(header))[1:]
    path = paths[draw(st.integers(0, len(paths) - 1))]
    parent = header
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
    if action == "delete":
        del parent[path[-1]]
    elif action == "add" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=8))] = draw(JSON_VALUES)
    else:
        parent[path[-1]] = draw(JSON_VALUES)
    return header


@pytest.mark.parametrize("name", sorted(MODELS))
@SETTINGS
@given(data=st.data())
def test_header_edits_are_refused_or_load_a_sound_model(name, data):
    blob, X, original = MODELS[name]
    arrays = _arrays(blob)
    header = json.loads(bytes(arrays["header"]).decode())
    edited = data.draw(header_edits(header))
    text = json.dumps(edited).encode()
    arrays["header"] = np.frombuffer(text, dtype=np.uint8)
    _refused_or_sound(_archive(arrays), X, original)


# --------------------------------------------------------------- array edits
NAMES = st.sampled_from(["weight.0", "weight.1", "weight.9", "weight.01", "moment.0",
                         "moment.5", "classes_", "feature_names_in_", "header", "extra"])


def _reshaped(a, draw):
    flat = a.ravel()
    choice = draw(st.sampled_from(["shorter", "longer", "2d", "0d", "transposed"]))
    if choice == "shorter":
        return flat[:draw(st.integers(0, max(flat.size - 1, 0)))]
    if choice == "longer":
        return np.concatenate([flat, flat[:1] if flat.size else np.zeros(1, a.dtype)])
    if choice == "2d":
        return flat.reshape(1, -1)
    if choice == "0d":
        return flat[:1].reshape(()) if flat.size else np.array(0, a.dtype)
    return a.T if a.ndim == 2 and a.shape[0] != a.shape[1] else a.reshape(-1, 1)


def _revalued(a, draw):
    a = a.copy()
    if a.size == 0:
        return a
    i = draw(st.integers(0, a.size - 1))
    if a.dtype.kind == "f":
        a.flat[i] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e300, 0.0, -1.0,
                                          3e38]))
    elif a.dtype.kind in "iu":
        a.flat[i] = draw(st.sampled_from([0, 1, 255, -1 if a.dtype.kind == "i" else 7]))
    elif a.dtype.kind == "U":
        a.flat[i] = draw(st.sampled_from(["", "setosa", "zzz", a.flat[0]]))
    elif a.size > 1:                     # any other kind: shuffle
        a = a[::-1].copy()
    return a


@st.composite
def array_edits(draw, arrays):
    arrays = dict(arrays)
    name = draw(st.sampled_from(sorted(arrays)))
    action = draw(st.sampled_from(["shape", "dtype", "value", "value", "drop", "rename",
                                   "add"]))
    a = arrays[name]
    if action == "shape":
        arrays[name] = _reshaped(a, draw)
    elif action == "dtype":
        dtype = draw(st.sampled_from(["float32", "float64", "int64", "uint8", "bool", "<U3",
                                      "complex128", "float16"]))
        with np.errstate(all="ignore"):
            arrays[name] = a.astype(dtype) if a.dtype.kind != "U" or dtype == "<U3" else (
                np.zeros(a.shape, dtype))
    elif action == "value":
        arrays[name] = _revalued(a, draw)
    elif action == "drop":
        del arrays[name]
    elif action == "rename":
        arrays[draw(NAMES)] = arrays.pop(name)
    else:
        arrays[draw(NAMES)] = draw(st.sampled_from([np.zeros(3), np.arange(4), np.array(["a"]),
                                                    np.ones((2, 2), np.float32)]))
    return arrays


@pytest.mark.parametrize("name", sorted(MODELS))
@SETTINGS
@given(data=st.data())
def test_array_edits_are_refused_or_load_a_sound_model(name, data):
    blob, X, original = MODELS[name]
    edited = data.draw(array_edits(_arrays(blob)))
    if "header" not in edited:
        edited["header"] = np.zeros(0, np.uint8)
    _refused_or_sound(_archive(edited), X, original)


# ---------------------------------------------------------------- raw bytes
@pytest.mark.parametrize("name", sorted(MODELS))
@SETTINGS
@given(data=st.data())
def test_flipped_bytes_and_truncation_are_refused_or_harmless(name, data):
    blob, X, original = MODELS[name]
    blob = bytearray(blob)
    if data.draw(st.booleans()):
        del blob[data.draw(st.integers(0, len(blob) - 1)):]
    else:
        for _ in range(data.draw(st.integers(1, 4))):
            blob[data.draw(st.integers(0, len(blob) - 1))] ^= data.draw(st.integers(1, 255))
    outcome = _refused_or_sound(bytes(blob), X, original)
    if outcome == "loaded":
        # zip CRCs guard every member: bytes that still load flipped nothing that matters
        reloaded = load_bytes(bytes(blob))
        np.testing.assert_array_equal(_predictions(reloaded, X), _predictions(original, X))


def load_bytes(blob):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.npz")
        with open(path, "wb") as f:
            f.write(blob)
        return load(path)


def _predictions(model, X):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    return model.predict(X)


# ------------------------------------------- what the battery found, kept as examples
def _set(path, value):
    def edit(header):
        node = header
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


def _first_units(value):
    def edit(header):
        header["network"]["model"]["config"]["layers"][0]["config"]["units"] = value
    return edit


@pytest.mark.parametrize("edit, message", [
    # each loaded, then crashed in partial_fit or load with a raw error
    (_set(("state", "best_loss"), None), "training record"),                 # TypeError
    (_set(("state", "loss_curve"), ["1"]), "training record"),               # TypeError
    (_set(("params", "callbacks"), [0]), "callbacks"),                       # TypeError
    (_set(("params", "task"), "regression"), "task='regression'"),           # AttributeError
    (_set(("network", "input_shape"), [0]), "input shape"),                  # ZeroDivisionError
    (_set(("network", "input_shape"), [4.5]), "input shape"),                # read as 4
    (_first_units(2**63), r"parameters|forward pass|below 2\*\*63"),            # int64 overflow
])
def test_what_the_battery_found_is_refused(edit, message):
    blob, X, original = MODELS["mlp-strings"]
    arrays = _arrays(blob)
    header = json.loads(bytes(arrays["header"]).decode())
    edit(header)
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with pytest.raises(ValueError, match=message):
        load_bytes(_archive(arrays))


def test_unsupported_zip_features_are_refused_as_malformed():
    # a flipped byte in the zip directory: "compression method not supported" or
    # "encrypted" (NotImplementedError, RuntimeError) escaped load
    blob = bytearray(MODELS["network"][0])
    directory = blob.rfind(b"PK\x01\x02")
    blob[directory + 10] = 99                    # the first member's compression method
    with pytest.raises(ValueError, match="not an skscratch model file"):
        load_bytes(bytes(blob))
    blob = bytearray(MODELS["network"][0])
    blob[directory + 8] |= 1                     # its "encrypted" flag
    with pytest.raises(ValueError, match="not an skscratch model file"):
        load_bytes(bytes(blob))
