"""Early stopping that keeps the best weights, not the last ones.

With ``early_stopping=True`` the estimator holds out ``validation_fraction`` of
the training data, scores it after every epoch, stops once the score has not
improved for ``n_iter_no_change`` epochs, and restores the weights of the best
epoch. ``history_`` and ``validation_scores_`` show the whole run.

Run: ``python examples/early_stopping.py``
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skscratch import MLPFromScratch


def main():
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
    return model, best


if __name__ == "__main__":
    main()
