"""save/load: identical predictions, continued training, and refusal of bad files."""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import skscratch
from skscratch import ConvNetFromScratch, MLPFromScratch, Network, load, save


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
    # epoch on each gives the same weights (partial_fit holds out nothing)
    model.set_params(early_stopping=False).partial_fit(X, target)
    loaded.set_params(early_stopping=False).partial_fit(X, target)
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


def _first_layer(header):
    return header["network"]["model"]["config"]["layers"][0]


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
    (_edit_header(lambda h: _first_layer(h).__setitem__("type", "Lambda")), "Unknown layer"),
    (_edit_header(lambda h: _first_layer(h)["config"].__setitem__("units", 7)), "shape"),
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


DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["mlp_adam_multiclass", "mlp_sgd_binary_strings",
                                  "mlp_huber_regression", "convnet_batchnorm"])
def test_files_of_format_version_1_still_load(name, iris):
    """Files written by skscratch 0.1 (before the registries and graph models)."""
    X, y = iris
    model = load(DATA / f"v1_{name}.npz")
    with np.load(DATA / "v1_predictions.npz", allow_pickle=False) as expected:
        np.testing.assert_array_equal(model.predict(X), expected[name])
    before = [p.copy() for p in model.network_.params]
    target = model.predict(X)
    model.set_params(early_stopping=False).partial_fit(X, target)   # optimizer state too
    assert any(not np.array_equal(p, q) for p, q in zip(before, model.network_.params))


def _wide_and_deep():
    from skscratch.layers import Concatenate, Dense, Dropout, Input
    wide, deep = Input((2,), name="wide"), Input((3,), name="deep")
    shared = Dense(4, "tanh")
    h = Network([Dense(5, "relu"), Dropout(0.1), Dense(4, "tanh")])(deep)
    h = shared(shared(h))
    main = Dense(1, name="main")(Concatenate()([wide, h]))
    return skscratch.Model([wide, deep], [main, Dense(2, name="aux")(h)])


def test_graph_models_and_networks_round_trip(iris, tmp_path):
    X, y = iris
    model = _wide_and_deep()
    model.fit((X[:, :2], X[:, 1:]), (X[:, 3], X[:, :2]), epochs=3, learning_rate=1e-3,
              random_state=0)
    save(model, tmp_path / "graph.npz")
    loaded = load(tmp_path / "graph.npz")
    assert type(loaded) is skscratch.Model
    assert loaded.summary() == model.summary()
    for a, b in zip(loaded.predict((X[:, :2], X[:, 1:])), model.predict((X[:, :2], X[:, 1:]))):
        np.testing.assert_array_equal(a, b)
    from skscratch.layers import Dense
    net = Network([Dense(4, "relu", name="hidden"), Dense(3)]).build((4,), 0, np.float32)
    save(net, tmp_path / "net.npz")
    copy = load(tmp_path / "net.npz")
    assert copy.dtype == np.float32 and copy.layers[0].name == "hidden"
    np.testing.assert_array_equal(copy.predict(X), net.predict(X))
    with pytest.raises(RuntimeError, match="not built"):
        save(Network([Dense(2)]), tmp_path / "unbuilt.npz")


def test_tampered_graph_files_are_rejected(iris, tmp_path):
    X, _ = iris
    model = _wide_and_deep().build(random_state=0)
    save(model, tmp_path / "graph.npz")
    bad = tmp_path / "bad.npz"
    for edit, message in [
        (lambda h: h["network"]["model"]["config"]["nodes"][0].__setitem__("inputs", [99]),
         "refers to index 99"),
        (lambda h: h["network"]["model"]["config"]["layers"][0].__setitem__("type", "eval"),
         "Unknown layer 'eval'"),
        (lambda h: h["network"].__setitem__("input_shape", [[2], [4]]), "takes inputs of shape"),
    ]:
        _rewrite(tmp_path / "graph.npz", bad, _edit_header(edit))
        with pytest.raises(ValueError, match=message):
            load(bad)


def test_nesting_deeper_than_the_limit_is_refused(tmp_path):
    from skscratch.configs import MAX_NESTING
    from skscratch.layers import Dense
    inner = Network([Dense(2)])
    for _ in range(MAX_NESTING + 1):
        inner = Network([inner])
    inner.build((2,), 0)
    save(inner, tmp_path / "deep.npz")
    with pytest.raises(ValueError, match="nested more than"):
        load(tmp_path / "deep.npz")


@pytest.mark.parametrize("solver", sorted(skscratch.optimizers.OPTIMIZERS))
def test_every_registered_optimizer_round_trips(solver, iris, tmp_path):
    X, y = iris
    model = _fit(MLPFromScratch((6,), solver=solver, max_iter=3, random_state=0), X, y)
    save(model, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.network_.flat_params, model.network_.flat_params)


