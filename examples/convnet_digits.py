"""
A convolutional network on the 8x8 digits
=========================================

Trains ``ConvNetFromScratch`` after a ``MinMaxScaler`` on 75% of scikit-learn's
bundled digits, reports held-out accuracy and the confusion matrix, and draws
the first layer's 3x3 filters next to the confusion matrix (with matplotlib).

Run: ``python examples/convnet_digits.py [--save DIR]`` (``--save`` also writes
the figure to ``DIR/convnet_digits.png``)
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skscratch import ConvNetFromScratch

try:
    import matplotlib.pyplot as plt
except ImportError:           # figures are optional: pip install "skscratch[plot]"
    plt = None

EPOCHS = 30


def report_progress(model, record):
    """A callback: one line every 10 epochs, so a long fit is never silent."""
    if record["epoch"] % 10 == 0:
        print(f"  epoch {record['epoch']}/{EPOCHS}: loss {record['loss']:.4f}", flush=True)


def plot(model, matrix):
    """The first-layer filters and the confusion matrix, as one figure (None without plt)."""
    if plt is None:
        print("matplotlib is not installed: no figure (pip install matplotlib)")
        return None
    kernels = model.coefs_[0][:, :, 0, :]                 # (3, 3, filters)
    fig = plt.figure(figsize=(10, 4.5))
    grid = fig.add_gridspec(4, 8, width_ratios=[1, 1, 1, 1, 0.3, 2, 2, 2])
    for k in range(min(16, kernels.shape[2])):
        ax = fig.add_subplot(grid[k // 4, k % 4])
        ax.imshow(kernels[:, :, k], cmap="coolwarm")
        ax.set_axis_off()
    ax = fig.add_subplot(grid[:, 5:])
    ax.imshow(matrix, cmap="Blues")
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, count, ha="center", va="center", fontsize=7,
                color="white" if count > matrix.max() / 2 else "black")
    fig.suptitle("First-layer 3x3 filters (left) and held-out confusion matrix (right)")
    return fig


def main(save_dir=None):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25,
                                                        stratify=y, random_state=0)
    pipe = make_pipeline(MinMaxScaler(), ConvNetFromScratch(
        filters=(8, 16), hidden_layer_sizes=(128,), batch_size=32, max_iter=EPOCHS,
        callbacks=[report_progress], random_state=0))
    print(f"training a ConvNetFromScratch on {len(X_train)} digits for {EPOCHS} epochs",
          flush=True)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X_train, y_train)
    print(f"trained in {time.perf_counter() - start:.1f} s")
    model = pipe[-1]
    print(model.network_.summary())
    accuracy = pipe.score(X_test, y_test)
    matrix = confusion_matrix(y_test, pipe.predict(X_test))
    print(f"held-out accuracy: {accuracy:.4f}")
    print("confusion matrix (rows: true digit, columns: predicted):")
    print(matrix)
    fig = plot(model, matrix)
    if fig is not None and save_dir:
        os.makedirs(save_dir, exist_ok=True)
        path = os.path.join(save_dir, "convnet_digits.png")
        fig.savefig(path, dpi=100, bbox_inches="tight")
        print(f"figure saved to {path}")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A convolutional network on the digits.")
    parser.add_argument("--save", metavar="DIR", help="also save the figure into DIR")
    main(parser.parse_args().save)
    if plt is not None:
        plt.show()
