"""A convolutional network on the 8x8 digits, with its learned filters.

Trains ``ConvNetFromScratch`` after a ``MinMaxScaler`` on 75% of scikit-learn's
bundled digits, reports held-out accuracy and the confusion matrix, and, when
matplotlib is installed, saves a figure of the first layer's 3x3 filters and
the confusion matrix (``convnet_digits.png``, or the path given as argument).

Run: ``python examples/convnet_digits.py [figure.png]``
"""

import sys
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skscratch import ConvNetFromScratch


def plot(model, matrix, path):
    """Save the first-layer filters and the confusion matrix; skip without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
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
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"figure saved to {path}")
    return path


def main(figure_path="convnet_digits.png"):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25,
                                                        stratify=y, random_state=0)
    pipe = make_pipeline(MinMaxScaler(), ConvNetFromScratch(
        filters=(16, 32), hidden_layer_sizes=(128,), batch_size=32, max_iter=40,
        random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X_train, y_train)
    model = pipe[-1]
    print(model.network_.summary())
    accuracy = pipe.score(X_test, y_test)
    matrix = confusion_matrix(y_test, pipe.predict(X_test))
    print(f"held-out accuracy: {accuracy:.4f}")
    print("confusion matrix (rows: true digit, columns: predicted):")
    print(matrix)
    plot(model, matrix, figure_path)
    return accuracy


if __name__ == "__main__":
    main(*sys.argv[1:2])
