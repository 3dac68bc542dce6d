"""W6: the headline use, a learning-rate grid search with cross-validation.

``GridSearchCV`` over 5 learning rates x 5 folds of ``StandardScaler`` + an MLP
with one hidden layer of 64 units on digits, at most 200 epochs, ``n_jobs=2``,
for skscratch, scikit-learn's ``MLPClassifier`` and skorch's
``NeuralNetClassifier`` (optional: ``pip install skorch`` beside PyTorch).
The search's wall time includes everything a user waits for: worker start-up,
cloning, fitting, scoring.

skscratch and scikit-learn run with the same defaults and ``random_state=0``;
skorch trains the equivalent model, written with skorch's own extension points
(a ``NeuralNetClassifier`` subclass, a sampler and a callback), so the three
searches should select the same rate with mean scores within rounding noise:

- the module: 64 -> 64 ReLU -> 10 logits, cross-entropy (softmax) loss;
- the initial weights and biases: ``MLPClassifier``'s Glorot-uniform draws
  from ``RandomState(random_state)``, one fresh stream per ``fit``;
- the batches: 200 rows (the last one smaller) in the order scikit-learn's
  MLP shuffles them, each epoch shuffling the previous one with that stream;
- the loss: mean cross-entropy plus ``0.5 * alpha * sum(||W||^2) / batch rows``
  with ``alpha=1e-4`` (weights only), so the gradient gains ``alpha * W / rows``;
- the optimizer: ``torch.optim.Adam`` with scikit-learn's betas, epsilon and no
  weight decay. torch adds epsilon to the bias-corrected ``sqrt(v_hat)``,
  scikit-learn to ``sqrt(v)``, in effect epsilon / ``sqrt(1 - beta_2^t)``
  (3e-7 at the first step): far below the data's gradients. Only the weights
  of pixels constant in the training folds, which see just the penalty's
  gradient, move differently; they reach a prediction only where a test row
  has that pixel set (a handful of rows in two folds), so torch's own Adam is
  kept;
- the stopping rule: scikit-learn's, on the epoch's row-weighted training loss
  (penalty included), stopping once it has not fallen below the best loss so
  far minus ``tol=1e-4`` for more than ``n_iter_no_change=10`` epochs. skorch's
  ``EarlyStopping`` differs in detail (it moves its threshold only on an
  improvement by ``tol`` and stops after ``patience`` misses), hence a callback;
- float32, skorch's natural precision: against scikit-learn's float64 the
  training losses agree to 1e-5 and the searches' mean scores to about 1e-3,
  well within the 0.01 asked for, so float64 would only slow skorch down.

Run on its own (``python benchmarks/grid_search.py``) or through ``run.py``.
"""

import time
import warnings

import numpy as np
import peers
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils import check_random_state, shuffle

from skscratch import MLPFromScratch

try:
    import skorch
except ImportError:  # skorch is optional: pip install skorch
    skorch = None

RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]

