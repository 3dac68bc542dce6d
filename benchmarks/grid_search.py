"""W6: the headline use, a learning-rate grid search with cross-validation.

``GridSearchCV`` over 5 learning rates x 5 folds of ``StandardScaler`` + an MLP
with one hidden layer of 64 units on digits, at most 200 epochs, ``n_jobs=2``,
for skscratch, scikit-learn's ``MLPClassifier`` and skorch's
``NeuralNetClassifier`` (optional: ``pip install skorch`` beside PyTorch).
Every library stops on the same rule, scikit-learn's: training loss not
improving by ``tol=1e-4`` for 10 epochs. The search's wall time includes
everything a user waits for: worker start-up, cloning, fitting, scoring.

Run on its own (``python benchmarks/grid_search.py``) or through ``run.py``.
"""

import time
import warnings

import numpy as np
import peers
from sklearn.datasets import load_digits
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skscratch import MLPFromScratch

RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]


def skorch_classifier(epochs):
    """skorch's ``NeuralNetClassifier`` on the same module, or None without skorch."""
    try:
        from skorch import NeuralNetClassifier
        from skorch.callbacks import EarlyStopping
    except ImportError:
        return None
    torch = peers.torch

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden, self.out = torch.nn.Linear(64, 64), torch.nn.Linear(64, 10)

        def forward(self, X):
            return self.out(torch.relu(self.hidden(X)))

    # scikit-learn's stopping rule in skorch's terms
    stop = EarlyStopping(monitor="train_loss", patience=10, threshold=1e-4,
                         threshold_mode="abs", load_best=False)
    return Pipeline([("scale", StandardScaler()), ("to32", FunctionTransformer(np.float32)),
                     ("mlp", NeuralNetClassifier(
                         MLP, criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam,
                         optimizer__weight_decay=0.0, lr=1e-3, max_epochs=epochs,
                         batch_size=200, iterator_train__shuffle=True, train_split=None,
                         callbacks=[stop], verbose=0))])


def searches(epochs):
    """The three pipelines, each with the parameter grid of its learning rate."""
    common = dict(hidden_layer_sizes=(64,), max_iter=epochs, random_state=0)
    found = {"skscratch": Pipeline([("scale", StandardScaler()),
                                    ("mlp", MLPFromScratch(**common))]),
             "scikit-learn": Pipeline([("scale", StandardScaler()),
                                       ("mlp", MLPClassifier(**common))])}
    if peers.torch is not None and (skorch := skorch_classifier(epochs)) is not None:
        found["skorch"] = skorch
    grid = {"skorch": "mlp__lr"}
    return {name: (pipe, {grid.get(name, "mlp__learning_rate_init"): RATES})
            for name, pipe in found.items()}


def _data(name):
    X, y = load_digits(return_X_y=True)
    return X, (y.astype(np.int64) if name == "skorch" else y)  # torch wants int64 labels


def w6_grid_search(repeats, quick=False):
    """Wall time, selected rate and best mean score of each library's search."""
    epochs = 40 if quick else 200
    X, y = load_digits(return_X_y=True)
    # start the worker processes first: a user's session pays that once, not per search
    GridSearchCV(DummyClassifier(), {"strategy": ["prior", "uniform"]}, cv=2,
                 n_jobs=2).fit(X, y)
    rows = {}
    for name, (pipe, grid) in searches(epochs).items():
        X, y = _data(name)
        seconds = []
        for _ in range(repeats):
            search = GridSearchCV(pipe, grid, cv=StratifiedKFold(5), n_jobs=2)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                search.fit(X, y)
            seconds.append(time.perf_counter() - start)
        rows[name] = {"search_seconds": float(np.median(seconds)),
                      "best_rate": float(next(iter(search.best_params_.values()))),
                      "best_score": float(search.best_score_),
                      "mean_scores": search.cv_results_["mean_test_score"].tolist()}
    return rows


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    for name, row in w6_grid_search(args.repeats, args.quick).items():
        print(f"{name:13s} {row['search_seconds']:7.2f} s  best lr {row['best_rate']:g}  "
              f"best {row['best_score']:.4f}  means {np.round(row['mean_scores'], 4)}")
