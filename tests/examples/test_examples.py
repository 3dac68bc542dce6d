"""Every example runs as a script and shows what its docstring promises."""

import runpy
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(name):
    return runpy.run_path(str(EXAMPLES / name), run_name="example")["main"]()


def test_xor_predictions_round_to_the_truth_table(capsys):
    predictions = _run("xor.py")
    np.testing.assert_array_equal(np.round(predictions), [0, 1, 1, 0])
    assert "1 XOR 0 ->" in capsys.readouterr().out


@pytest.mark.slow
def test_quickstart_reaches_the_documented_accuracy(capsys):
    results = _run("quickstart.py")
    ours = results["skscratch MLPFromScratch"][0]
    assert ours >= 0.97
    assert "MLPClassifier" in capsys.readouterr().out


def test_convnet_example_reaches_its_accuracy_and_draws_when_it_can(tmp_path, capsys):
    figure = tmp_path / "convnet.png"
    accuracy = runpy.run_path(str(EXAMPLES / "convnet_digits.py"), run_name="example")["main"](
        str(figure))
    assert accuracy > 0.97
    out = capsys.readouterr().out
    assert "confusion matrix" in out
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in out
    else:
        assert figure.stat().st_size > 10_000


def test_distributed_grid_search_example(capsys):
    pytest.importorskip("distributed")
    main = runpy.run_path(str(EXAMPLES / "distributed_grid_search.py"), run_name="example")["main"]
    search = main(processes=False)
    assert search.best_score_ > 0.9
    assert "dask cluster with 2 workers" in capsys.readouterr().out
