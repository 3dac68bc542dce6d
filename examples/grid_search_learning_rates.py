"""Grid-search the learning rate, the headline scikit-learn workflow.

``GridSearchCV`` over ``learning_rate_init`` for ``StandardScaler`` +
``MLPFromScratch`` on digits, in parallel; prints the table and, with
matplotlib, plots the cross-validated accuracy against the learning rate.

Run: ``python examples/grid_search_learning_rates.py [scores.png]``
"""

import sys
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch

RATES = np.logspace(-4, -1, 7)


def main(figure_path=None, max_iter=40):
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPFromScratch((64,), max_iter=max_iter,
                                                          random_state=0))
    search = GridSearchCV(pipe, {"mlpfromscratch__learning_rate_init": RATES}, cv=5, n_jobs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    means = search.cv_results_["mean_test_score"]
    stds = search.cv_results_["std_test_score"]
    for rate, mean, std in zip(RATES, means, stds):
        print(f"learning_rate_init={rate:.1e}: accuracy {mean:.4f} +/- {std:.4f}")
    print("best:", search.best_params_)
    if figure_path:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib is not installed: no figure")
        else:
            fig, ax = plt.subplots(figsize=(5, 3))
            ax.errorbar(RATES, means, yerr=stds, marker="o", capsize=3)
            ax.set_xscale("log")
            ax.set_xlabel("learning_rate_init")
            ax.set_ylabel("5-fold CV accuracy")
            ax.set_title(f"MLPFromScratch on digits, {max_iter} epochs")
            fig.tight_layout()
            fig.savefig(figure_path)
            print(f"figure saved to {figure_path}")
    return search


if __name__ == "__main__":
    main(*sys.argv[1:2])