class _RMSprop(skscratch.optimizers.Optimizer):
    """An optimizer written as a user would add one: registered, and nothing else."""

    state_slots = ("square",)

    def __init__(self, learning_rate=0.01, rho=0.9):
        super().__init__(learning_rate)
        self.rho = rho

    def _update(self, params, grads):
        for p, g, sq in zip(params, grads, self._square):
            sq *= self.rho
            sq += (1 - self.rho) * g * g
            p -= self.learning_rate * g / (np.sqrt(sq) + 1e-8)


def test_a_newly_registered_optimizer_needs_no_change_to_persistence(iris, tmp_path,
                                                                     monkeypatch):
    from skscratch.estimators._sklearn_private import StrOptions
    from skscratch.optimizers import OPTIMIZERS
    monkeypatch.setitem(OPTIMIZERS, "rmsprop", _RMSprop)
    monkeypatch.setitem(MLPFromScratch._parameter_constraints, "solver",
                        [StrOptions(set(OPTIMIZERS))])
    X, y = iris
    model = _fit(MLPFromScratch((6,), solver="rmsprop", max_iter=3, random_state=0), X, y)
    save(model, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.network_.flat_params, model.network_.flat_params)


def test_headers_declaring_more_than_the_file_holds_are_refused(saved, tmp_path):
    bad = tmp_path / "bomb.npz"
    _rewrite(saved, bad, _edit_header(lambda h: _first_layer(h)["config"].__setitem__(
        "units", 600_000)))
    with pytest.raises(ValueError, match="declares .* parameters but its weight"):
        load(bad)
    nested = json.dumps({"format": "skscratch-model"})
    deep = nested[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    _rewrite(saved, bad, lambda a: a.__setitem__("header", np.frombuffer(deep.encode(),
                                                                         np.uint8)))
    with pytest.raises(ValueError, match="not an skscratch model file"):
        load(bad)


def test_unknown_members_are_refused_before_anything_is_decompressed(saved, tmp_path,
                                                                      monkeypatch):
    import zipfile
    bomb = tmp_path / "bomb.npz"
    bomb.write_bytes(saved.read_bytes())
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("evil.npy", b"\0" * (20 << 20))      # 20 MiB of zeros, ~20 KiB
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("decompressed"))
    with pytest.raises(ValueError, match=r"Unexpected arrays in the model file: \['evil.npy'\]"):
        load(bomb)


@pytest.mark.parametrize("prefix", ["weight", "moment"])
def test_an_extra_array_in_sequence_is_refused_before_it_expands(prefix, saved, tmp_path):
    # issue 12's zip bomb: one more weight (or moment) array, numbered in sequence so
    # the name checks pass, holding 400 MB of zeros in a file of a few hundred KB
    import io
    import tracemalloc
    import zipfile
    bomb = tmp_path / "bomb.npz"
    bomb.write_bytes(saved.read_bytes())
    with zipfile.ZipFile(bomb) as archive:
        n = sum(name.startswith(prefix + ".") for name in archive.namelist())
    member = io.BytesIO()
    np.lib.format.write_array(member, np.zeros(50_000_000))
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{prefix}.{n}.npy", member.getvalue())
    del member
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"its {prefix} arrays would decompress to "
                                             r"400,0\d\d,\d\d\d bytes"):
            load(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20                      # nothing near 400 MB was allocated


@pytest.mark.parametrize("network", [None, {"dtype": "float64"}, {"dtype": "int8"}])
def test_a_header_whose_network_cannot_be_read_is_refused_before_the_arrays_expand(
        network, saved, tmp_path):
    # a malformed header used to skip the size check, so an extra member expanded (up to
    # the archive limit) before the full checks refused the file
    import io
    import tracemalloc
    import zipfile
    bad = tmp_path / "bad.npz"
    _rewrite(saved, bad, _edit_header(lambda header: header.__setitem__("network", network)))
    member = io.BytesIO()
    np.lib.format.write_array(member, np.zeros(5_000_000))      # 40 MB of zeros
    with zipfile.ZipFile(bad, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        n = sum(name.startswith("weight.") for name in archive.namelist())
        archive.writestr(f"weight.{n}.npy", member.getvalue())    # next in sequence
    del member
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="malformed header: its network cannot be read"):
            load(bad)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 << 20


def test_declared_sizes_over_the_limit_are_refused_from_the_directory(saved, monkeypatch):
    import skscratch.archive
    monkeypatch.setattr(skscratch.archive, "MAX_ARCHIVE_BYTES", 1000)
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("decompressed"))
    with pytest.raises(ValueError, match="would decompress to"):
        load(saved)


