"""W10: full-batch L-BFGS fits, skscratch against scikit-learn, beside their floors.

``MLPClassifier(hidden_layer_sizes=(64,), solver="lbfgs", max_iter=200)`` on
digits (pixels / 16, a stratified 75/25 split, float64), scikit-learn's
defaults otherwise: both libraries start from the same weights, take the
same iterates and stop at the same one (52) with the same model (weights
within 1e-10, the same test accuracy; ``tests/estimators/test_lbfgs.py``).
Both hand SciPy's L-BFGS-B the loss and gradient of the whole training set;
``skscratch.MLPClassifier`` is the drop-in. ``--tol 0`` runs all 200
iterations instead (the same work, but past about 100 iterations rounding
differences grow and the two models part: test accuracies 0.971 and 0.969).

Three floors run the same L-BFGS-B iterations (SciPy's ``minimize`` with the
same options from scikit-learn's initial weights), each one cheaper:

- *bare NumPy objective*: the loss and gradient written as bare NumPy calls
  on preallocated arrays (:func:`bare_objective`), what any NumPy
  implementation pays at the least;
- *products alone*: an objective that computes only the five matrix
  products of an evaluation and returns the bare objective's recorded loss
  and gradient for that call, so L-BFGS-B takes the same steps: the products
  both libraries compute, plus SciPy;
- *L-BFGS-B alone*: the recorded losses and gradients replayed with no
  arithmetic: SciPy's own work per iteration (its two-loop recursion and
  bookkeeping over 4,810 parameters), which both libraries pay.

Every figure is the minimum over rounds, the cases taking turns within each
round (see ``floor.py``). Everything runs on one BLAS thread by default, as in
the workers of a ``GridSearchCV(n_jobs=2)``: the ratio is then the
arithmetic's, not the machine's. (The products, 1,347 x 64 x 64, are above
skscratch's one-thread limit, so left alone both libraries take the BLAS
library's setting; on a shared 2-core machine two spinning OpenBLAS threads
made these fits ten to thirty times slower for both, ``--threads 0``.)

Run on its own (``python benchmarks/lbfgs_fit.py``, results in
``results/lbfgs.json`` and ``lbfgs.md``) or through ``run.py``.
"""

import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from threadpoolctl import threadpool_limits

from skscratch import MLPClassifier

RESULTS = Path(__file__).resolve().parent / "results"
PARAMS = dict(hidden_layer_sizes=(64,), solver="lbfgs", max_iter=200, random_state=0)


