"""Model archives are read within limits: forged .npy headers, numbering, objects."""

import io
import shutil
import tracemalloc
import zipfile

import numpy as np
import pytest
from sklearn.datasets import load_iris

from skscratch import MLPFromScratch, load, save


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
