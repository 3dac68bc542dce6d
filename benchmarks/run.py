"""Run the skscratch benchmark suite and report ratios against its peers.

    python benchmarks/run.py                 # full suite, about 10 minutes on 2 cores
    python benchmarks/run.py --quick         # smaller data, for a smoke run
    python benchmarks/run.py --update-docs   # also rewrite the table in docs/performance.md
    python benchmarks/run.py --busy          # the same beside a busy neighbour process

PyTorch is compared when installed (``pip install torch``; never a dependency of
skscratch). Machines are shared and noisy: absolute times mean little, the
ratios of one run are what to read. Results go to ``benchmarks/results/``.
"""

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import sklearn
import threadpoolctl

sys.path.insert(0, str(Path(__file__).parent))
import floor  # noqa: E402
import grid_search  # noqa: E402
import lbfgs_fit  # noqa: E402
import lr_finder  # noqa: E402
import peers  # noqa: E402
import workloads  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "performance.md"
MARKERS = {False: ("<!-- results:start -->", "<!-- results:end -->"),
           True: ("<!-- busy-results:start -->", "<!-- busy-results:end -->")}


def environment():
    blas = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    return {"python": platform.python_version(), "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "torch": peers.torch.__version__ if peers.torch else "not installed",
            "cores": os.cpu_count(),
            "blas": [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} "
                     f"x{i.get('num_threads')}" for i in blas],
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "unset")}


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "n/a"


def mib(value):
    return "n/a" if value is None else f"{value:.0f}"


def training_table(rows, peak):
    lines = ["| library | s/epoch | train samples/s | predict samples/s | peak traced MiB "
             "| accuracy | GFLOP/s (of float32 peak) | time vs skscratch |",
             "|---|---|---|---|---|---|---|---|"]
    ours = rows["skscratch"]["seconds_per_epoch"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['seconds_per_epoch']:.3f} | {r['train_samples_per_s']:,.0f} "
                     f"| {r['predict_samples_per_s']:,.0f} | {mib(r['peak_train_mib'])} "
                     f"| {r['accuracy']:.4f} | {r['gflops']:.1f} ({r['gflops'] / peak:.1%}) "
                     f"| {ratio(r['seconds_per_epoch'], ours)} |")
    return lines


def grid_search_table(rows):
    """W6's rows: wall time, the selected rate, and its ratio to skscratch."""
    ours = rows["skscratch"]
    lines = ["| library | search wall s | selected rate | best mean score "
             "| max score difference vs skscratch | time vs skscratch |",
             "|---|---|---|---|---|---|"]
    for name, r in rows.items():
        gap = max(abs(a - b) for a, b in zip(r["mean_scores"], ours["mean_scores"]))
        lines.append(f"| {name} | {r['search_seconds']:.2f} | {r['best_rate']:g} "
                     f"| {r['best_score']:.4f} | {gap:.4f} "
                     f"| {ratio(r['search_seconds'], ours['search_seconds'])} |")
    return lines


def onnx_section(results):
    if "W7" not in results:
        return []
    import onnx_inference
    return ["", "W7 - prediction with onnxruntime on the exported models (one thread each):",
            "", onnx_inference.markdown(results["W7"])]


def report(results):
    peak = results["W5"]["float32"]
    out = [f"Environment: `{json.dumps(results['environment'])}`", "",
           f"W5 - GEMM peak (2048x2048 matmul): float32 {results['W5']['float32']:.0f} GFLOP/s, "
           f"float64 {results['W5']['float64']:.0f} GFLOP/s.", "",
           f"W1 - MLP 784-300-100-10, {results['sizes']['W1']:,} float32 rows, Adam, batch 128, "
           "5 epochs:", ""]
    out += training_table(results["W1"], peak)
    w2 = results["W2"]
    out += ["", "W2 - digits, hidden (64,), 200 epochs, 5-fold `cross_val_score`:", "",
            "| library | wall s | accuracy | time vs skscratch |", "|---|---|---|---|"]
    out += [f"| {n} | {r['cv_seconds']:.2f} | {r['accuracy']:.4f} "
            f"| {ratio(r['cv_seconds'], w2['skscratch']['cv_seconds'])} |" for n, r in w2.items()]
    for label, rows in results["W3"].items():
        out += ["", f"W3 - conv8-pool-conv16-pool-dense10 on {label} images, Adam, "
                "batch 64, 2 epochs:", ""]
        out += training_table(rows, peak)
    out += ["", "W4 - prediction; peak memory traced beyond the input (n/a: PyTorch "
            "allocates outside tracemalloc's view):", "",
            "| case | library | samples/s | peak MiB | input MiB |", "|---|---|---|---|---|"]
    for label, rows in results["W4"].items():
        out += [f"| {label} | {n} | {r['predict_samples_per_s']:,.0f} | "
                f"{mib(r['peak_predict_mib'])} | {r['input_mib']:.0f} |" for n, r in rows.items()]
    out += ["", "W6 - `GridSearchCV`, 5 learning rates x 5 folds, `StandardScaler` + MLP (64,) "
            "on digits, at most 200 epochs, `n_jobs=2` (warm workers):", ""]
    out += grid_search_table(results["W6"])
    out += ["", "W9 - one learning rate chosen three ways, `StandardScaler` + MLP (64,) on "
            "digits, 5 shuffled stratified folds (warm workers, `n_jobs=2` for the searches):",
            "", lr_finder.markdown(results["W9"])]
    out += ["", "W8 - the matrix products of an MLP epoch alone, and the whole step as bare "
            "NumPy calls (preallocated arrays, the threads training uses), against each "
            "library's epoch (minimum of repeats):", "",
            floor.floor_table(results["W8"])]
    out += ["", "W10 - `MLPClassifier(hidden_layer_sizes=(64,), solver=\"lbfgs\")` on digits, "
            "`max_iter=200`, float64, one BLAS thread, beside three floors running the same "
            "L-BFGS-B iterations (best of repeats, cases in turns):", "",
            lbfgs_fit.markdown(results["W10"])]
    out += onnx_section(results)
    return "\n".join(out)


