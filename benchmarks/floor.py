"""W8: the matrix-product floor under an MLP epoch, beside each library's epoch.

A training step of an MLP with ``L`` layers is ``3L - 1`` matrix products (``L``
forward, ``L`` weight gradients, ``L - 1`` input gradients: eight for W1's
network, five for W6's) plus element-wise work. The products
alone, timed on preallocated arrays with the threads training uses, are a
floor no NumPy implementation can go under; scikit-learn's MLP computes the
same products. Comparing each library's epoch with that floor shows how much
of a speed target is reachable: a target of ``r`` times scikit-learn's time is
out of reach when the floor alone exceeds ``r`` times scikit-learn's epoch.

Cases: W1's network (784-300-100-10, float32, batch 128, the library's BLAS
threads) and W6's (64-64-10 on digits, float64, batch 200, one thread as in
``GridSearchCV(n_jobs=2)`` workers). Every figure is the minimum over repeats
(the least noisy estimate of a fixed cost on a shared machine).

Run on its own (``python benchmarks/floor.py``) or through ``run.py``.
"""

import time
import warnings

import data
import numpy as np
import peers
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

CASES = {
    "W1 MLP 784-300-100-10, float32, batch 128": dict(
        sizes=(784, 300, 100, 10), dtype=np.float32, batch=128, threads=None, epochs=2,
        data="blobs"),
    "W6 MLP 64-64-10 on digits, float64, batch 200, 1 thread": dict(
        sizes=(64, 64, 10), dtype=np.float64, batch=200, threads=1, epochs=40,
        data="digits"),
}


def _best(function, repeats, number):
    """Minimum over ``repeats`` of the mean seconds of ``number`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            function()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def product_step(sizes, dtype, batch, rng):
    """A function running one step's matrix products on preallocated arrays."""
    acts = [rng.standard_normal((batch, n)).astype(dtype) for n in sizes]
    deltas = [a.copy() for a in acts]
    weights = [rng.standard_normal((a, b)).astype(dtype) for a, b in zip(sizes, sizes[1:])]
    grads = [w.copy() for w in weights]

    def step():
        for i, W in enumerate(weights):
            np.matmul(acts[i], W, out=acts[i + 1])
        for i in range(len(weights) - 1, -1, -1):
            np.matmul(acts[i].T, deltas[i + 1], out=grads[i])
            if i:
                np.matmul(deltas[i + 1], weights[i].T, out=deltas[i])
    return step


def _epoch_floor(case, n_samples, rng, repeats):
    """Seconds of an epoch's products: the full batches, then the last, smaller one."""
    full, last = divmod(n_samples, case["batch"])
    seconds = full * _best(product_step(case["sizes"], case["dtype"], case["batch"], rng),
                           5 * repeats, 20)
    if last:
        seconds += _best(product_step(case["sizes"], case["dtype"], last, rng), 5 * repeats, 20)
    return seconds


def _case_data(case):
    """W6's training fold (scaled digits, 1,437 rows) or 4,000 of W1's rows."""
    if case["data"] == "digits":
        X, y = load_digits(return_X_y=True)
        return StandardScaler().fit_transform(X)[:1437], y[:1437]
    return data.blobs(4000)


def _epoch_seconds(make, X, y, epochs, repeats):
    """Seconds per epoch of fits of ``epochs`` epochs, minimum over repeats."""
    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            make().fit(X, y)
    fit()   # warm-up
    return _best(fit, repeats, 1) / epochs


def w8_floor(repeats, quick=False):
    """Per case: the products' floor and each library's epoch, in ms per epoch."""
    rng = np.random.default_rng(0)
    results = {}
    for label, case in CASES.items():
        X, y = _case_data(case)
        X = X.astype(case["dtype"])
        hidden, epochs = case["sizes"][1:-1], (2 if quick else case["epochs"])
        makers = {"skscratch": lambda: peers.skscratch_mlp(hidden, epochs, case["batch"], 0),
                  "scikit-learn": lambda: peers.sklearn_mlp(hidden, epochs, case["batch"], 0)}
        if peers.torch is not None and case["threads"] is None:
            makers["PyTorch"] = lambda: peers.torch_mlp(hidden, case["sizes"][0], 10, epochs,
                                                        case["batch"], 0)
        with threadpool_limits(case["threads"]):
            floor = _epoch_floor(case, len(X), rng, repeats)
            rows = {name: _epoch_seconds(make, X, y, epochs, repeats)
                    for name, make in makers.items()}
        results[label] = {"floor_ms": floor * 1e3,
                          **{name: s * 1e3 for name, s in rows.items()}}
    return results


def floor_table(results):
    """Markdown: the floor and each library's epoch, and the floor's share of each."""
    lines = ["| case | matrix products alone, ms/epoch | library | ms/epoch "
             "| products' share | time vs scikit-learn |", "|---|---|---|---|---|---|"]
    for label, row in results.items():
        for name in [k for k in row if k != "floor_ms"]:
            lines.append(f"| {label} | {row['floor_ms']:.1f} | {name} | {row[name]:.1f} "
                         f"| {row['floor_ms'] / row[name]:.0%} "
                         f"| {row[name] / row['scikit-learn']:.2f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(floor_table(w8_floor(args.repeats, args.quick)))