if skorch is not None:  # skorch needs PyTorch: both are importable here
    torch = peers.torch

    class MLP(torch.nn.Module):
        """``MLPClassifier``'s network for digits: 64 -> 64 ReLU -> 10 logits."""

        def __init__(self, n_features=64, n_hidden=64, n_classes=10):
            super().__init__()
            self.hidden = torch.nn.Linear(n_features, n_hidden)
            self.out = torch.nn.Linear(n_hidden, n_classes)

        def forward(self, X):
            """Return the logits (the softmax is in the cross-entropy loss)."""
            return self.out(torch.relu(self.hidden(X)))

    class SklearnOrder(torch.utils.data.Sampler):
        """A sampler walking each epoch in the order ``MLPClassifier`` shuffles it.

        ``MLPClassifier`` shuffles its rows once per epoch with
        ``sklearn.utils.shuffle`` and the fit's ``RandomState``, each epoch
        shuffling the previous epoch's order; this sampler keeps that running
        order and shuffles it the same way.

        Parameters
        ----------
        random_state : numpy.random.RandomState
            The fit's stream, already advanced past the initial weights.
        n_samples : int
            The number of training rows.
        """

        def __init__(self, random_state, n_samples):
            self.random_state, self.n_samples = random_state, n_samples
            self.order = np.arange(n_samples)

        def __iter__(self):
            self.order = shuffle(self.order, random_state=self.random_state)
            return iter(self.order.tolist())

        def __len__(self):
            return self.n_samples

    class SklearnStopping(skorch.callbacks.Callback):
        """``MLPClassifier``'s stopping rule on the epoch's training loss.

        An epoch counts as no improvement when its loss exceeds the best loss
        so far minus ``tol``; the best loss follows every decrease, however
        small. Training stops when more than ``n_iter_no_change`` epochs in a
        row were no improvement.

        Parameters
        ----------
        tol : float, default=1e-4
            The improvement an epoch must make on the best loss.
        n_iter_no_change : int, default=10
            The number of epochs without improvement tolerated.
        """

        def __init__(self, tol=1e-4, n_iter_no_change=10):
            self.tol, self.n_iter_no_change = tol, n_iter_no_change

        def on_train_begin(self, net, **kwargs):
            """Start with no best loss and no epoch without improvement."""
            self.best_loss_, self.no_improvement_count_ = np.inf, 0

        def on_epoch_end(self, net, **kwargs):
            """Count the epoch and stop training as ``MLPClassifier`` would."""
            loss = net.history[-1, "train_loss"]
            improved = loss <= self.best_loss_ - self.tol
            self.no_improvement_count_ = 0 if improved else self.no_improvement_count_ + 1
            self.best_loss_ = min(self.best_loss_, loss)
            if self.no_improvement_count_ > self.n_iter_no_change:
                raise KeyboardInterrupt  # skorch's way to end training, as EarlyStopping's

    class LikeMLPClassifier(skorch.NeuralNetClassifier):
        """``NeuralNetClassifier`` initialised, batched and penalised as ``MLPClassifier``.

        Parameters
        ----------
        *args, **kwargs
            ``NeuralNetClassifier``'s parameters.
        alpha : float, default=1e-4
            The L2 penalty on the weights (not the biases), per batch row.
        random_state : int, RandomState or None, default=0
            The stream of the initial weights and of every epoch's batch order.
        """

        def __init__(self, *args, alpha=1e-4, random_state=0, **kwargs):
            super().__init__(*args, **kwargs)
            self.alpha, self.random_state = alpha, random_state

        def linear_layers(self):
            """The module's ``Linear`` layers, input to output."""
            return [m for m in self.module_.modules() if isinstance(m, torch.nn.Linear)]

        def initialize_module(self):
            """Build the module and draw its weights as ``MLPClassifier._init_coef``."""
            super().initialize_module()
            # an int seeds a new stream per fit, as MLPClassifier's fit does
            random_state = check_random_state(self.random_state)
            with torch.no_grad():
                for layer in self.linear_layers():
                    fan_out, fan_in = layer.weight.shape
                    bound = np.sqrt(6.0 / (fan_in + fan_out))
                    coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
                    layer.weight.copy_(torch.from_numpy(coef.T))
                    layer.bias.copy_(torch.from_numpy(random_state.uniform(-bound, bound,
                                                                           fan_out)))
            self.random_state_, self.order_ = random_state, None
            return self

        def get_iterator(self, dataset, training=False):
            """Training batches in ``MLPClassifier``'s order; others as skorch's."""
            if not training:
                return super().get_iterator(dataset, training=False)
            if self.order_ is None:  # one running order per fit, shuffled every epoch
                self.order_ = SklearnOrder(self.random_state_, len(dataset))
            kwargs = {"batch_size": self.batch_size, **self.get_params_for("iterator_train"),
                      "sampler": self.order_}
            return self.iterator_train(dataset, **kwargs)

        def get_loss(self, y_pred, y_true, X=None, training=False):
            """The cross-entropy plus ``MLPClassifier``'s L2 penalty."""
            loss = super().get_loss(y_pred, y_true, X=X, training=training)
            squares = sum((layer.weight ** 2).sum() for layer in self.linear_layers())
            return loss + 0.5 * self.alpha * squares / len(y_true)


