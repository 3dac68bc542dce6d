"""W7: prediction throughput of skscratch's own ``predict_proba`` against onnxruntime.

The same fitted float32 models, exported with ``skscratch.onnx.to_onnx``: the MLP
of W1 (784-300-100-10) and the ConvNet of W3 (conv8-pool-conv16-pool-dense10 on
28x28 images). Each is timed on one sample per call (the latency a service
sees, over many calls) and on one large batch, in samples per second; the
outputs are checked to agree first. Both runtimes get the same number of
threads (``--threads``, 1 by default: NumPy's BLAS through threadpoolctl,
onnxruntime's intra-op pool): on a shared, busy machine, multi-threaded BLAS
slows down by an order of magnitude (measured here: 2,000 against 20,000
images/s for the ConvNet), which would measure the machine's load rather than
the runtimes. Needs ``pip install "skscratch[onnx]"`` and threadpoolctl.

Run on its own (``python benchmarks/onnx_inference.py [--quick]``, which writes
``benchmarks/results/onnx.json`` and ``onnx.md``), or call
``w7_onnx_inference(repeats, quick, threads)`` and ``markdown(rows)`` from ``run.py``.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
import data  # noqa: E402
import peers  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _session(model, threads):
    import onnxruntime as ort

    from skscratch.onnx import to_onnx
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return ort.InferenceSession(to_onnx(model).SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def _samples_per_s(predict, batches, repeats):
    """Median over ``repeats`` of the samples per second of ``predict`` over ``batches``."""
    predict(batches[0])                                # warm-up: first-call allocations
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for batch in batches:
            predict(batch)
        rates.append(sum(len(b) for b in batches) / (time.perf_counter() - start))
    return float(np.median(rates))


def _compare(label, model, X, repeats, singles, threads):
    """Rows for one model: batch of 1 (``singles`` calls) and one batch of all of ``X``."""
    session = _session(model, threads)
    rows_of = X.reshape(len(X), -1)            # the ONNX graph takes flat rows

    def onnx_proba(batch):
        return session.run(["probabilities"], {"X": batch.reshape(len(batch), -1)})[0]

    gap = float(np.abs(onnx_proba(rows_of[:1000]) - model.predict_proba(X[:1000])).max())
    rows = []
    for batch_label, batches in [("1", [X[i:i + 1] for i in range(singles)]),
                                 (f"{len(X):,}", [X])]:
        with threadpool_limits(threads):
            ours = _samples_per_s(model.predict_proba, batches, repeats)
        theirs = _samples_per_s(onnx_proba, batches, repeats)
        rows.append({"model": label, "batch": batch_label, "skscratch_samples_per_s": ours,
                     "onnxruntime_samples_per_s": theirs, "speedup": theirs / ours,
                     "max_probability_difference": gap})
    return rows


def w7_onnx_inference(repeats=3, quick=False, threads=1):
    """Fit the two models briefly, then time both runtimes on them.

    Parameters
    ----------
    repeats : int, default=3
        Timed passes per measurement (the median is kept).
    quick : bool, default=False
        Smaller data, for a smoke run.
    threads : int, default=1
        Threads of NumPy's BLAS and of onnxruntime alike.

    Returns
    -------
    rows : list of dict
        One per model and batch size.
    """
    n_rows, n_images, singles = (5000, 1000, 100) if quick else (20000, 5000, 500)
    X, y = data.blobs(4000)
    mlp = peers.fit_quietly(peers.skscratch_mlp((300, 100), 2, 128, 0), X, y)
    images, labels = data.images(2000)
    convnet = peers.fit_quietly(peers.skscratch_convnet(1, 64, 0), images, labels)
    return (_compare("MLP 784-300-100-10", mlp, data.blobs(n_rows, seed=1)[0], repeats,
                     singles, threads)
            + _compare("ConvNet on 28x28", convnet, data.images(n_images, seed=1)[0], repeats,
                       singles, threads))


def environment():
    """Versions, cores and the load on the machine while the benchmark ran."""
    import os
    import platform

    import onnxruntime

    return {"python": platform.python_version(), "numpy": np.__version__,
            "onnxruntime": onnxruntime.__version__, "cores": os.cpu_count(),
            "load_average_1min": os.getloadavg()[0]}


def markdown(rows):
    """The rows as a markdown table."""
    lines = ["| model | batch | skscratch samples/s | onnxruntime samples/s "
             "| onnxruntime vs skscratch | max probability difference |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['model']} | {r['batch']} | {r['skscratch_samples_per_s']:,.0f} "
              f"| {r['onnxruntime_samples_per_s']:,.0f} | {r['speedup']:.2f}x "
              f"| {r['max_probability_difference']:.1g} |" for r in rows]
    return "\n".join(lines)


def main(argv=None):
    """Run W7, print its table, write ``results/onnx.json`` and ``results/onnx.md``."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    rows = w7_onnx_inference(args.repeats, args.quick, args.threads)
    table = markdown(rows)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    record = {"quick": args.quick, "threads": args.threads, "environment": environment(),
              "W7": rows}
    (RESULTS / "onnx.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS / "onnx.md").write_text(table + "\n")
    return rows


if __name__ == "__main__":
    main()
