"""A redesign's speed budget: skscratch's W1-W4 and W6, one checkout against another.

A change may not slow W1-W4 by more than 5%. Same-run ratios against peers are
too noisy on a shared machine to show 5%, so this times the two trees head to
head: each workload in a fresh process, the two checkouts in turns (the order
flips every round), each figure the best round (the least noisy estimate of a
fixed cost on a busy machine)::

    git worktree add /tmp/before <commit>
    python benchmarks/ab.py /tmp/before . --rounds 5

Each checkout is imported from its own tree (the parallel workers of W6 too);
the data and the estimators' settings are this directory's (``data.py``,
``peers.py``), the same for both.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# one workload per process: {tree} is imported first, the benchmarks' helpers second
WORKLOAD = r'''
import json, sys, time, warnings
sys.path[:0] = [{tree!r}, {here!r}]
warnings.simplefilter("ignore")
import skscratch
assert skscratch.__file__.startswith({tree!r}), skscratch.__file__
import data, peers
out = {{}}
if {name!r} == "W1":
    X, y = data.blobs(20000)
    peers.fit_quietly(peers.skscratch_mlp((300, 100), 1, 128, 0), X[:1024], y[:1024])
    model = peers.skscratch_mlp((300, 100), 5, 128, 0)
    start = time.perf_counter(); peers.fit_quietly(model, X, y)
    out["W1 fit, s/epoch"] = (time.perf_counter() - start) / 5
    rows = data.blobs(200000, seed=1)[0]
    start = time.perf_counter(); model.predict(rows)
    out["W4 MLP predict, s"] = time.perf_counter() - start
elif {name!r} == "W2":
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), peers.skscratch_mlp((64,), 200, "auto", 0))
    start = time.perf_counter(); cross_val_score(pipe, X, y, cv=5)
    out["W2 5-fold CV, s"] = time.perf_counter() - start
elif {name!r} == "W3":
    X, y = data.images(10000)
    peers.fit_quietly(peers.skscratch_convnet(1, 64, 0), X[:1024], y[:1024])
    model = peers.skscratch_convnet(2, 64, 0)
    start = time.perf_counter(); peers.fit_quietly(model, X, y)
    out["W3 28x28 fit, s/epoch"] = (time.perf_counter() - start) / 2
    images = data.images(50000, seed=1)[0]
    start = time.perf_counter(); model.predict(images)
    out["W4 ConvNet predict, s"] = time.perf_counter() - start
elif {name!r} == "W6":
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from skscratch import MLPFromScratch
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPFromScratch((64,), max_iter=200, random_state=0))
    grid = {{"mlpfromscratch__learning_rate_init": [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]}}
    GridSearchCV(pipe, grid, cv=5, n_jobs=2).fit(X[:300], y[:300])   # workers started
    start = time.perf_counter(); GridSearchCV(pipe, grid, cv=5, n_jobs=2).fit(X, y)
    out["W6 grid search, s"] = time.perf_counter() - start
print(json.dumps(out))
'''


def run(tree, name):
    """The workload's timings on ``tree``, in a fresh process that imports it."""
    code = WORKLOAD.format(tree=str(tree), here=str(HERE), name=name)
    env = {**os.environ, "PYTHONPATH": str(tree)}        # W6's workers import it too
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False)
    if done.returncode:
        raise SystemExit(f"{name} failed on {tree}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the checkout to compare against")
    parser.add_argument("after", type=Path, help="the checkout under test")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workloads", default="W1,W2,W3,W6")
    args = parser.parse_args(argv)
    trees = [args.before.resolve(), args.after.resolve()]
    best = [{}, {}]
    for round_ in range(args.rounds):
        for name in args.workloads.split(","):
            for i in ((0, 1) if round_ % 2 == 0 else (1, 0)):
                for key, seconds in run(trees[i], name).items():
                    best[i][key] = min(best[i].get(key, float("inf")), seconds)
    print(f"| workload | {trees[0].name} | {trees[1].name} | ratio |\n|---|---|---|---|")
    for key in best[0]:
        print(f"| {key} | {best[0][key]:.3f} | {best[1][key]:.3f} | "
              f"{best[1][key] / best[0][key]:.2f} |")


if __name__ == "__main__":
    main()
