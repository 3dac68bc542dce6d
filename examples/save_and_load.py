"""
Save, load and keep training
============================

Save a fitted model as plain arrays + JSON, load it back, keep training.

``skscratch.save`` writes one ``.npz`` archive; ``skscratch.load`` reads it
without pickle (loading never runs code from the file) and checks every key,
shape and dtype. The loaded model predicts identically and continues with
``partial_fit`` exactly where the original would have. Pickle and joblib work
too, as for any scikit-learn estimator, but only load those from trusted sources.

Run: ``python examples/save_and_load.py [model.npz]``
"""

import os
import sys
import tempfile
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

import skscratch


def main(path=None):
    X, y = load_digits(return_X_y=True)
    X = X / 16
    model = skscratch.MLPFromScratch((64,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:1500], y[:1500])
    path = path or os.path.join(tempfile.mkdtemp(), "digits_mlp.npz")
    skscratch.save(model, path)
    print(f"saved to {path} ({os.path.getsize(path):,} bytes)")

    loaded = skscratch.load(path)
    same = np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    print("identical predictions after loading:", same)
    print(loaded.summary())

    for m in (model, loaded):
        m.partial_fit(X[1500:], y[1500:])
    same_training = all(np.array_equal(p, q) for p, q in
                        zip(model.network_.params, loaded.network_.params))
    print("one more epoch of partial_fit gives identical weights:", same_training)
    return same, same_training


if __name__ == "__main__":
    main(*sys.argv[1:2])