def plot(results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    cases = [("W1 MLP", results["W1"])] + [(f"W3 conv {k}", v) for k, v in results["W3"].items()]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    names = ["skscratch", "scikit-learn", "PyTorch"]
    for k, name in enumerate(names):
        values = [rows[name]["train_samples_per_s"] / rows["skscratch"]["train_samples_per_s"]
                  if name in rows else 0 for _, rows in cases]
        ax.bar(np.arange(len(cases)) + (k - 1) * 0.27, values, 0.27, label=name)
    ax.set_xticks(range(len(cases)), [c for c, _ in cases])
    ax.set_ylabel("training throughput\nrelative to skscratch")
    ax.axhline(1, color="gray", lw=0.8)
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run_all(repeats, quick):
    """Every workload, in order; W7 only with onnxruntime installed."""
    results = {"environment": environment(), "W5": workloads.w5_gemm_peak(),
               "sizes": {"W1": 4000 if quick else 20000}}
    for key, run in [("W1", workloads.w1_mlp), ("W2", workloads.w2_digits_cv),
                     ("W3", workloads.w3_convnet), ("W6", grid_search.w6_grid_search),
                     ("W9", lr_finder.w9_lr_finder), ("W8", floor.w8_floor),
                     ("W10", lbfgs_fit.w10_lbfgs)]:
        print(f"running {key} ...", flush=True)
        results[key] = run(repeats, quick)
    results["W4"] = workloads.w4_prediction(results["W1"], results["W3"]["28x28"], quick)
    try:
        import onnx_inference
        import onnxruntime  # noqa: F401
    except ImportError:
        return results
    print("running W7 ...", flush=True)
    results["W7"] = onnx_inference.w7_onnx_inference(repeats, quick, threads=1)
    return results


def _spin(stop):
    while not stop.is_set():
        pass


@contextmanager
def busy_neighbour(enabled):
    """Keep one core busy in another process while the block runs (if ``enabled``)."""
    if not enabled:
        yield
        return
    stop = multiprocessing.Event()
    neighbour = multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
    neighbour.start()
    try:
        yield
    finally:
        stop.set()
        neighbour.join()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--update-docs", action="store_true")
    parser.add_argument("--busy", action="store_true",
                        help="run beside a neighbour process that keeps one core busy")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    peers.setup_threads(os.cpu_count())
    with busy_neighbour(args.busy):
        results = run_all(repeats, args.quick)
    results["environment"]["busy neighbour"] = args.busy
    text = report(results)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    name = ("quick" if args.quick else "latest") + ("-busy" if args.busy else "")
    (RESULTS / f"{name}.md").write_text(text + "\n")
    strip = {k: v for k, v in results.items()}
    (RESULTS / f"{name}.json").write_text(json.dumps(strip, indent=1, default=lambda o: None))
    figure = plot(results, RESULTS / f"{name}.png")
    if args.update_docs and not args.quick:
        if figure and not args.busy:
            shutil.copyfile(figure, DOCS.parent / "_static" / "performance.png")
        page, (first, last) = DOCS.read_text(), MARKERS[args.busy]
        start, end = page.index(first) + len(first), page.index(last)
        DOCS.write_text(page[:start] + "\n" + text + "\n" + page[end:])
    return results, figure


if __name__ == "__main__":
    main()