def skorch_classifier(epochs, random_state=0):
    """skorch's pipeline training the equivalent of ``MLPClassifier``, or None without skorch.

    Parameters
    ----------
    epochs : int
        The most epochs one fit runs.
    random_state : int, default=0
        The seed of the initial weights and of the batch order.

    Returns
    -------
    sklearn.pipeline.Pipeline or None
        ``StandardScaler``, a cast to float32 and ``LikeMLPClassifier``; None
        when skorch is not installed.
    """
    if skorch is None:
        return None
    net = LikeMLPClassifier(
        MLP, criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam,
        optimizer__betas=(0.9, 0.999), optimizer__eps=1e-8, lr=1e-3, max_epochs=epochs,
        batch_size=200, train_split=None, callbacks=[SklearnStopping()], verbose=0,
        alpha=1e-4, random_state=random_state)
    return Pipeline([("scale", StandardScaler()), ("to32", FunctionTransformer(np.float32)),
                     ("mlp", net)])


def searches(epochs):
    """The three pipelines, each with the parameter grid of its learning rate."""
    common = dict(hidden_layer_sizes=(64,), max_iter=epochs, random_state=0)
    found = {"skscratch": Pipeline([("scale", StandardScaler()),
                                    ("mlp", MLPFromScratch(**common))]),
             "scikit-learn": Pipeline([("scale", StandardScaler()),
                                       ("mlp", MLPClassifier(**common))])}
    if (pipe := skorch_classifier(epochs)) is not None:
        found["skorch"] = pipe
    grid = {"skorch": "mlp__lr"}
    return {name: (pipe, {grid.get(name, "mlp__learning_rate_init"): RATES})
            for name, pipe in found.items()}


def _data(name):
    X, y = load_digits(return_X_y=True)
    return X, (y.astype(np.int64) if name == "skorch" else y)  # torch wants int64 labels


def warm_up(pipe, grid, X, y):
    """A one-epoch search, so every worker has imported and run the library once.

    A user's session pays the imports once, not per search; without this the
    first library measured would pay them for all.
    """
    params = pipe.get_params()
    epochs = "mlp__max_epochs" if "mlp__max_epochs" in params else "mlp__max_iter"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        GridSearchCV(clone(pipe).set_params(**{epochs: 1}),
                     {name: values[:2] for name, values in grid.items()}, cv=2,
                     n_jobs=2).fit(X, y)


def w6_grid_search(repeats, quick=False):
    """Wall time (median of ``repeats``), selected rate and mean scores of each library's search.

    The libraries take turns, repeat by repeat, so a noisy spell of the
    machine falls on all of them rather than on one.
    """
    epochs = 40 if quick else 200
    # start the worker processes first: a user's session pays that once, not per search
    GridSearchCV(DummyClassifier(), {"strategy": ["prior", "uniform"]}, cv=2,
                 n_jobs=2).fit(*load_digits(return_X_y=True))
    found = searches(epochs)
    for name, (pipe, grid) in found.items():
        warm_up(pipe, grid, *_data(name))
    seconds, fitted = {name: [] for name in found}, {}
    for _ in range(repeats):
        for name, (pipe, grid) in found.items():
            X, y = _data(name)
            search = GridSearchCV(pipe, grid, cv=StratifiedKFold(5), n_jobs=2)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                search.fit(X, y)
            seconds[name].append(time.perf_counter() - start)
            fitted[name] = search
    return {name: {"search_seconds": float(np.median(seconds[name])),
                   "best_rate": float(next(iter(search.best_params_.values()))),
                   "best_score": float(search.best_score_),
                   "mean_scores": search.cv_results_["mean_test_score"].tolist()}
            for name, search in fitted.items()}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    for name, row in w6_grid_search(args.repeats, args.quick).items():
        print(f"{name:13s} {row['search_seconds']:7.2f} s  best lr {row['best_rate']:g}  "
              f"best {row['best_score']:.4f}  means {np.round(row['mean_scores'], 4)}")
