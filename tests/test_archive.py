"""Model archives: read within limits through one handle; written atomically, umask respected."""

import collections
import contextlib
import io
import itertools
import multiprocessing
import os
import re
import shutil
import stat
import sys
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
from sklearn.datasets import load_iris

from skscratch import MLPFromScratch, Network, load, save
from skscratch.archive import read_archive
from skscratch.layers import Dense
from skscratch.persistence.checks import check_member_sizes


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    X, y = load_iris(return_X_y=True)
    path = tmp_path_factory.mktemp("archive") / "good.npz"
    save(MLPFromScratch((8,), max_iter=2, random_state=0).fit(X, y), path)
    return path


def _rewrite_members(src, dst, change):
    """Copy the zip archive member by member, ``change(name, bytes) -> bytes`` on each."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)


def _npy_header(shape, descr="<f8"):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False,
                                               "shape": shape})
    return buf.getvalue()


def test_a_forged_npy_shape_is_refused_before_numpy_allocates_it(saved, tmp_path):
    # NumPy allocates the declared shape before reading the data: a 256-byte member
    # declaring (30000, 30000) made load() allocate 6.7 GiB before running out of data
    def forge(name, data):
        if name == "weight.0.npy":
            header_size = len(_npy_header((4, 8)))
            return _npy_header((30000, 30000)) + data[header_size:]
        return data

    _rewrite_members(saved, tmp_path / "forged.npz", forge)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"weight.0.npy declares .*\(30000, 30000\)"):
            load(tmp_path / "forged.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_an_object_member_is_refused_from_its_header(saved, tmp_path):
    def objects(name, data):
        if name == "classes_.npy":
            return _npy_header((3,), "|O") + b"\0" * 24
        return data

    _rewrite_members(saved, tmp_path / "objects.npz", objects)
    with pytest.raises(ValueError, match="classes_.npy holds Python objects"):
        load(tmp_path / "objects.npz")


def test_members_are_numbered_without_gaps(saved, tmp_path):
    # an extra weight.99 member used to be decompressed (up to the 4 GiB limit) before
    # the header showed it was not expected
    shutil.copy(saved, tmp_path / "gap.npz")
    with zipfile.ZipFile(tmp_path / "gap.npz", "a") as archive:
        archive.writestr("weight.99.npy", _npy_header((1,)) + b"\0" * 8)
    with pytest.raises(ValueError, match="lacks the array 'weight.4'"):
        load(tmp_path / "gap.npz")


_opened = None          # the paths opened while a test records them (None: not recording)
_hooked = []            # the audit hook, once added (it stays for good)


def _record_open(event, args):
    if event == "open" and _opened is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.path.abspath(os.fsdecode(args[0])))


@contextlib.contextmanager
def _opens():
    """The paths opened in the block, by any means (``open``, ``io.open``, ``os.open``)."""
    global _opened
    if not _hooked:
        sys.addaudithook(_record_open)
        _hooked.append(_record_open)
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def test_load_opens_the_file_once(saved, tmp_path):
    # it opened the path four times (zip check, two directory reads, np.load): a file
    # replaced in between was checked as one file and read as another
    with _opens() as opened:
        load(saved)
    assert opened.count(str(saved)) == 1
    gap = tmp_path / "gap.npz"
    shutil.copy(saved, gap)
    with zipfile.ZipFile(gap, "a") as archive:
        archive.writestr("weight.99.npy", _npy_header((1,)) + b"\0" * 8)
    with _opens() as opened, pytest.raises(ValueError, match="lacks the array"):
        load(gap)
    assert opened.count(str(gap)) == 1


def test_a_folder_or_a_fifo_is_no_model_file(tmp_path):
    # checked on the opened handle, not on the path before opening it; a FIFO is
    # opened without waiting for a writer
    with pytest.raises(FileNotFoundError, match="No model file"):
        load(tmp_path)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        with _opens() as opened, pytest.raises(FileNotFoundError, match="No model file"):
            load(tmp_path / "fifo")
        assert opened.count(str(tmp_path / "fifo")) == 1


def test_a_file_replaced_during_load_is_read_as_it_was_checked(saved, tmp_path, monkeypatch):
    # replaced once load has read the zip directory: the members are read from the
    # file whose directory and sizes were checked (the swapped-in bomb used to be
    # expanded, or the good file refused: "Bad CRC-32")
    path = tmp_path / "model.npz"
    shutil.copy(saved, path)
    (tmp_path / "bomb.npz").write_bytes(_bomb_bytes(tmp_path))
    infolist = zipfile.ZipFile.infolist

    def read_then_replace(archive):
        members = infolist(archive)
        if (tmp_path / "bomb.npz").exists():
            os.replace(tmp_path / "bomb.npz", path)
        return members

    monkeypatch.setattr(zipfile.ZipFile, "infolist", read_then_replace)
    header, arrays = read_archive(path, check_member_sizes)
    monkeypatch.undo()
    assert not (tmp_path / "bomb.npz").exists()                 # it was swapped in
    with np.load(saved, allow_pickle=False) as original:
        assert sorted(arrays) == sorted(original.files)
        for name in original.files:
            np.testing.assert_array_equal(arrays[name], original[name])


def _network(turn):
    """Turn ``turn``'s network, of one of two architectures, every weight equal to ``turn``."""
    layers = [Dense(3)] if turn % 2 == 0 else [Dense(5), Dense(1)]
    network = Network(layers).build((2,) if turn % 2 == 0 else (4,), 0)
    network.set_weights([np.full_like(w, turn) for w in network.get_weights()])
    return network


