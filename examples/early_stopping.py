"""
Early stopping that keeps the best weights
==========================================

With ``early_stopping=True`` the estimator holds out ``validation_fraction`` of
the training data, scores it after every epoch, stops once the score has not
improved for ``n_iter_no_change`` epochs, and restores the weights of the best
epoch, not the last one's. ``history_`` and ``validation_scores_`` show the
whole run; the figure (with matplotlib) marks the epoch whose weights were kept.

Run: ``python examples/early_stopping.py [--save DIR]`` (``--save`` also writes
the figure to ``DIR/early_stopping.png``)
"""

import argparse
import os

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skscratch import MLPFromScratch
from skscratch.plotting import LossCurveDisplay

try:
    import matplotlib.pyplot as plt
except ImportError:           # figures are optional: pip install "skscratch[plot]"
    plt = None


def plot(model, save_dir=None):
    """Training loss and validation score per epoch; the figure, or None without matplotlib."""
    if plt is None:
        print("matplotlib is not installed: no figure")
        return None
    fig = LossCurveDisplay.from_estimator(model, name="early stopping on digits").figure_
    if save_dir:
        os.makedirs(save_dir, exist_ok=True)
        path = os.path.join(save_dir, "early_stopping.png")
        fig.savefig(path, dpi=100, bbox_inches="tight")
        print(f"figure saved to {path}")
    return fig


def main(save_dir=None):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_size=0.3,
                                                        stratify=y, random_state=0)
    model = MLPFromScratch((256,), learning_rate_init=3e-3, early_stopping=True,
                           validation_fraction=0.15, n_iter_no_change=8, max_iter=300,
                           random_state=0).fit(X_train, y_train)
    best = int(np.argmax(model.validation_scores_)) + 1
    print(f"stopped after {model.n_iter_} epochs; the best validation score "
          f"{model.best_validation_score_:.4f} came at epoch {best}")
    print(f"the last {model.n_iter_ - best} epochs did not beat it (last score "
          f"{model.validation_scores_[-1]:.4f}): their weights were discarded")
    for record in model.history_[best - 3:best + 2]:
        print(f"  epoch {record['epoch']:3d}: loss {record['loss']:.4f}, "
              f"validation {record['validation_score']:.4f}")
    print(f"test accuracy with the restored best weights: {model.score(X_test, y_test):.4f}")
    plot(model, save_dir)
    return model, best


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Early stopping that keeps the best weights.")
    parser.add_argument("--save", metavar="DIR", help="also save the figure into DIR")
    main(parser.parse_args().save)
    if plt is not None:
        plt.show()
