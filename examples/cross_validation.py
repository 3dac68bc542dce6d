"""
Cross-validation for both estimators and both tasks
===================================================

Cross-validate both estimators, for both tasks, as any scikit-learn model.

``cross_val_score`` stratifies the folds and scores accuracy for the
classifiers, and scores R² for the regressor, because each estimator's
``task`` sets its scikit-learn tags. The regression targets (around 150) are
standardised too, as ``MLPRegressor`` needs them to be. The figure (with matplotlib) shows each
fold's score.

Run: ``python examples/cross_validation.py [--save DIR]`` (``--save`` also writes
the figure to ``DIR/cross_validation.png``)
"""

import argparse
import os
import warnings

from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skscratch import ConvNetFromScratch, MLPFromScratch

try:
    import matplotlib.pyplot as plt
except ImportError:           # figures are optional: pip install "skscratch[plot]"
    plt = None


def plot(results):
    """One panel per case: the five fold scores and their mean."""
    fig, axes = plt.subplots(1, len(results), figsize=(9, 3))
    for ax, (name, scores) in zip(axes, results.items()):
        model, rest = name.split(", ", 1)
        ax.plot(range(1, len(scores) + 1), scores, "o", label="fold")
        ax.axhline(scores.mean(), color="C1", label=f"mean {scores.mean():.3f}")
        ax.set(title=f"{model}\n{rest}", xlabel="fold", xticks=range(1, len(scores) + 1))
        ax.legend(loc="best", fontsize=8)
        ax.margins(y=0.15)
    fig.tight_layout()
    return fig


def main(save_dir=None):
    X, y = load_digits(return_X_y=True)
    Xr, yr = load_diabetes(return_X_y=True)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    cases = [
        ("MLPFromScratch, digits (accuracy)", X, y, folds,
         make_pipeline(StandardScaler(), MLPFromScratch((128,), max_iter=60, random_state=0))),
        ("ConvNetFromScratch, digits (accuracy)", X, y, folds,
         make_pipeline(MinMaxScaler(), ConvNetFromScratch((8, 16), batch_size=32, max_iter=15,
                                                          random_state=0))),
        ("MLPFromScratch, diabetes (R²)", Xr, yr, KFold(5, shuffle=True, random_state=0),
         # targets around 150: scaled too, as for scikit-learn's MLPRegressor
         TransformedTargetRegressor(
             make_pipeline(StandardScaler(), MLPFromScratch((64,), task="regression",
                                                            max_iter=500, random_state=0)),
             transformer=StandardScaler())),
    ]
    results = {}
    for name, data, target, cv, model in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            scores = cross_val_score(model, data, target, cv=cv, n_jobs=2)
        results[name] = scores
        print(f"{name:40s} {scores.mean():.4f} +/- {scores.std():.4f}", flush=True)
    if plt is not None:
        fig = plot(results)
        if save_dir:
            os.makedirs(save_dir, exist_ok=True)
            fig.savefig(os.path.join(save_dir, "cross_validation.png"), dpi=100)
            print(f"figure saved to {os.path.join(save_dir, 'cross_validation.png')}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Cross-validation of both estimators.")
    parser.add_argument("--save", metavar="DIR", help="also save the figure into DIR")
    main(parser.parse_args().save)
    if plt is not None:
        plt.show()
