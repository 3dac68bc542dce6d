"""
Grid-search the learning rate
=============================

The headline scikit-learn workflow: ``GridSearchCV`` over ``learning_rate_init``
for ``StandardScaler`` + ``MLPFromScratch`` on digits, in parallel; prints the
table and plots the cross-validated accuracy against the learning rate (with
matplotlib).

Run: ``python examples/grid_search_learning_rates.py [--save DIR]`` (``--save``
also writes the figure to ``DIR/grid_search_learning_rates.png``)
"""

import argparse
import os
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch

try:
    import matplotlib.pyplot as plt
except ImportError:           # figures are optional: pip install "skscratch[plot]"
    plt = None

RATES = np.logspace(-4, -1, 7)


def plot(means, stds, max_iter):
    """Accuracy against the learning rate, with one standard deviation as error bars."""
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.errorbar(RATES, means, yerr=stds, marker="o", capsize=3)
    ax.set_xscale("log")
    ax.set_xlabel("learning_rate_init")
    ax.set_ylabel("5-fold CV accuracy")
    ax.set_title(f"MLPFromScratch on digits, {max_iter} epochs")
    fig.tight_layout()
    return fig


def main(save_dir=None, max_iter=40):
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPFromScratch((64,), max_iter=max_iter,
                                                          random_state=0))
    # verbose=1: GridSearchCV says how many fits it runs before it starts them
    search = GridSearchCV(pipe, {"mlpfromscratch__learning_rate_init": RATES}, cv=5,
                          n_jobs=2, verbose=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    means = search.cv_results_["mean_test_score"]
    stds = search.cv_results_["std_test_score"]
    for rate, mean, std in zip(RATES, means, stds):
        print(f"learning_rate_init={rate:.1e}: accuracy {mean:.4f} +/- {std:.4f}")
    print("best:", search.best_params_)
    if plt is None:
        print("matplotlib is not installed: no figure")
    else:
        fig = plot(means, stds, max_iter)
        if save_dir:
            os.makedirs(save_dir, exist_ok=True)
            path = os.path.join(save_dir, "grid_search_learning_rates.png")
            fig.savefig(path)
            print(f"figure saved to {path}")
    return search


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Grid-search the learning rate.")
    parser.add_argument("--save", metavar="DIR", help="also save the figure into DIR")
    main(parser.parse_args().save)
    if plt is not None:
        plt.show()
