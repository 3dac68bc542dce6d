"""
Cross-validation for both estimators and both tasks
===================================================

Cross-validate both estimators, for both tasks, as any scikit-learn model.

``cross_val_score`` stratifies the folds and scores accuracy for the
classifiers, and scores R² for the regressor, because each estimator's
``task`` sets its scikit-learn tags.

Run: ``python examples/cross_validation.py``
"""

import warnings

from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skscratch import ConvNetFromScratch, MLPFromScratch


def main():
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
         make_pipeline(StandardScaler(), MLPFromScratch((64,), task="regression",
                                                        max_iter=500, random_state=0))),
    ]
    results = {}
    for name, data, target, cv, model in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            scores = cross_val_score(model, data, target, cv=cv, n_jobs=2)
        results[name] = scores
        print(f"{name:40s} {scores.mean():.4f} +/- {scores.std():.4f}")
    return results


if __name__ == "__main__":
    main()
