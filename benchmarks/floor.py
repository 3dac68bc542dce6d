"""W8: the floors under an MLP epoch (products alone, bare NumPy), beside each library's.

A training step of an MLP with ``L`` layers is ``3L - 1`` matrix products (``L``
forward, ``L`` weight gradients, ``L - 1`` input gradients: eight for W1's
network, five for W6's) plus element-wise work. The products
alone, timed on preallocated arrays with the threads training uses, are a
floor no NumPy implementation can go under; scikit-learn's MLP computes the
same products. Comparing each library's epoch with that floor shows how much
of a speed target is reachable: a target of ``r`` times scikit-learn's time is
out of reach when the floor alone exceeds ``r`` times scikit-learn's epoch.

A second floor times the whole step written as bare NumPy calls on
preallocated arrays (:func:`bare_step`): the products, bias additions, ReLU,
a stable softmax cross-entropy with its gradient, the L2 penalty when the
case has one, and Adam on one flat vector, with no layers, no checks and no
training loop around them. It is what a NumPy implementation of the same
arithmetic pays at the least; an epoch of it (without the per-epoch shuffle
and bookkeeping) compared with a target of ``r`` times scikit-learn's epoch
says whether the target is within NumPy's reach at all.

Cases: W1's network (784-300-100-10, float32, batch 128, the library's BLAS
threads, no penalty as W1 trains) and W6's (64-64-10 on digits, float64, batch
200, one thread as in ``GridSearchCV(n_jobs=2)`` workers, scikit-learn's
default ``alpha=1e-4``). Every figure is the minimum over rounds of repeats
(the least noisy estimate of a fixed cost on a shared machine), the floors and
the libraries taking turns within each round, so that a passing burst of load
on the machine cannot favour one of them.

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
        data="blobs", alpha=0.0),
    "W6 MLP 64-64-10 on digits, float64, batch 200, 1 thread": dict(
        sizes=(64, 64, 10), dtype=np.float64, batch=200, threads=1, epochs=40,
        data="digits", alpha=1e-4),
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


def bare_step(sizes, dtype, batch, alpha, rng):
    """A function running one whole training step as bare NumPy calls.

    ReLU hidden layers, softmax cross-entropy on integer labels, the L2
    penalty ``alpha`` on the weights, Adam (scikit-learn's settings) on one
    flat vector of parameters; every array preallocated, every call the
    cheapest form measured on this kind of machine (``argmax`` and ``take``
    for the row maxima, a product with ones for row sums). It returns the
    batch loss, as every library computes it.
    """
    shapes = [(a, b) for a, b in zip(sizes, sizes[1:])]
    n_params = sum(a * b + b for a, b in shapes)
    params, grads = np.empty(n_params, dtype), np.zeros(n_params, dtype)
    moment1, moment2, scratch = (np.zeros(n_params, dtype) for _ in range(3))
    weights, biases, weight_grads, bias_grads, offset = [], [], [], [], 0
    for a, b in shapes:
        for arrays, gradients, shape in ((weights, weight_grads, (a, b)),
                                         (biases, bias_grads, (b,))):
            size = int(np.prod(shape))
            arrays.append(params[offset:offset + size].reshape(shape))
            gradients.append(grads[offset:offset + size].reshape(shape))
            offset += size
    params[...] = rng.uniform(-0.1, 0.1, n_params)
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    flat_labels = rng.integers(0, sizes[-1], batch) + np.arange(batch) * sizes[-1]
    acts = [x] + [np.empty((batch, n), dtype) for n in sizes[1:]]
    deltas = [None] + [np.empty((batch, n), dtype) for n in sizes[1:]]
    zeros, ones = np.zeros((batch, max(sizes)), dtype), np.ones(batch, dtype)
    row_starts, class_ones = np.arange(batch) * sizes[-1], np.ones(sizes[-1], dtype)
    penalties = [np.empty_like(W) for W in weights]

    def softmax_cross_entropy(z, delta):
        peak = z.reshape(-1).take(z.argmax(axis=1) + row_starts)
        loss = float((peak - z.reshape(-1).take(flat_labels)).sum())
        np.subtract(z, peak[:, None], out=delta)
        np.exp(delta, out=delta)
        sums = delta @ class_ones
        loss += float(np.log(sums).sum())
        delta /= sums[:, None]
        delta.reshape(-1)[flat_labels] -= 1
        delta *= 1.0 / batch
        return loss / batch

    def step():
        for i, (W, b) in enumerate(zip(weights, biases)):
            z = np.matmul(acts[i], W, out=acts[i + 1])
            z += b
            if i < len(weights) - 1:
                np.maximum(z, zeros[:, :z.shape[1]], out=z)
        loss = softmax_cross_entropy(acts[-1], deltas[-1])
        for i in range(len(weights) - 1, -1, -1):
            np.matmul(acts[i].T, deltas[i + 1], out=weight_grads[i])
            np.matmul(ones, deltas[i + 1], out=bias_grads[i])
            if i:
                np.matmul(deltas[i + 1], weights[i].T, out=deltas[i])
                np.multiply(deltas[i], acts[i] > 0, out=deltas[i])
        for W, gW, buf in zip(weights, weight_grads, penalties) if alpha else ():
            flat = W.reshape(-1)
            loss += 0.5 * alpha * float(flat @ flat) / batch
            gW += np.multiply(W, alpha / batch, out=buf)
        # in-place ufuncs with out=: the closure's arrays are never rebound
        np.multiply(moment1, 0.9, out=moment1)
        np.add(moment1, grads, out=moment1)
        np.multiply(grads, grads, out=scratch)
        np.multiply(moment2, 0.999, out=moment2)
        np.add(moment2, scratch, out=moment2)
        np.sqrt(moment2, out=scratch)
        np.add(scratch, 1e-8, out=scratch)
        np.divide(moment1, scratch, out=scratch)
        np.multiply(scratch, 1e-3, out=scratch)
        np.subtract(params, scratch, out=params)
        return loss
    # what the step reads and writes, for checking it computes the true gradient
    step.params, step.grads, step.x = params, grads, x
    step.labels = flat_labels - row_starts
    return step


def _epoch_floor(case, n_samples, make_step):
    """A function timing one epoch of ``make_step(batch)``'s steps, in seconds.

    The full batches, then the last, smaller one: each the best of five means
    of twenty steps (the first blocks after another library's fit can meet
    its threads still spinning).
    """
    full, last = divmod(n_samples, case["batch"])
    steps = [(full, make_step(case["batch"]))] + ([(1, make_step(last))] if last else [])
    return lambda: sum(count * _best(step, 5, 20) for count, step in steps)


def _case_data(case):
    """W6's training fold (scaled digits, 1,437 rows) or 4,000 of W1's rows."""
    if case["data"] == "digits":
        X, y = load_digits(return_X_y=True)
        return StandardScaler().fit_transform(X)[:1437], y[:1437]
    return data.blobs(4000)


def _epoch_seconds(make, X, y, epochs):
    """A function timing one fit of ``epochs`` epochs, in seconds per epoch."""
    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            make().fit(X, y)
    return lambda: _best(fit, 1, 1) / epochs


def _interleaved_minimum(timers, rounds):
    """Each timer's minimum over ``rounds``, the timers taking turns within a round.

    Taking turns puts every figure through the same moments of a shared
    machine's load, so their ratios hold even when the load comes and goes.
    """
    for timer in timers.values():
        timer()   # warm-up: imports, first allocations
    best = dict.fromkeys(timers, np.inf)
    for _ in range(rounds):
        for name, timer in timers.items():
            best[name] = min(best[name], timer())
    return best


def w8_floor(repeats, quick=False):
    """Per case: both floors and each library's epoch, in ms per epoch."""
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
        timers = {
            "floor_ms": _epoch_floor(case, len(X), lambda batch: product_step(
                case["sizes"], case["dtype"], batch, rng)),
            "bare_numpy_ms": _epoch_floor(case, len(X), lambda batch: bare_step(
                case["sizes"], case["dtype"], batch, case["alpha"], rng)),
            **{name: _epoch_seconds(make, X, y, epochs) for name, make in makers.items()}}
        with threadpool_limits(case["threads"]):
            best = _interleaved_minimum(timers, max(repeats, 2) if quick else 2 * repeats)
        results[label] = {name: seconds * 1e3 for name, seconds in best.items()}
    return results


def floor_table(results):
    """Markdown: the two floors and each library's epoch, and the products' share of each."""
    lines = ["| case | matrix products alone, ms/epoch | bare NumPy step, ms/epoch | library "
             "| ms/epoch | products' share | time vs scikit-learn |",
             "|---|---|---|---|---|---|---|"]
    for label, row in results.items():
        sklearn = row["scikit-learn"]
        lines.append(f"| {label} | {row['floor_ms']:.1f} | {row['bare_numpy_ms']:.1f} "
                     f"| bare NumPy step | {row['bare_numpy_ms']:.1f} "
                     f"| {row['floor_ms'] / row['bare_numpy_ms']:.0%} "
                     f"| {row['bare_numpy_ms'] / sklearn:.2f}x |")
        for name in [k for k in row if k not in ("floor_ms", "bare_numpy_ms")]:
            lines.append(f"| {label} | {row['floor_ms']:.1f} | {row['bare_numpy_ms']:.1f} "
                         f"| {name} | {row[name]:.1f} "
                         f"| {row['floor_ms'] / row[name]:.0%} "
                         f"| {row[name] / sklearn:.2f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(floor_table(w8_floor(args.repeats, args.quick)))