def test_a_missing_file_is_named_as_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file"):
        load(tmp_path / "nothing.npz")


@pytest.mark.parametrize("change, message", [
    (lambda a: a.__setitem__("classes_", np.array([0, 1])), "target"),
    (lambda a: a.__setitem__("classes_", np.array([0.0, np.nan, 2.0])), "NaN"),
    (lambda a: a.__setitem__("classes_", np.array([2, 1, 0])), "sorted and unique"),
    (lambda a: a.__setitem__("classes_", np.array([0, 0, 2])), "sorted and unique"),
    (lambda a: a.__setitem__("weight.0", np.full_like(a["weight.0"], np.nan)), "non-finite"),
    (_edit_header(lambda h: h["optimizer"]["scalars"].__setitem__("learning_rate", -1.0)),
     "out of range"),
    (_edit_header(lambda h: h["rng"]["state"].__setitem__("state", 2**200)), "malformed"),
    (_edit_header(lambda h: h["target"].__setitem__("multilabel", True)), "does not match its"),
    # one layer fewer: its weight arrays outnumber the header's network (refused from
    # the zip directory), or, within the count, its output no longer fits the target
    (_edit_header(lambda h: h["network"]["model"]["config"]["layers"].pop()),
     "output|weight arrays"),
])
def test_inconsistent_files_are_refused(saved, tmp_path, change, message):
    _rewrite(saved, tmp_path / "bad.npz", change)
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "bad.npz")


def test_save_is_atomic_and_refuses_what_load_would_refuse(saved, iris, tmp_path, monkeypatch):
    X, y = iris
    good = saved.read_bytes()
    model = load(saved)

    def broken(f, **arrays):
        f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        save(model, saved)
    monkeypatch.undo()
    assert saved.read_bytes() == good                             # the good file survives
    assert [p.name for p in saved.parent.iterdir() if p.name.startswith(".skscratch")] == []
    dates = np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]")[y % 2]
    dated = _fit(MLPFromScratch((4,), max_iter=2, random_state=0), X, dates)
    with pytest.raises(TypeError, match="datetime64"):
        save(dated, tmp_path / "dates.npz")
    assert not (tmp_path / "dates.npz").exists()


def test_running_statistics_count_toward_what_a_file_may_hold(tmp_path):
    # BatchNorm's running mean and variance are weight members too: a network whose
    # statistics alone exceed the build slack must load as saved
    from skscratch.layers import BatchNorm, Dense
    net = Network([Dense(600_000), BatchNorm(), Dense(1)]).build((1,), random_state=0)
    save(net, tmp_path / "wide.npz")
    loaded = load(tmp_path / "wide.npz")
    x = np.ones((2, 1))
    np.testing.assert_array_equal(loaded.forward(x), net.forward(x))


@pytest.mark.parametrize("edit", [
    lambda h: (h.__setitem__("version", 3), h.__setitem__("graph", h.pop("network"))),
    lambda h: (h.__setitem__("version", 3), h["network"].__setitem__("dtype", "float16")),
    lambda h: (h.__setitem__("format", "another-tool"), h.pop("network")),
])
def test_other_formats_and_versions_are_named_as_such_before_any_check(edit, saved, tmp_path):
    bad = tmp_path / "other.npz"
    _rewrite(saved, bad, _edit_header(edit))
    with pytest.raises(ValueError, match=r"format/version mismatch"):
        load(bad)


def test_many_small_extra_members_are_refused_by_their_count(saved, tmp_path):
    # each member is allowed an .npy header's worth of bytes: twenty thousand tiny members
    # would multiply that allowance, so their number is bounded by the network's arrays
    import io
    import zipfile
    bad = tmp_path / "many.npz"
    bad.write_bytes(saved.read_bytes())
    member = io.BytesIO()
    np.lib.format.write_array(member, np.zeros(400))
    with zipfile.ZipFile(bad, "a") as archive:
        n = sum(name.startswith("moment.") for name in archive.namelist())
        for i in range(n, n + 200):
            archive.writestr(f"moment.{i}.npy", member.getvalue())
    with pytest.raises(ValueError, match=r"it holds \d+ moment arrays; the network"):
        load(bad)


def test_an_unfitted_estimators_header_with_weight_members_is_refused(saved, tmp_path):
    # kind "params" (skops' state of an unfitted estimator) has no weights to hold
    bad = tmp_path / "params.npz"
    _rewrite(saved, bad, _edit_header(lambda h: h.__setitem__("kind", "params")))
    with pytest.raises(ValueError, match="unfitted estimator holds weight or moment arrays"):
        load(bad)
