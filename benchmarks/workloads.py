"""W1-W5: each workload runs skscratch and its peers on the same data and settings."""

import warnings

import data
import numpy as np
import peers
from measure import median, peak_memory, timer
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def _train_and_score(make, X_train, y_train, X_test, y_test, repeats, epochs):
    """Fit ``repeats`` fresh models; time, memory and accuracy of the last.

    An untimed warm-up fit on a slice comes first: PyTorch's first fit in a
    process runs several times slower than the next ones (measured 11.6k vs
    55k samples/s on W1), and no library should be judged on its cold start.
    """
    peers.fit_quietly(make(), X_train[:1024], y_train[:1024])
    memory = _training_memory(make, X_train, y_train)
    seconds = []
    for _ in range(repeats):
        model = make()
        with timer(seconds):
            peers.fit_quietly(model, X_train, y_train)
    predict_seconds = []
    with timer(predict_seconds):
        accuracy = float(np.mean(model.predict(X_test) == y_test))
    n = len(X_train)
    return {"seconds_per_epoch": median(seconds) / epochs,
            "train_samples_per_s": n * epochs / median(seconds),
            "predict_samples_per_s": len(X_test) / predict_seconds[0],
            "peak_train_mib": memory, "accuracy": accuracy, "model": model}


def _training_memory(make, X, y):
    """Peak traced MiB of a separate, untimed one-epoch fit (None for PyTorch).

    Training memory depends on the batch, not on the number of epochs.
    """
    model = make()
    if isinstance(model, peers.TorchClassifier):
        return None
    if hasattr(model, "max_iter"):
        model.set_params(max_iter=1)
    record = {}
    with peak_memory(record):
        peers.fit_quietly(model, X, y)
    return record["mib"]


def _mlp_flops(sizes):
    """Training FLOPs per sample: forward, weight gradient, input gradient (not layer 1)."""
    macs = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return 2 * (3 * sum(macs) - macs[0])


def _conv_flops(side, n_classes):
    c1 = side * side * 9 * 1 * 8
    c2 = (side // 2) ** 2 * 9 * 8 * 16
    dense = 16 * (side // 4) ** 2 * n_classes
    return 2 * (2 * c1 + 3 * c2 + 3 * dense)


def w1_mlp(repeats, quick=False):
    """W1: 20,000 x 784 float32 (4,000 quick), (300, 100) ReLU, Adam 1e-3, batch 128, 5 epochs."""
    n, epochs, hidden = (4000 if quick else 20000), 5, (300, 100)
    X, y = data.blobs(n + 5000)
    X_train, X_test, y_train, y_test = X[:n], X[n:], y[:n], y[n:]
    makers = {"skscratch": lambda: peers.skscratch_mlp(hidden, epochs, 128, 0),
              "scikit-learn": lambda: peers.sklearn_mlp(hidden, epochs, 128, 0)}
    if peers.torch is not None:
        makers["PyTorch"] = lambda: peers.torch_mlp(hidden, 784, 10, epochs, 128, 0)
    rows = {name: _train_and_score(make, X_train, y_train, X_test, y_test, repeats, epochs)
            for name, make in makers.items()}
    flops = _mlp_flops([784, *hidden, 10])
    for row in rows.values():
        row["gflops"] = flops * row["train_samples_per_s"] / 1e9
    return rows


def w2_digits_cv(repeats, quick=False):
    """W2: digits, hidden (64,), 200 epochs, 5-fold cross_val_score wall time."""
    X, y = load_digits(return_X_y=True)
    epochs = 40 if quick else 200
    rows = {}
    for name, make in [("skscratch", lambda: peers.skscratch_mlp((64,), epochs, "auto", 0)),
                       ("scikit-learn", lambda: peers.sklearn_mlp((64,), epochs, "auto", 0))]:
        seconds, scores = [], None
        for _ in range(repeats):
            with timer(seconds), warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                scores = cross_val_score(make_pipeline(StandardScaler(), make()), X, y, cv=5)
        rows[name] = {"cv_seconds": median(seconds), "accuracy": float(scores.mean())}
    return rows


def w3_convnet(repeats, quick=False):
    """W3: conv8-pool-conv16-pool-dense10, same padding, Adam, batch 64, 2 epochs."""
    results = {}
    for label, (X, y) in [("28x28", data.images(3000 if quick else 12000)),
                          ("8x8 digits", data.digits_images())]:
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.15,
                                                            random_state=0)
        if label == "28x28":
            X_train, y_train = X_train[:10000], y_train[:10000]
        side = X.shape[1]
        makers = {"skscratch": lambda: peers.skscratch_convnet(2, 64, 0)}
        if peers.torch is not None:
            makers["PyTorch"] = lambda: peers.torch_convnet(side, 10, 2, 64, 0)
        rows = {name: _train_and_score(make, X_train, y_train, X_test, y_test, repeats, 2)
                for name, make in makers.items()}
        for row in rows.values():
            row["gflops"] = _conv_flops(side, 10) * row["train_samples_per_s"] / 1e9
        results[label] = rows
    return results


def w4_prediction(w1_rows, w3_rows, quick=False):
    """W4: predict 200,000 rows (W1's models) and 50,000 images (W3's), peak memory."""
    n_rows, n_images = (40000, 10000) if quick else (200000, 50000)
    cases = [("MLP, %d rows" % n_rows, data.blobs(n_rows, seed=1)[0], w1_rows),
             ("ConvNet, %d images" % n_images, data.images(n_images, seed=1)[0], w3_rows)]
    results = {}
    for label, X, rows in cases:
        results[label] = {}
        for name, row in rows.items():
            seconds, memory = [], {"mib": None}
            with timer(seconds):
                row["model"].predict(X)
            if not isinstance(row["model"], peers.TorchClassifier):
                with peak_memory(memory):
                    row["model"].predict(X)
            results[label][name] = {"predict_samples_per_s": len(X) / seconds[0],
                                    "peak_predict_mib": memory["mib"],
                                    "input_mib": X.nbytes / 2**20}
    return results


def w5_gemm_peak():
    """W5: this machine's float32 and float64 matmul GFLOP/s (2048 x 2048)."""
    import time
    peaks = {}
    for dtype in (np.float32, np.float64):
        a = np.random.default_rng(0).random((2048, 2048)).astype(dtype)
        a @ a
        start = time.perf_counter()
        for _ in range(5):
            a @ a
        peaks[np.dtype(dtype).name] = 2 * 2048**3 * 5 / (time.perf_counter() - start) / 1e9
    return peaks
