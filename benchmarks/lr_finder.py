"""W9: one learning rate chosen three ways: a grid search, successive halving, the range test.

The digits workload of issue 25: ``StandardScaler`` + ``MLPFromScratch((64,))``
with ``random_state=0``, scored by 5 stratified shuffled folds
(``StratifiedKFold(5, shuffle=True, random_state=0)``), for Adam with at most
200 epochs and SGD (scikit-learn's momentum 0.9, Nesterov) with at most 50:

- ``GridSearchCV`` over 9 rates, 1e-4 to 1 in half decades, ``n_jobs=2``;
- ``HalvingGridSearchCV`` over the same rates with the epochs as the resource
  (``resource="mlp__max_iter"``, factor 3: 9, 3 and 1 candidates, the last
  at the full epochs), ``n_jobs=2``;
- ``skscratch.model_selection.find_learning_rate`` with its defaults (1e-6 to
  10 over at most 100 steps) on all the data, one process.

Each method's wall time includes everything its user waits for (the
finder's: cloning, scaling, the steps); the worker pool is warm, as in W6.
The score of each chosen rate is its 5-fold CV accuracy at the full epochs
(the grid's ``best_score_``; for halving and the finder a
``cross_val_score`` of the chosen rate, not timed). The targets: the
finder's rate scores within 0.01 of the grid's best, in at most 0.1x the
grid's time.

Run on its own (``python benchmarks/lr_finder.py``, which writes
``results/lr_finder.{json,md}``) or through ``run.py``.
"""

import json
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from grid_search import warm_up
from sklearn.datasets import load_digits
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch
from skscratch.model_selection import find_learning_rate

RESULTS = Path(__file__).resolve().parent / "results"
RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0]
EPOCHS = {"adam": 200, "sgd": 50}
QUICK_EPOCHS = {"adam": 40, "sgd": 20}
GRID = {"mlp__learning_rate_init": RATES}
METHODS = {"grid": "`GridSearchCV`, 9 rates", "halving": "`HalvingGridSearchCV`, max_iter",
           "finder": "`find_learning_rate`"}


def folds():
    """The issue's 5 stratified folds, shuffled once with seed 0."""
    return StratifiedKFold(5, shuffle=True, random_state=0)


def pipeline(solver, epochs):
    """``StandardScaler`` + the (64,) MLP of W6, with ``solver`` and at most ``epochs``."""
    return Pipeline([("scale", StandardScaler()),
                     ("mlp", MLPFromScratch((64,), solver=solver, max_iter=epochs,
                                            random_state=0))])


def _timed(run):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = run()
    return time.perf_counter() - start, result


def _grid(pipe, X, y):
    return GridSearchCV(pipe, GRID, cv=folds(), n_jobs=2).fit(X, y)


def _halving(pipe, X, y):
    return HalvingGridSearchCV(pipe, GRID, resource="mlp__max_iter",
                               max_resources=pipe.get_params()["mlp__max_iter"],
                               min_resources="exhaust", factor=3, cv=folds(), n_jobs=2,
                               random_state=0).fit(X, y)


def cv_score(pipe, rate, X, y):
    """5-fold CV accuracy of ``pipe`` at ``rate`` (untimed)."""
    pipe = pipe.set_params(mlp__learning_rate_init=rate)
    _, scores = _timed(lambda: cross_val_score(pipe, X, y, cv=folds(), n_jobs=2))
    return float(scores.mean())


def choose_three_ways(solver, epochs, repeats, X, y):
    """Each method's median wall time, chosen rate and that rate's CV accuracy."""
    pipe = pipeline(solver, epochs)
    seconds = {"grid": [], "halving": [], "finder": []}
    for _ in range(repeats):              # the methods take turns, repeat by repeat
        elapsed, grid = _timed(lambda: _grid(pipe, X, y))
        seconds["grid"].append(elapsed)
        elapsed, halving = _timed(lambda: _halving(pipe, X, y))
        seconds["halving"].append(elapsed)
        elapsed, found = _timed(lambda: find_learning_rate(pipe, X, y, random_state=0))
        seconds["finder"].append(elapsed)
    chosen = {"grid": (float(grid.best_params_["mlp__learning_rate_init"]),
                       float(grid.best_score_)),
              "halving": (float(halving.best_params_["mlp__learning_rate_init"]), None),
              "finder": (found.suggestion_, None)}
    rows = {}
    for method, (rate, score) in chosen.items():
        rows[method] = {"seconds": float(np.median(seconds[method])), "rate": rate,
                        "score": score if score is not None else cv_score(pipe, rate, X, y)}
    return {"epochs": epochs, "grid_scores": grid.cv_results_["mean_test_score"].tolist(),
            "finder_steps": int(found.learning_rates_.size), **rows}


def w9_lr_finder(repeats, quick=False):
    """W9's rows for Adam and SGD (``quick``: fewer epochs, for a smoke run)."""
    X, y = load_digits(return_X_y=True)
    epochs = QUICK_EPOCHS if quick else EPOCHS
    GridSearchCV(DummyClassifier(), {"strategy": ["prior", "uniform"]}, cv=2,
                 n_jobs=2).fit(X, y)                      # start the workers first
    warm_up(pipeline("adam", 1), GRID, X, y)
    find_learning_rate(pipeline("adam", 1), X, y, steps=5)     # imports, first calls
    return {solver: choose_three_ways(solver, epochs[solver], repeats, X, y)
            for solver in epochs}


def markdown(results):
    """W9's table: each method's time, rate and score against the grid search's."""
    lines = ["| solver, epochs | method | wall s | chosen rate | its 5-fold CV accuracy "
             "| vs the grid's best | time vs the grid |", "|---|---|---|---|---|---|---|"]
    for solver, row in results.items():
        grid = row["grid"]
        for method in ("grid", "halving", "finder"):
            r = row[method]
            lines.append(f"| {solver}, {row['epochs']} | {METHODS[method]} | {r['seconds']:.2f} "
                         f"| {r['rate']:.3g} | {r['score']:.4f} "
                         f"| {r['score'] - grid['score']:+.4f} "
                         f"| {r['seconds'] / grid['seconds']:.3f}x |")
    return "\n".join(lines)



def environment():
    """Versions, cores and the load on the machine while the benchmark ran."""
    return {"python": platform.python_version(), "numpy": np.__version__,
            "scikit-learn": sklearn.__version__, "cores": os.cpu_count(),
            "load_average_1min": os.getloadavg()[0]}


def main(argv=None):
    """Run W9, print its table, write ``results/lr_finder.json`` and ``results/lr_finder.md``."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    results = w9_lr_finder(args.repeats, args.quick)
    table = markdown(results)
    print(table)
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        record = {"repeats": args.repeats, "environment": environment(), "W9": results}
        (RESULTS / "lr_finder.json").write_text(json.dumps(record, indent=1) + "\n")
        (RESULTS / "lr_finder.md").write_text(table + "\n")
    return results


if __name__ == "__main__":
    main()
