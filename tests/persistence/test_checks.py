"""The untrusted header's checks: format, declared sizes and members, before anything expands."""

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest

from skscratch import Network, load, save
from tests.persistence.model_files import edit_header, first_layer, rewrite


def _add_member(path, name, array):
    """Append ``array`` to the zip at ``path`` as the member ``<name>.npy``, deflated."""
    member = io.BytesIO()
    np.lib.format.write_array(member, array)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.npy", member.getvalue())


def _refused_within(path, match, limit_mib):
    """``load(path)`` raises a ValueError matching ``match``, tracing under ``limit_mib`` MiB."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit_mib << 20


def test_headers_declaring_more_than_the_file_holds_are_refused(saved, tmp_path):
    bad = tmp_path / "bomb.npz"
    rewrite(saved, bad, edit_header(lambda h: first_layer(h)["config"].__setitem__(
        "units", 600_000)))
    with pytest.raises(ValueError, match="declares .* parameters but its weight"):
        load(bad)
    nested = json.dumps({"format": "skscratch-model"})
    deep = nested[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    rewrite(saved, bad, lambda a: a.__setitem__("header", np.frombuffer(deep.encode(),
                                                                         np.uint8)))
    with pytest.raises(ValueError, match="not an skscratch model file"):
        load(bad)


def test_unknown_members_are_refused_before_anything_is_decompressed(saved, tmp_path,
                                                                      monkeypatch):
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
    bomb = tmp_path / "bomb.npz"
    bomb.write_bytes(saved.read_bytes())
    with zipfile.ZipFile(bomb) as archive:
        n = sum(name.startswith(prefix + ".") for name in archive.namelist())
    _add_member(bomb, f"{prefix}.{n}", np.zeros(50_000_000))
    # nothing near 400 MB is allocated
    _refused_within(bomb, f"its {prefix} arrays would decompress to "
                          r"400,0\d\d,\d\d\d bytes", 20)


@pytest.mark.parametrize("network", [None, {"dtype": "float64"}, {"dtype": "int8"}])
def test_a_header_whose_network_cannot_be_read_is_refused_before_the_arrays_expand(
        network, saved, tmp_path):
    # a malformed header used to skip the size check, so an extra member expanded (up to
    # the archive limit) before the full checks refused the file
    bad = tmp_path / "bad.npz"
    rewrite(saved, bad, edit_header(lambda header: header.__setitem__("network", network)))
    with zipfile.ZipFile(bad) as archive:
        n = sum(name.startswith("weight.") for name in archive.namelist())
    _add_member(bad, f"weight.{n}", np.zeros(5_000_000))   # 40 MB of zeros, next in sequence
    _refused_within(bad, "malformed header: its network cannot be read", 10)


def test_declared_sizes_over_the_limit_are_refused_from_the_directory(saved, monkeypatch):
    import skscratch.archive
    monkeypatch.setattr(skscratch.archive, "MAX_ARCHIVE_BYTES", 1000)
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("decompressed"))
    with pytest.raises(ValueError, match="would decompress to"):
        load(saved)


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
    rewrite(saved, bad, edit_header(edit))
    with pytest.raises(ValueError, match=r"format/version mismatch"):
        load(bad)


def test_many_small_extra_members_are_refused_by_their_count(saved, tmp_path):
    # each member is allowed an .npy header's worth of bytes: twenty thousand tiny members
    # would multiply that allowance, so their number is bounded by the network's arrays
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
    rewrite(saved, bad, edit_header(lambda h: h.__setitem__("kind", "params")))
    with pytest.raises(ValueError, match="unfitted estimator holds arrays"):
        load(bad)


def test_nesting_deeper_than_the_limit_is_refused(tmp_path):
    from skscratch.configs import MAX_NESTING
    from skscratch.layers import Dense
    inner = Network([Dense(2)])
    for _ in range(MAX_NESTING + 1):
        inner = Network([inner])
    inner.build((2,), 0)
    with pytest.raises(ValueError, match="load.. would refuse .* nested more than"):
        save(inner, tmp_path / "deep.npz")
    # written all the same, behind save's back
    from skscratch.archive import write_archive
    from skscratch.persistence.writing import model_contents
    write_archive(tmp_path / "deep.npz", *model_contents(inner))
    with pytest.raises(ValueError, match="nested more than"):
        load(tmp_path / "deep.npz")


def test_labels_are_bounded_by_the_outputs_before_they_expand(saved, tmp_path):
    # a classifier's classes_ were read whatever their size (240 MB of labels for three
    # classes took 1.5 s and as much memory before the class check refused them)
    bad = tmp_path / "labels.npz"
    with zipfile.ZipFile(saved) as old, zipfile.ZipFile(bad, "w") as new:
        for name in old.namelist():
            if name != "classes_.npy":
                new.writestr(name, old.read(name))
    _add_member(bad, "classes_", np.arange(10_000_000))
    _refused_within(bad, r"array 'classes_' would decompress to 80,000,128 bytes; 3 labels", 10)


@pytest.mark.parametrize("name", ["classes_", "feature_names_in_"])
def test_labels_a_header_has_no_use_for_are_refused_before_they_expand(name, iris, tmp_path):
    # a regression model's classes_, or a network's labels, were decompressed (up to the
    # archive's 4 GiB) and only then refused, or ignored
    X, y = iris
    if name == "classes_":
        from skscratch import MLPFromScratch
        from tests.persistence.model_files import fit_quietly
        model = fit_quietly(MLPFromScratch((4,), task="regression", max_iter=2), X, X[:, 0])
    else:
        from skscratch.layers import Dense
        model = Network([Dense(2)]).build((4,), 0)
    save(model, tmp_path / "m.npz")
    _add_member(tmp_path / "m.npz", name, np.zeros(5_000_000))           # 40 MB of zeros
    _refused_within(tmp_path / "m.npz",
                    f"holds the array '{name}', which its header has no use for", 10)
