"""scikit-learn's random streams: the same ``random_state`` gives the same MLP.

``MLPClassifier`` and ``MLPRegressor`` draw everything from one
``RandomState`` per call to ``fit``/``partial_fit``: first the weights and
biases, layer by layer (Glorot-uniform, biases too), then the early-stopping
split, then one shuffle of the sample order per epoch, each shuffling the
previous order. ``MLPFromScratch`` draws the same numbers in the same order,
so with the same data, parameters and ``random_state`` it starts from the same
weights, sees the same batches and ends at the same model (to rounding).
"""

import copy

import numpy as np
from sklearn.utils import check_random_state

from ..layers import Dense
from ..layers.base import leaf_layers
from ._inputs import generator


def fit_random_state(random_state):
    """The ``RandomState`` of one fit call, as scikit-learn's MLP makes it.

    An int seeds a new one at every call (so every ``partial_fit`` starts
    the same stream, as in scikit-learn); an instance is used, and advanced,
    as is; None is NumPy's global RandomState, used and advanced as
    scikit-learn uses it (``np.random.seed`` then makes the fit reproducible).
    """
    return check_random_state(random_state)


def side_generator(random_state):
    """A Generator for the draws scikit-learn's MLP has no counterpart of (dropout masks).

    It never advances the fit's ``RandomState``: a RandomState instance (or
    NumPy's global one, for None) is copied before the seed is drawn, so the
    weights and shuffles stay those scikit-learn would draw.
    """
    if random_state is None or isinstance(random_state, np.random.RandomState):
        random_state = copy.deepcopy(check_random_state(random_state))
    return generator(random_state)


def initialize_like_sklearn(network, random_state, activation):
    """Draw every Dense layer's weights and biases as ``MLPClassifier._init_coef`` does.

    Uniform in ``[-b, b]`` with ``b = sqrt(6 / (fan_in + fan_out))``
    (``sqrt(2 / ...)`` for the logistic activation), weights then biases, one
    layer after the other, in float64 and then cast to the network's dtype.
    """
    factor = 2.0 if activation == "logistic" else 6.0
    for layer in leaf_layers(network):
        if isinstance(layer, Dense):
            W, b = layer.params["W"], layer.params["b"]
            bound = np.sqrt(factor / (W.shape[0] + W.shape[1]))
            W[...] = random_state.uniform(-bound, bound, W.shape)
            b[...] = random_state.uniform(-bound, bound, b.shape)


class EpochOrder:
    """Each epoch's sample order, as scikit-learn's MLP shuffles it.

    Every epoch shuffles the previous epoch's order with the fit's
    ``RandomState``: the permutation ``sklearn.utils.shuffle`` draws (a
    ``RandomState.shuffle`` of ``arange(n)``) applied to the running order,
    without that function's argument validation (which cost more than a
    small epoch's training).

    Parameters
    ----------
    random_state : numpy.random.RandomState
        The fit call's stream, advanced by each epoch.
    """

    def __init__(self, random_state):
        self.random_state = random_state
        self.order = None

    def __call__(self, n_samples):
        """Return the order of the next epoch over ``n_samples`` samples."""
        if self.order is None or len(self.order) != n_samples:
            self.order = np.arange(n_samples)
        permutation = np.arange(n_samples)
        self.random_state.shuffle(permutation)
        self.order = self.order[permutation]
        return self.order
