"""Run the skscratch benchmark suite and report ratios against its peers.

    python benchmarks/run.py                 # full suite, about 5 minutes on 2 cores
    python benchmarks/run.py --quick         # smaller data, for a smoke run
    python benchmarks/run.py --update-docs   # also rewrite the table in docs/performance.md

PyTorch is compared when installed (``pip install torch``; never a dependency of
skscratch). Machines are shared and noisy: absolute times mean little, the
ratios of one run are what to read. Results go to ``benchmarks/results/``.
"""

import argparse
import json
import os
import platform
import shutil
import sys
from pathlib import Path

import numpy as np
import sklearn
import threadpoolctl

sys.path.insert(0, str(Path(__file__).parent))
import peers  # noqa: E402
import workloads  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "performance.md"
MARKERS = ("<!-- results:start -->", "<!-- results:end -->")


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--update-docs", action="store_true")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    peers.setup_threads(os.cpu_count())
    results = {"environment": environment(), "W5": workloads.w5_gemm_peak(),
               "sizes": {"W1": 4000 if args.quick else 20000}}
    for key, run in [("W1", workloads.w1_mlp), ("W2", workloads.w2_digits_cv),
                     ("W3", workloads.w3_convnet)]:
        print(f"running {key} ...", flush=True)
        results[key] = run(repeats, args.quick)
    results["W4"] = workloads.w4_prediction(results["W1"], results["W3"]["28x28"], args.quick)
    text = report(results)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    name = "quick" if args.quick else "latest"
    (RESULTS / f"{name}.md").write_text(text + "\n")
    strip = {k: v for k, v in results.items()}
    (RESULTS / f"{name}.json").write_text(json.dumps(strip, indent=1, default=lambda o: None))
    figure = plot(results, RESULTS / f"{name}.png")
    if args.update_docs and not args.quick:
        if figure:
            shutil.copyfile(figure, DOCS.parent / "_static" / "performance.png")
        page = DOCS.read_text()
        start, end = page.index(MARKERS[0]) + len(MARKERS[0]), page.index(MARKERS[1])
        DOCS.write_text(page[:start] + "\n" + text + "\n" + page[end:])
    return results, figure


if __name__ == "__main__":
    main()
