"""Quickstart: MLPFromScratch next to scikit-learn's MLPClassifier on digits.

Both models run in the same pipeline (standard scaling, then the network)
with the same configuration, scored by the same shuffled, stratified 5-fold
cross-validation on scikit-learn's bundled 8x8 digits (no download).

Run: ``python examples/quickstart.py``
"""

import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch

CONFIG = dict(hidden_layer_sizes=(256,), alpha=1e-3, random_state=0)


def evaluate(model, X, y):
    """Mean 5-fold accuracy and wall time of ``model`` on ``(X, y)``."""
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=cv)
    return scores.mean(), scores.std(), time.perf_counter() - start


def main():
    X, y = load_digits(return_X_y=True)
    print(f"digits: {X.shape[0]} images of 8x8 pixels, 10 classes; config {CONFIG}")
    results = {}
    for name, model in [("skscratch MLPFromScratch", MLPFromScratch(**CONFIG)),
                        ("scikit-learn MLPClassifier", MLPClassifier(**CONFIG))]:
        mean, std, seconds = results[name] = evaluate(model, X, y)
        print(f"{name:28s} accuracy {mean:.4f} +/- {std:.4f}  ({seconds:.1f} s)")
    return results


if __name__ == "__main__":
    main()
