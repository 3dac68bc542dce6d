"""benchmarks/ab.py times each checkout from its own tree and tabulates the ratios."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
ab = pytest.importorskip("ab")


def test_a_workload_runs_on_the_tree_it_is_given(tmp_path):
    # a tree that is not a checkout fails loudly (its import of skscratch is checked)
    with pytest.raises(SystemExit, match="W2 failed"):
        ab.run(tmp_path, "W2")


def test_the_table_compares_a_tree_with_itself(capsys, monkeypatch):
    calls = []

    def timed(tree, name):
        calls.append((tree, name))
        return {f"{name} fit, s": 2.0 if len(calls) % 2 else 1.0}

    monkeypatch.setattr(ab, "run", timed)
    ab.main([str(ROOT), str(ROOT), "--rounds", "2", "--workloads", "W1,W2"])
    rows = capsys.readouterr().out.splitlines()
    assert len(calls) == 8 and rows[2].startswith("| W1 fit, s | 1.000 | 1.000 | 1.00 |")
