"""
Quickstart: MLPFromScratch next to scikit-learn's MLPClassifier
===============================================================

Both models run in the same pipeline (standard scaling, then the network)
with the same configuration, scored by the same shuffled, stratified 5-fold
cross-validation on scikit-learn's bundled 8x8 digits (no download). Each
fold's accuracy and time is printed as soon as it is known.

Run: ``python examples/quickstart.py``
"""

import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch

CONFIG = dict(hidden_layer_sizes=(256,), alpha=1e-3, random_state=0)


def evaluate(model, X, y):
    """Mean and spread of the 5-fold accuracy of scaling + ``model``, and the wall time.

    The same folds, clones and scores as ``cross_val_score``, one fold at a time
    so that each fold can be reported as soon as it is done.
    """
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    scores, start = [], time.perf_counter()
    for fold, (train, test) in enumerate(cv.split(X, y), start=1):
        fold_start = time.perf_counter()
        pipe = make_pipeline(StandardScaler(), clone(model))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipe.fit(X[train], y[train])
        scores.append(pipe.score(X[test], y[test]))
        print(f"  fold {fold}/5: accuracy {scores[-1]:.4f} "
              f"({time.perf_counter() - fold_start:.1f} s)", flush=True)
    return np.mean(scores), np.std(scores), time.perf_counter() - start


def main():
    X, y = load_digits(return_X_y=True)
    print(f"digits: {X.shape[0]} images of 8x8 pixels, 10 classes; config {CONFIG}")
    results = {}
    for name, model in [("skscratch MLPFromScratch", MLPFromScratch(**CONFIG)),
                        ("scikit-learn MLPClassifier", MLPClassifier(**CONFIG))]:
        print(f"{name}: 5-fold cross-validation", flush=True)
        results[name] = evaluate(model, X, y)
    print()
    for name, (mean, std, seconds) in results.items():
        print(f"{name:28s} accuracy {mean:.4f} +/- {std:.4f}  ({seconds:.1f} s)")
    return results


if __name__ == "__main__":
    main()
