"""load: old files still load; tampered, inconsistent or foreign files are refused."""

from pathlib import Path

import numpy as np
import pytest

from skscratch import load, save
from tests.persistence.model_files import edit_header, first_layer, rewrite, wide_and_deep


@pytest.mark.parametrize("change, message", [
    (lambda a: a.__setitem__("weight.0", a["weight.0"][:2]), "shape"),
    (lambda a: a.__setitem__("weight.1", a["weight.1"].astype(np.float32)), "dtype"),
    (lambda a: a.pop("weight.2"), "lacks the array 'weight.2'"),
    (lambda a: a.__setitem__("extra", np.zeros(3)), "Unexpected arrays"),
    (lambda a: a.__setitem__("header", np.frombuffer(b"{not json", np.uint8)), "not an skscratch"),
    (edit_header(lambda h: h.__setitem__("estimator", "os.system")), "Unknown estimator"),
    (edit_header(lambda h: first_layer(h).__setitem__("type", "Lambda")), "Unknown layer"),
    (edit_header(lambda h: first_layer(h)["config"].__setitem__("units", 7)), "shape"),
    (edit_header(lambda h: h["params"].__setitem__("alpha", -1)), "alpha"),
    (edit_header(lambda h: h.__setitem__("version", 99)), "version"),
    (edit_header(lambda h: h.pop("target")), "malformed header"),
    (edit_header(lambda h: h["network"].__setitem__("dtype", "object")), "Unknown dtype"),
])
def test_tampered_files_are_rejected(saved, tmp_path, change, message):
    rewrite(saved, tmp_path / "bad.npz", change)
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


DATA = Path(__file__).parent.parent / "data"


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


def test_tampered_graph_files_are_rejected(iris, tmp_path):
    X, _ = iris
    model = wide_and_deep().build(random_state=0)
    save(model, tmp_path / "graph.npz")
    bad = tmp_path / "bad.npz"
    for edit, message in [
        (lambda h: h["network"]["model"]["config"]["nodes"][0].__setitem__("inputs", [99]),
         "refers to index 99"),
        (lambda h: h["network"]["model"]["config"]["layers"][0].__setitem__("type", "eval"),
         "Unknown layer 'eval'"),
        (lambda h: h["network"].__setitem__("input_shape", [[2], [4]]), "takes inputs of shape"),
    ]:
        rewrite(tmp_path / "graph.npz", bad, edit_header(edit))
        with pytest.raises(ValueError, match=message):
            load(bad)


def test_a_missing_file_is_named_as_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file"):
        load(tmp_path / "nothing.npz")


@pytest.mark.parametrize("change, message", [
    (lambda a: a.__setitem__("classes_", np.array([0, 1])), "target"),
    (lambda a: a.__setitem__("classes_", np.array([0.0, np.nan, 2.0])), "NaN"),
    (lambda a: a.__setitem__("classes_", np.array([2, 1, 0])), "sorted and unique"),
    (lambda a: a.__setitem__("classes_", np.array([0, 0, 2])), "sorted and unique"),
    (lambda a: a.__setitem__("weight.0", np.full_like(a["weight.0"], np.nan)), "non-finite"),
    (edit_header(lambda h: h["optimizer"]["scalars"].__setitem__("learning_rate", -1.0)),
     "out of range"),
    (edit_header(lambda h: h["rng"]["state"].__setitem__("state", 2**200)), "generator.s state"),
    (edit_header(lambda h: h["target"].__setitem__("multilabel", True)), "does not match its"),
    # an lbfgs estimator keeps no optimizer state, and a file without one holds no moments
    (edit_header(lambda h: h["params"].__setitem__("solver", "lbfgs")),
     "optimizer state .'adam'. does not match the saved solver"),
    (edit_header(lambda h: h.__setitem__("optimizer", None)), "moment"),
    # one layer fewer: its weight arrays outnumber the header's network (refused from
    # the zip directory), or, within the count, its output no longer fits the target
    (edit_header(lambda h: h["network"]["model"]["config"]["layers"].pop()),
     "output|weight arrays"),
])
def test_inconsistent_files_are_refused(saved, tmp_path, change, message):
    rewrite(saved, tmp_path / "bad.npz", change)
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "bad.npz")


@pytest.mark.parametrize("moment", ["moment.0", "moment.1"])
def test_non_finite_optimizer_moments_are_refused(moment, saved, tmp_path):
    # they loaded, predicted as the original, and partial_fit then reported a divergence
    # ("Try a smaller learning rate") for what was a broken file
    rewrite(saved, tmp_path / "bad.npz", lambda a: a[moment].__setitem__(0, np.nan))
    with pytest.raises(ValueError, match="non-finite optimizer moments"):
        load(tmp_path / "bad.npz")


def test_values_a_layer_or_optimizer_forbids_are_refused(saved, tmp_path):
    # a negative running variance loaded and made every prediction NaN, silently; a
    # negative Adam second moment loaded and made partial_fit report a divergence
    from skscratch import Network
    from skscratch.layers import BatchNorm, Dense
    net = Network([Dense(3), BatchNorm(), Dense(1)]).build((2,), random_state=0)
    save(net, tmp_path / "net.npz")
    last = len(net.get_weights()) - 1                   # the running variance
    rewrite(tmp_path / "net.npz", tmp_path / "bad_var.npz",
            lambda a: a[f"weight.{last}"].__setitem__(0, -1.0))
    with pytest.raises(ValueError, match="running_var may not be negative"):
        load(tmp_path / "bad_var.npz")
    rewrite(saved, tmp_path / "bad_v.npz", lambda a: a["moment.1"].__setitem__(0, -1.0))
    with pytest.raises(ValueError, match="'v' may not be negative"):
        load(tmp_path / "bad_v.npz")
