"""warn: the location of a warning is the first frame outside skscratch and its callers."""

import sys
import warnings

import pytest

from skscratch import user_warnings
from skscratch.user_warnings import caller_stacklevel, warn


def _warned(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    (w,) = caught
    return w


def test_a_warning_from_skscratch_points_at_the_line_that_called_it():
    w = _warned(lambda: warn("careful", RuntimeWarning))
    assert w.category is RuntimeWarning and str(w.message) == "careful"
    assert w.filename == __file__


def test_internal_frames_are_skipped_however_many(monkeypatch):
    # frames whose module is inside a listed package are skipped, at any depth
    monkeypatch.setattr(user_warnings, "INTERNAL_PACKAGES", ("skscratch", __name__))

    def deep(n):
        return warn("deep") if n == 0 else deep(n - 1)

    w = _warned(lambda: deep(5))
    assert w.filename != __file__            # this module counts as internal now
    assert "pytest" in w.filename or "pluggy" in w.filename


def test_a_stack_of_internal_frames_only_names_the_outermost(monkeypatch):
    monkeypatch.setattr(user_warnings, "_internal", lambda frame: True)
    level = caller_stacklevel()
    frame, depth = sys._getframe(0), 1
    while frame.f_back is not None:
        frame, depth = frame.f_back, depth + 1
    assert level == depth


@pytest.mark.parametrize("name, internal", [
    ("skscratch", True), ("skscratch.estimators._base", True), ("sklearn.pipeline", True),
    ("joblib.parallel", True), ("skscratchy", False), ("__main__", False),
    ("tests.estimators.test_mlp", False)])
def test_internal_means_inside_a_listed_package(name, internal):
    class Frame:
        f_globals = {"__name__": name}
    assert user_warnings._internal(Frame) is internal
