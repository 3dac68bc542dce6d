"""The benchmark suite runs end to end (quick mode) and reports every workload."""

import runpy
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"
RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0]       # W9's grid


@pytest.mark.slow
def test_quick_benchmark_reports_every_workload(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(RUN), "--quick"])
    main = runpy.run_path(str(RUN), run_name="benchmark")["main"]
    results, _ = main(["--quick"])
    assert {"W1", "W2", "W3", "W4", "W5", "W8", "W9", "W10"} <= set(results)
    for rows in (results["W1"], *results["W3"].values()):
        assert rows["skscratch"]["train_samples_per_s"] > 0
        assert rows["skscratch"]["accuracy"] > 0.4
    w4 = results["W4"]
    mlp = next(rows for label, rows in w4.items() if label.startswith("MLP"))
    # prediction memory is bounded by the chunk: far below the input's size
    assert mlp["skscratch"]["peak_predict_mib"] < mlp["skscratch"]["input_mib"] / 4
    # W8 reports both floors and both NumPy libraries' epochs for each case (figures
    # only: speed is read from the report, never asserted in a test)
    for row in results["W8"].values():
        assert row["floor_ms"] > 0 and row["bare_numpy_ms"] > 0
        assert row["skscratch"] > 0 and row["scikit-learn"] > 0
    # W9 chooses a rate three ways for each solver and scores each choice
    for row in results["W9"].values():
        assert row["grid"]["rate"] in RATES and row["halving"]["rate"] in RATES
        assert 1e-6 <= row["finder"]["rate"] <= 10
        assert all(0 < row[m]["score"] <= 1 and row[m]["seconds"] > 0
                   for m in ("grid", "halving", "finder"))
    # W10: both libraries stop at the same L-BFGS iteration with the same accuracy
    w10 = results["W10"]
    assert w10["skscratch"]["iterations"] == w10["scikit-learn"]["iterations"]
    assert w10["skscratch"]["accuracy"] == w10["scikit-learn"]["accuracy"] > 0.95
    out = capsys.readouterr().out
    assert "W3 - conv8-pool-conv16-pool-dense10" in out and "W8 - the matrix products" in out
    assert "W9 - one learning rate chosen three ways" in out
    assert "W10 - `MLPClassifier(hidden_layer_sizes=(64,), solver=\"lbfgs\")`" in out
