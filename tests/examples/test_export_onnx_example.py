"""The ONNX export example runs and shows onnxruntime agreeing with skscratch."""

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "export_onnx.py"


def test_export_onnx_example_agrees_with_skscratch(capsys):
    pytest.importorskip("onnxruntime", reason='needs pip install "skscratch[onnx]"')
    pytest.importorskip("skl2onnx", reason='needs pip install "skscratch[onnx]"')
    results = runpy.run_path(str(EXAMPLE), run_name="example")["main"]()
    out = capsys.readouterr().out
    gap, same = results["convnet"]
    assert gap < 1e-10 and same                    # float64: exact to rounding
    gap, same = results["pipeline"]
    assert gap < 1e-5 and same                     # float32
    assert results["accuracy"] > 0.9
    assert "labels identical: True" in out and "to a temporary folder" in out


def test_export_onnx_example_says_what_to_install_without_the_packages(monkeypatch, capsys):
    import sys
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert runpy.run_path(str(EXAMPLE), run_name="example")["main"]() is None
    assert 'pip install "skscratch[onnx]"' in capsys.readouterr().out
