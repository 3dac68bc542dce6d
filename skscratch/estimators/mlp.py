"""MLPFromScratch: a multi-layer perceptron for classification or regression.

Also :class:`MLPClassifier` and :class:`MLPRegressor`: the same estimator with
its task fixed, named and called as scikit-learn's, for drop-in use.
"""

from numbers import Integral

import numpy as np

from ..layers import Dense, Dropout
from ..layers.base import check_positive_int
from ..registry import ESTIMATORS
from ._base import BaseNeuralEstimator, canonical, sizes
from ._data import REGRESSION_LOSSES
from ._sklearn_private import Interval, StrOptions


@ESTIMATORS.register("MLPFromScratch")
class MLPFromScratch(BaseNeuralEstimator):
    """Multi-layer perceptron built from the skscratch layer engine.

    One class serves both tasks: ``task="classification"`` (the default)
    makes it a scikit-learn classifier, ``task="regression"`` a regressor, so
    ``is_classifier``, stratified cross-validation and default scoring follow.
    Parameter names are those of scikit-learn's ``MLPClassifier`` and
    ``MLPRegressor``, so the same grids work.

    The network is ``Dense(h, activation)`` (+ ``Dropout``) for each hidden
    size ``h``, then a ``Dense`` output layer producing logits (classification)
    or values (regression). The starting weights, the early-stopping split
    and the epoch shuffles are drawn exactly as scikit-learn draws them, so
    the same ``random_state`` trains the same model as ``MLPClassifier`` or
    ``MLPRegressor`` (to rounding). Classification trains softmax or sigmoid
    cross-entropy fused with the output; regression a ``loss`` of choice.

    Parameters
    ----------
    hidden_layer_sizes : int or array-like of int, default=(100,)
        Units of each hidden layer (an int: one hidden layer).
    activation : {"relu", "tanh", "logistic", "identity", "leaky_relu", "elu"}, default="relu"
        Hidden-layer activation.
    task : {"classification", "regression"}, default="classification"
    loss : {"auto", "log_loss", "squared_error", "absolute_error", "huber", "poisson"}, \
default="auto"
        "auto" is log-loss for classification and squared error for
        regression: half the mean of squared residuals, as ``MLPRegressor``
        (so ``loss_``, ``alpha`` and ``tol`` mean what they mean there).
        "poisson" is ``MLPRegressor``'s: half the Poisson deviance of
        ``exp(output)``, for non-negative counts or rates.
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        "adam" and "sgd" take scikit-learn's mini-batch steps; "lbfgs"
        minimises the loss of the whole training set with SciPy's L-BFGS-B,
        as scikit-learn does (often the better choice for small data). Under
        "lbfgs" an iteration is one L-BFGS iteration, the mini-batch
        parameters play no part, callbacks hear ``on_epoch_end`` once per
        iteration, and ``partial_fit`` is not offered.
    alpha : float, default=1e-4
        L2 penalty on the weights (not the biases), scaled as scikit-learn does:
        ``alpha / 2 * ||W||**2 / batch_weight``.
    batch_size : int or "auto", default="auto"
        Samples per mini-batch; "auto" is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive", "one_cycle", "cosine"}, \
default="constant"
        "constant", "invscaling" and "adaptive" are scikit-learn's schedules
        of the "sgd" solver (other solvers ignore them, as in scikit-learn).
        "one_cycle" (:class:`~skscratch.callbacks.OneCycle`) and "cosine"
        (:class:`~skscratch.callbacks.CosineDecay`, 5% warm-up) set the rate
        before every gradient step, for "adam" and "sgd", over the
        ``max_iter`` epochs of the fit and peaking at ``learning_rate_init``;
        "one_cycle" also cycles the momentum of "sgd" between ``momentum``
        and 0.85/0.95 of it. "lbfgs" takes no steps of a given rate and
        ignores them, as it ignores scikit-learn's. A fit that stops early
        (``tol``, ``early_stopping``) cuts the schedule short;
        ``partial_fit`` refuses both.
    learning_rate_init : float, default=1e-3
    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.
    max_iter : int, default=200
        Maximum number of epochs.
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
    tol : float, default=1e-4
    verbose : bool or int, default=False
        1 (or True) prints one line per epoch (loss, validation score, time);
        2 also redraws a progress line within epochs longer than a second.
    warm_start : bool, default=False
        Continue from the previous fit's weights.
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its score stops
        improving, and restore the weights of the best epoch.
    validation_fraction : float, default=0.1
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-8
    n_iter_no_change : int, default=10
    max_fun : int, default=15000
        Most loss evaluations of ``solver="lbfgs"`` (SciPy's ``maxfun``).
    dropout : float, default=0.0
        Dropout rate after each hidden layer (0 adds no dropout layer).
    callbacks : list of Callback or callable, default=None
        :mod:`skscratch.callbacks` objects (``EarlyStopping``,
        ``ModelCheckpoint``, ``CSVLogger``, ``TensorBoard``,
        ``LearningRateScheduler``, ``ReduceLROnPlateau``, ``ProgressBar``, or
        your own ``Callback``), notified around epochs and batches with the
        fitted attributes up to date; or plain functions
        ``callback(estimator, record) -> bool`` called after each epoch
        (``record`` is the epoch's entry of ``history_``). Any returning True
        stops training. They reset at the start of each fit, and ``clone``
        copies them, so grid searches and cross-validation work; use
        module-level functions or picklable objects.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (classification only).
    network_ : Network
        The trained network; ``network_.summary()`` describes it.
    coefs_, intercepts_ : list of ndarray
        Weight matrices and bias vectors of the dense layers (the network's
        own arrays, not copies).
    loss_ : float
        Training loss of the last epoch.
    best_loss_ : float or None
        Lowest training loss (None with early stopping).
    loss_curve_ : list of float
        Training loss of each epoch.
    validation_scores_ : list of float or None
        Validation score of each epoch (early stopping only).
    best_validation_score_ : float or None
    history_ : list of dict
        Per-epoch records: epoch, loss, validation_score, learning_rate, seconds.
    n_iter_ : int
        Epochs run.
    t_ : int
        Training samples seen.
    n_layers_ : int
        Layers counting input and output, as in scikit-learn.
    n_outputs_ : int
    out_activation_ : str
        "softmax", "logistic", "identity", or "exp" (``loss="poisson"``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when ``X`` has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skscratch import MLPFromScratch
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(),
    ...                       MLPFromScratch(max_iter=300, random_state=0))
    >>> model.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    }
    _sparse_formats = ("csr", "csc")
    _sklearn_random_streams = True

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *,
                 task="classification", loss="auto", solver="adam", alpha=1e-4,
                 batch_size="auto", learning_rate="constant", learning_rate_init=1e-3,
                 power_t=0.5, max_iter=200, shuffle=True, random_state=None, tol=1e-4,
                 verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, max_fun=15000, dropout=0.0,
                 callbacks=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.task = task
        self.loss = loss
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.callbacks = callbacks
        self.dropout = dropout

    def _architecture(self):
        return {"hidden_layer_sizes": sizes(self.hidden_layer_sizes),
                "activation": self.activation, "dropout": canonical(self.dropout)}

    def _make_layers(self, input_shape, n_outputs):
        if len(input_shape) != 1:
            raise ValueError(f"MLPFromScratch expects 2-D X; got samples of shape {input_shape}.")
        layers = []
        for units in _hidden_sizes(self.hidden_layer_sizes):
            # Glorot for every activation, as scikit-learn's MLP: on these shallow
            # networks He's larger start measured equal or worse (digits, breast
            # cancer, diabetes) and much slower on small regressions.
            layers.append(Dense(units, self.activation, kernel_initializer="glorot_uniform"))
            if self.dropout > 0:
                layers.append(Dropout(self.dropout))
        layers.append(Dense(n_outputs, kernel_initializer="glorot_uniform"))
        return layers


@ESTIMATORS.register("MLPClassifier")
class MLPClassifier(MLPFromScratch):
    """:class:`MLPFromScratch` for classification, named and called as scikit-learn's.

    A drop-in for :class:`sklearn.neural_network.MLPClassifier`: the same
    parameters, defaults and positional order, so ``from skscratch import
    MLPClassifier`` converts a script, and pipeline step names
    (``mlpclassifier``) and grids (``mlpclassifier__alpha``) carry over. The
    estimator is ``MLPFromScratch(task="classification")``: the same random
    streams (the same ``random_state`` trains the same model as scikit-learn's),
    solvers ("adam", "sgd", "lbfgs"), fitted attributes and methods; see
    ``docs/parity.md`` for what differs.

    Parameters
    ----------
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, \
learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, \
momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, \
n_iter_no_change, max_fun
        As in scikit-learn's ``MLPClassifier`` (and :class:`MLPFromScratch`).
    dropout : float, default=0.0
        Dropout rate after each hidden layer (skscratch's extra).
    callbacks : list of Callback or callable, default=None
        :mod:`skscratch.callbacks` notified around epochs (skscratch's extra).

    Attributes
    ----------
    classes_, network_, coefs_, intercepts_, loss_, best_loss_, loss_curve_, \
validation_scores_, best_validation_score_, history_, n_iter_, t_, n_layers_, n_outputs_, \
out_activation_, n_features_in_, feature_names_in_
        As in :class:`MLPFromScratch`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skscratch import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(),
    ...                       MLPClassifier(solver="lbfgs", random_state=0)).fit(X, y)
    >>> list(model.named_steps), model.score(X, y) > 0.95
    (['standardscaler', 'mlpclassifier'], True)
    """

    task = "classification"     # fixed: no parameter of this class
    loss = "auto"               # log-loss, as scikit-learn's MLPClassifier

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=1e-4, batch_size="auto", learning_rate="constant",
                 learning_rate_init=1e-3, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10,
                 max_fun=15000, dropout=0.0, callbacks=None):
        # every argument stored as given, under its own name (scikit-learn's contract)
        vars(self).update({k: v for k, v in locals().items() if k != "self"})


@ESTIMATORS.register("MLPRegressor")
class MLPRegressor(MLPFromScratch):
    """:class:`MLPFromScratch` for regression, named and called as scikit-learn's.

    A drop-in for :class:`sklearn.neural_network.MLPRegressor`: the same
    parameters, defaults and positional order (``loss`` first), so pipeline
    step names (``mlpregressor``) and grids carry over. The estimator is
    ``MLPFromScratch(task="regression")``; see ``docs/parity.md`` for what
    differs.

    Parameters
    ----------
    loss : {"squared_error", "poisson", "absolute_error", "huber"}, default="squared_error"
        "squared_error" (half the mean squared error) and "poisson" (half the
        Poisson deviance, log link) are scikit-learn's; "absolute_error" and
        "huber" skscratch's extras.
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, \
learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, \
momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, \
n_iter_no_change, max_fun
        As in scikit-learn's ``MLPRegressor`` (and :class:`MLPFromScratch`).
    dropout : float, default=0.0
        Dropout rate after each hidden layer (skscratch's extra).
    callbacks : list of Callback or callable, default=None
        :mod:`skscratch.callbacks` notified around epochs (skscratch's extra).

    Attributes
    ----------
    network_, coefs_, intercepts_, loss_, best_loss_, loss_curve_, validation_scores_, \
best_validation_score_, history_, n_iter_, t_, n_layers_, n_outputs_, out_activation_, \
n_features_in_, feature_names_in_
        As in :class:`MLPFromScratch`.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skscratch import MLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = MLPRegressor("poisson", (16,), solver="lbfgs", max_iter=500,
    ...                    random_state=0).fit(X * 10, y)
    >>> reg.out_activation_, reg.score(X * 10, y) > 0.5
    ('exp', True)
    """

    task = "regression"         # fixed: no parameter of this class
    _parameter_constraints = {**MLPFromScratch._parameter_constraints,
                              "loss": [StrOptions(set(REGRESSION_LOSSES))]}

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=1e-4, batch_size="auto", learning_rate="constant",
                 learning_rate_init=1e-3, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10,
                 max_fun=15000, dropout=0.0, callbacks=None):
        # every argument stored as given, under its own name (scikit-learn's contract)
        vars(self).update({k: v for k, v in locals().items() if k != "self"})


def _hidden_sizes(sizes, name="hidden_layer_sizes"):
    """Validate a sequence of layer sizes into a list of positive ints."""
    given = sizes
    sizes = np.atleast_1d(np.asarray(sizes, dtype=object))
    try:
        checked = [check_positive_int(s, name) for s in sizes] if sizes.ndim == 1 else None
    except ValueError:
        checked = None
    if checked is None:
        raise ValueError(f"{name} must be positive integers; got {given!r}.")
    return checked
