"""W6's skorch search trains the equivalent of scikit-learn's ``MLPClassifier``.

Same initial weights, same first epoch (batches, penalty, Adam) to float32
rounding, and scikit-learn's stopping rule (benchmarks/grid_search.py).
"""

import importlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

pytest.importorskip("torch")
History = pytest.importorskip("skorch").History

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def grid_search():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("grid_search")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _skorch_net(grid_search, epochs, X, y):
    net = grid_search.skorch_classifier(epochs).named_steps["mlp"]
    return net.fit(X.astype(np.float32), y.astype(np.int64))


def _torch_params(net):
    layers = net.linear_layers()
    return ([layer.weight.detach().numpy().T for layer in layers]
            + [layer.bias.detach().numpy() for layer in layers])


def test_initial_weights_are_mlpclassifiers(grid_search, digits):
    X, y = digits
    # one SGD epoch with a step that underflows: scikit-learn's coefs_ stay the initial ones
    frozen = MLPClassifier((64,), solver="sgd", learning_rate_init=1e-300, momentum=0.0,
                           max_iter=1, random_state=0).fit(X, y)
    net = grid_search.skorch_classifier(1).named_steps["mlp"].initialize()
    for ours, theirs in zip(_torch_params(net), frozen.coefs_ + frozen.intercepts_):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-8)


def test_first_epochs_match_mlpclassifier(grid_search, digits):
    X, y = digits
    theirs = MLPClassifier((64,), max_iter=3, random_state=0).fit(X, y)
    net = _skorch_net(grid_search, 3, X, y)
    np.testing.assert_allclose(net.history[:, "train_loss"], theirs.loss_curve_, rtol=1e-5)
    # weights on constant (all-zero) pixels see only the penalty's tiny gradient,
    # where the two Adams' epsilons differ: compare the weights the data reaches
    live = X.std(axis=0) > 0
    ours = _torch_params(net)
    np.testing.assert_allclose(ours[0][live], theirs.coefs_[0][live], atol=1e-3)
    for a, b in zip(ours[1:], theirs.coefs_[1:] + theirs.intercepts_):
        np.testing.assert_allclose(a, b, atol=1e-3)


def _stopping_epoch(callback, losses):
    net = SimpleNamespace(history=History())
    callback.on_train_begin(net)
    for epoch, loss in enumerate(losses, 1):
        net.history.new_epoch()
        net.history.record("train_loss", loss)
        try:
            callback.on_epoch_end(net)
        except KeyboardInterrupt:  # skorch's signal to end training
            return epoch
    return None


def test_stopping_follows_sklearns_rule(grid_search):
    # each epoch improves by less than tol: the best loss still follows it (so 0.85
    # is no improvement on 0.9), and the stop comes after n_iter_no_change + 1 misses
    losses = [1.0, 0.95, 0.9, 0.85, 0.8, 0.75]
    stop = grid_search.SklearnStopping(tol=0.1, n_iter_no_change=2)
    assert _stopping_epoch(stop, losses) == 4
    assert _stopping_epoch(stop, [1.0, 0.8, 0.6, 0.4, 0.2]) is None