def _bomb_bytes(folder):
    """A network's file whose first weight member is 16 MiB of compressed zeros."""
    save(_network(0), os.path.join(folder, "source.npz"))
    with np.load(os.path.join(folder, "source.npz"), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["weight.0"] = np.zeros(2**21)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


# what load says of the bomb, and only of it
BOMB_REFUSAL = r"not a safe skscratch model file: its weight arrays would decompress to 16,777,"


def _replace_in_turns(folder, ready, stop):
    """Replace ``folder/model.npz`` turn by turn, as a checkpoint does, until ``stop``.

    Each turn ``save`` writes a good network (two architectures in turn); every
    third turn a bad file (:func:`_bomb_bytes`) is swapped in the same way.
    """
    path, spare = os.path.join(folder, "model.npz"), os.path.join(folder, "bomb.tmp")
    bomb = _bomb_bytes(folder)
    for turn in itertools.count():
        if turn % 3 == 2:
            with open(spare, "wb") as f:
                f.write(bomb)
            os.replace(spare, path)
        else:
            save(_network(turn), path)
        if turn == 5:
            ready.set()
        if stop.is_set():
            return


def _load_outcome(path):
    """One load's outcome: ``"good"`` (a whole good file) or ``"refused"`` (the bomb)."""
    try:
        network = load(path)
    except ValueError as exc:
        assert re.search(BOMB_REFUSAL, str(exc)), f"a good file was refused: {exc}"
        return "refused"
    weights = np.concatenate([w.ravel() for w in network.get_weights()])
    turn = int(weights[0])
    assert (weights == turn).all() and turn % 3 != 2, "the weights of several files mixed"
    assert network.input_shape == _network(turn).input_shape, "a header and weights mixed"
    return "good"


@pytest.mark.slow
def test_load_while_another_process_saves_to_the_same_path(tmp_path):
    # 4-8% of loads of good files were refused ("Bad CRC-32", a member's header)
    # while a checkpoint replaced the file, and a swapped bomb expanded before refusal
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    saver = context.Process(target=_replace_in_turns, args=(str(tmp_path), ready, stop))
    saver.start()
    outcomes = collections.Counter()
    try:
        while not ready.wait(0.1):
            assert saver.is_alive(), "the saving process died"
        end = time.monotonic() + 3          # bounds the test's length; nothing is timed
        while True:
            outcomes[_load_outcome(tmp_path / "model.npz")] += 1
            if time.monotonic() > end:
                break
    finally:
        stop.set()
        saver.join(60)
        if saver.is_alive():
            saver.kill()
    assert saver.exitcode == 0, outcomes


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_save_gives_the_mode_open_gives_under_the_umask(tmp_path, umask):
    # mkstemp made every model file 0600, whatever the umask
    previous = os.umask(umask)
    try:
        save(_network(0), tmp_path / "model.npz")
        open(tmp_path / "plain", "w").close()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(tmp_path / "model.npz").st_mode) == stat.S_IMODE(
        os.stat(tmp_path / "plain").st_mode) == 0o666 & ~umask


def test_save_over_a_file_keeps_its_mode_as_open_does(tmp_path):
    for name in ("model.npz", "plain"):
        open(tmp_path / name, "w").close()
        os.chmod(tmp_path / name, 0o640)
    save(_network(0), tmp_path / "model.npz")
    open(tmp_path / "plain", "w").close()
    assert stat.S_IMODE(os.stat(tmp_path / "model.npz").st_mode) == stat.S_IMODE(
        os.stat(tmp_path / "plain").st_mode) == 0o640