def digits_split():
    """Digits pixels in [0, 1], split 75/25 (stratified, seed 0)."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, stratify=y, random_state=0)


def bare_objective(X, y, alpha, shapes):
    """``f(theta) -> (loss, gradient)`` of a ReLU MLP with softmax cross-entropy, bare NumPy.

    scikit-learn's packing (weights, then biases) and objective: the mean
    cross-entropy plus ``alpha / 2 * sum(W ** 2) / n``.
    """
    n, (d, h), (_, k) = len(X), shapes[0], shapes[1]
    onehot = np.eye(k)[y]
    z1, z2, dh = np.empty((n, h)), np.empty((n, k)), np.empty((n, h))
    grad = np.empty(d * h + h * k + h + k)
    g_w1, g_w2 = grad[:d * h].reshape(d, h), grad[d * h:d * h + h * k].reshape(h, k)
    g_b1, g_b2 = grad[d * h + h * k:-k], grad[-k:]
    ones = np.ones(n)

    def objective(theta):
        # in-place ufuncs with out=: the closure's arrays are never rebound
        w1 = theta[:d * h].reshape(d, h)
        w2 = theta[d * h:d * h + h * k].reshape(h, k)
        b1, b2 = theta[d * h + h * k:-k], theta[-k:]
        np.matmul(X, w1, out=z1)
        np.add(z1, b1, out=z1)
        np.maximum(z1, 0, out=z1)
        np.matmul(z1, w2, out=z2)
        np.add(z2, b2, out=z2)
        np.subtract(z2, z2.max(axis=1, keepdims=True), out=z2)
        loss = -float(np.einsum("ij,ij->", z2, onehot))
        np.exp(z2, out=z2)
        sums = z2.sum(axis=1)
        loss = (loss + float(np.log(sums).sum())) / n
        np.divide(z2, sums[:, None], out=z2)
        np.subtract(z2, onehot, out=z2)
        np.multiply(z2, 1.0 / n, out=z2)
        np.matmul(z1.T, z2, out=g_w2)
        np.matmul(ones, z2, out=g_b2)
        np.matmul(z2, w2.T, out=dh)
        np.multiply(dh, z1 > 0, out=dh)
        np.matmul(X.T, dh, out=g_w1)
        np.matmul(ones, dh, out=g_b1)
        squares = float(w1.ravel() @ w1.ravel()) + float(w2.ravel() @ w2.ravel())
        loss += 0.5 * alpha * squares / n
        g_w1[...] += alpha / n * w1
        g_w2[...] += alpha / n * w2
        return loss, grad.copy()

    return objective


def _initial_weights(n_features):
    """scikit-learn's starting point for ``random_state=0``, packed as its L-BFGS packs it.

    Glorot-uniform weights then biases, layer by layer, from one RandomState;
    packed weights first, then biases.
    """
    stream, coefs, intercepts = np.random.RandomState(0), [], []
    for fan_in, fan_out in [(n_features, 64), (64, 10)]:
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        coefs.append(stream.uniform(-bound, bound, (fan_in, fan_out)))
        intercepts.append(stream.uniform(-bound, bound, fan_out))
    return np.concatenate([a.ravel() for a in coefs + intercepts])


def _floors(X, y, params):
    """The three floor fits, as functions returning ``(seconds, evaluations, iterations)``."""
    x0 = _initial_weights(X.shape[1])
    options = {"maxiter": params["max_iter"], "maxfun": 15000, "gtol": params["tol"]}
    bare = bare_objective(X, y, 1e-4, [(X.shape[1], 64), (64, 10)])
    recorded = []

    def record(theta):
        recorded.append(bare(theta))
        return recorded[-1]

    minimize(record, x0, jac=True, method="L-BFGS-B", options=options)
    n = len(X)
    a, w1, h = X.copy(), np.ones((X.shape[1], 64)), np.empty((n, 64))
    w2, z2, g1, g2 = np.ones((64, 10)), np.empty((n, 10)), np.empty((X.shape[1], 64)), np.empty(
        (64, 10))

    def replay(products):
        calls = iter(recorded)

        def objective(theta):
            if products:
                np.matmul(a, w1, out=h)
                np.matmul(h, w2, out=z2)
                np.matmul(h.T, z2, out=g2)
                np.matmul(z2, w2.T, out=h)
                np.matmul(a.T, h, out=g1)
            return next(calls)
        return objective

    def run(make_objective):
        def timed():
            objective = make_objective()
            start = time.perf_counter()
            result = minimize(objective, x0, jac=True, method="L-BFGS-B", options=options)
            return time.perf_counter() - start, result.nfev, result.nit
        return timed

    return {"L-BFGS-B alone (losses and gradients replayed)": run(lambda: replay(False)),
            "+ the matrix products alone": run(lambda: replay(True)),
            "bare NumPy objective": run(lambda: bare)}


def _library_fit(cls, params, X, y, X_test, y_test, outcome):
    """A function timing one fit, keeping its iterations and test accuracy in ``outcome``."""
    def timed():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model = cls(**params).fit(X, y)
            seconds = time.perf_counter() - start
        outcome.update(iterations=model.n_iter_, accuracy=float(model.score(X_test, y_test)),
                       loss=float(model.loss_))
        return seconds, None, model.n_iter_
    return timed


def w10_lbfgs(repeats=3, quick=False, threads=1, tol=1e-4):
    """W10: each case's best fit time over ``repeats`` rounds (cases in turns), and outcomes.

    ``threads`` BLAS threads for everything (0: the library's setting);
    ``tol`` the fits' (0 runs every iteration).
    """
    with threadpool_limits(threads or None):
        return _w10(repeats, quick, {**PARAMS, "tol": tol})


def _w10(repeats, quick, params):
    X, X_test, y, y_test = digits_split()
    outcomes = {"skscratch": {}, "scikit-learn": {}}
    timers = {**_floors(X, y, params),
              "skscratch": _library_fit(MLPClassifier, params, X, y, X_test, y_test,
                                        outcomes["skscratch"]),
              "scikit-learn": _library_fit(SklearnMLPClassifier, params, X, y, X_test, y_test,
                                           outcomes["scikit-learn"])}
    rows = {name: {"seconds": np.inf} for name in timers}
    for timer in timers.values():            # warm-up: imports, first allocations
        timer()
    for _ in range(1 if quick else repeats):
        for name, timer in timers.items():
            seconds, evaluations, iterations = timer()
            row = rows[name]
            if seconds < row["seconds"]:
                row.update(seconds=seconds, evaluations=evaluations, iterations=iterations)
    for name, outcome in outcomes.items():
        rows[name].update(outcome)
    return rows


def markdown(rows):
    """W10's rows as a markdown table, times against scikit-learn's."""
    theirs = rows["scikit-learn"]["seconds"]
    lines = ["| case | s per fit | iterations | test accuracy | time vs scikit-learn |",
             "|---|---|---|---|---|"]
    for name, r in rows.items():
        accuracy = f"{r['accuracy']:.4f}" if "accuracy" in r else ""
        lines.append(f"| {name} | {r['seconds']:.3f} | {r['iterations']} | {accuracy} "
                     f"| {r['seconds'] / theirs:.2f}x |")
    return "\n".join(lines)


def main(argv=None):
    """Run W10, print its table, write ``results/lbfgs.json`` and ``results/lbfgs.md``."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (0: default)")
    parser.add_argument("--tol", type=float, default=1e-4, help="0: all 200 iterations")
    args = parser.parse_args(argv)
    rows = w10_lbfgs(args.repeats, args.quick, args.threads, args.tol)
    table = markdown(rows)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    record = {"quick": args.quick, "repeats": args.repeats, "threads": args.threads,
              "tol": args.tol,
              "load_average_1min": os.getloadavg()[0], "W10": rows}
    (RESULTS / "lbfgs.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS / "lbfgs.md").write_text(table + "\n")
    return rows


if __name__ == "__main__":
    main()
