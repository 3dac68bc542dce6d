"""NetworkEstimator: any skscratch network or model as a scikit-learn estimator.

How it feeds a model's inputs from X, and back to rows: X is one 2-D array
(all of it one input, or split by columns with ``inputs=``), a tuple or a
dict (by input name) of arrays, or images. For scikit-learn's validation it
goes through as rows (:func:`flat_rows`); the columns of each input are
recorded at the first fit (:func:`input_columns`) and the rows split into the
network's inputs again (:func:`split_columns`).
"""

import copy
import inspect

import numpy as np
from scipy.sparse import issparse

from ..configs import layer_config, layer_from_config
from ..container import Container
from ..layers import Dense, Flatten, Layer
from ..layers.base import leaf_layers
from ..network import Network
from ..registry import ESTIMATORS
from ._base import TRAINING_CONSTRAINTS, BaseNeuralEstimator, canonical


def input_names(model):
    """The names of the model's inputs, when the model is given as a Model (else None)."""
    inputs = getattr(model, "inputs", None)
    return None if inputs is None else [t.name for t in inputs]


def by_input_name(mapping, what, model):
    """The values of a dict keyed by the model's input names, in the inputs' order.

    Parameters
    ----------
    mapping : dict
    what : str
        What the dict is (``"X"``, ``"inputs"``), for error messages.
    model : Model, Network, callable or None
        The estimator's ``model``; only a Model names its inputs.
    """
    names = input_names(model)
    if names is None:
        raise ValueError(f"{what} as a dict needs model= a Model, whose inputs have names; "
                         "with a build function give them in the inputs' order.")
    if set(mapping) != set(names):
        raise ValueError(f"{what} is a dict with keys {sorted(map(str, mapping))}; the "
                         f"model's inputs are named {names}.")
    return [mapping[n] for n in names]


def flat_rows(X, inputs, model):
    """Rows for validation: a tuple/dict (or images) is flattened, its shapes kept.

    Parameters
    ----------
    X : array-like, sparse matrix, tuple or dict of array-like
    inputs : list or dict or None
        The estimator's ``inputs`` (a column layout of a 2-D X).
    model : Model, Network, callable or None

    Returns
    -------
    rows : array-like or sparse matrix
    shapes : list of tuple or None
        Each block's sample shape; None when X was already rows.
    """
    if isinstance(X, dict) and not issparse(X):       # (a DOK matrix is a dict too)
        X = tuple(by_input_name(X, "X", model))
    if not isinstance(X, tuple):
        if getattr(X, "ndim", 2) <= 2:
            return X, None
        X = (X,)                          # images: one input of several axes
    if inputs is not None:
        raise ValueError("Pass X as one 2-D array when inputs= gives the column layout, "
                         "or as a tuple of arrays without it; not both.")
    if any(issparse(a) for a in X):
        raise ValueError("Sparse inputs come as one sparse X with inputs= giving each "
                         "model input's columns, not as a tuple of matrices.")
    blocks = [np.asarray(a) for a in X]
    if len({len(b) for b in blocks}) > 1:
        raise ValueError(f"The arrays of X have different numbers of samples: "
                         f"{[len(b) for b in blocks]}.")
    rows = [b.reshape(len(b), int(np.prod(b.shape[1:]))) for b in blocks]   # 0 rows too
    return np.hstack(rows), [b.shape[1:] for b in blocks]


def input_columns(n_features, shapes, inputs, model):
    """Each input's column indices, from ``inputs`` or the tuple's blocks (None: all, as rows).

    Parameters
    ----------
    n_features : int
    shapes : list of tuple or None
        The blocks' sample shapes (:func:`flat_rows`).
    inputs : list or dict or None
        The estimator's ``inputs``.
    model : Model, Network, callable or None
    """
    if shapes is not None:
        edges = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
        return [np.arange(a, b) for a, b in zip(edges[:-1], edges[1:])]
    if inputs is None:
        return None
    layout = inputs
    if isinstance(layout, dict):
        layout = by_input_name(layout, "inputs", model)
    everything = range(n_features)
    columns = [np.asarray(list(everything[c]) if isinstance(c, slice) else
                          list(c) if isinstance(c, range) else c) for c in layout]
    for c in columns:
        if c.ndim != 1 or c.dtype.kind not in "iu" or not c.size or (
                c.min() < 0 or c.max() >= n_features):
            raise ValueError(f"inputs must list column indices 0 to {n_features - 1} for "
                             f"each model input; got {inputs!r}.")
    return columns


def split_columns(X, columns, shapes):
    """The network input: X itself, or one array per model input taken from its columns.

    Parameters
    ----------
    X : ndarray or sparse matrix
        Validated rows.
    columns : list of ndarray or None
        :func:`input_columns`.
    shapes : list of tuple or None
        Each input's sample shape (a column layout's parts stay 2-D).
    """
    if columns is None:
        return X
    if shapes is None:                        # column layout: 2-D parts (sparse too)
        parts = tuple(X[:, c] for c in columns)
    else:
        parts = tuple(X[:, c].reshape(X.shape[0], *shape)
                      for c, shape in zip(columns, shapes))
    return parts if len(parts) > 1 else parts[0]


PREFIX = "model__"
# Keras's fit arguments NetworkEstimator.fit takes (see FitOptions)
FIT_OPTIONS = ("epochs", "batch_size", "verbose", "validation_data", "callbacks")


def default_model(input_shape, n_outputs, hidden_units=16, activation="relu"):
    """The model used when none is given: one hidden ``Dense`` layer, then the outputs.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample.
    n_outputs : int
        Width of the output layer.
    hidden_units : int, default=16
    activation : str, default="relu"

    Returns
    -------
    network : Network
    """
    if isinstance(input_shape, list):
        raise ValueError("The default model takes one input; pass model= for several.")
    layers = [Flatten()] if len(input_shape) > 1 else []
    return Network(layers + [Dense(hidden_units, activation, kernel_initializer="auto"),
                             Dense(n_outputs, kernel_initializer="auto")])


@ESTIMATORS.register("NetworkEstimator")
class NetworkEstimator(BaseNeuralEstimator):
    """Any skscratch network or model, trained and used as a scikit-learn estimator.

    What skorch's ``module=`` and scikeras's ``model=`` are to PyTorch and
    Keras: bring a network, get ``fit``/``predict``/``score``, pipelines,
    cross-validation and grid searches, including over the architecture.
    Training, tasks, targets, callbacks, early stopping, ``partial_fit``,
    ``warm_start``, sample weights, persistence and the fitted attributes
    are those of :class:`MLPFromScratch` (the same code path: both build
    their network through the same hook).

    Parameters
    ----------
    model : callable, Network, Model or None, default=None
        A build function returning a new, unbuilt :class:`~skscratch.Network`
        or :class:`~skscratch.Model` whose output has ``n_outputs`` values:
        ``build(input_shape, n_outputs, **params)`` (its first two parameters
        without defaults), or, as scikeras's and Keras's build functions are
        written, ``build(**params)`` with every parameter defaulted, given
        ``input_shape`` and ``n_outputs`` only when it names them. It may
        ``compile`` the model: its loss, optimizer and metrics are then used
        (see ``loss``, ``solver``). Each fit trains a copy of what it
        returns, so layers the function keeps (module-level ones) are never
        trained in place; a network holding a layer that is already built
        (trained, or part of another model) is refused with a ValueError.
        Or an unbuilt network or model, copied from its configuration at
        every fit, so clones never share weights.
        None is :func:`default_model`. For classification the output gives
        logits, or the probabilities of a softmax (sigmoid) its
        cross-entropy is fused with.
    inputs : list or dict of column indices (lists, ranges or slices), or None, default=None
        For a model with several inputs fed one 2-D ``X`` (in a ``Pipeline``,
        after a ``ColumnTransformer``): the columns of each input, in the
        model's input order, or by input name (``{"wide": [0, 1, 2, 3, 4],
        "deep": [2, 3, 4, 5, 6, 7]}``; columns may overlap). None: ``X`` is
        one array for a one-input model, or a tuple/dict of arrays, one per
        input.
    **model__params
        Routed to ``model`` when it is a build function:
        ``NetworkEstimator(build, model__units=64)`` calls
        ``build(input_shape, n_outputs, units=64)``. They are parameters of
        the estimator (``get_params``, ``set_params``, grid searches).
    loss : str, default="auto"
        As in :class:`MLPFromScratch`; "auto" is the compiled model's loss
        (Keras's ``"mse"`` is the whole mean squared error) when the model is
        compiled, the task's default otherwise. A loss set here wins.
    solver : str or None, default=None
        None is the optimizer the model was compiled with (a fresh copy per
        fit), Adam when it is not compiled; a solver set here wins.
    learning_rate_init : float or None, default=None
        None is the compiled optimizer's rate (1e-3 without one); a rate set
        here wins, for either optimizer.
    task, alpha, batch_size, learning_rate, power_t, max_iter, shuffle, \
random_state, tol, verbose, warm_start, momentum, nesterovs_momentum, \
early_stopping, validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, \
max_fun, callbacks
        As in :class:`MLPFromScratch`.

    Attributes
    ----------
    input_columns_ : list of ndarray or None
        The columns of the flattened ``X`` that feed each model input (None:
        all of them feed the one input as rows).
    input_shapes_ : list of tuple or None
        The sample shape of each array of a tuple (or image) ``X``.
    classes_, network_, coefs_, intercepts_, loss_, best_loss_, loss_curve_, \
validation_scores_, best_validation_score_, history_, n_iter_, t_, n_layers_, \
n_outputs_, out_activation_, n_features_in_, feature_names_in_
        As in :class:`MLPFromScratch`.
    model_ : Network or Model
        The trained network (:attr:`network_`, under scikeras's name).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skscratch import Network, NetworkEstimator
    >>> from skscratch.layers import Dense
    >>> def build(input_shape, n_outputs, units=8):
    ...     return Network([Dense(units, "tanh"), Dense(n_outputs)])
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(NetworkEstimator(build, max_iter=300, random_state=0),
    ...                       {"model__units": [4, 16]}, cv=3).fit(X, y)
    >>> sorted(search.best_params_)
    ['model__units']
    """

    _parameter_constraints = {
        **{k: v for k, v in TRAINING_CONSTRAINTS.items() if k not in ("activation", "dropout")},
        "model": [callable, Container, None],
        "inputs": [list, tuple, dict, None],
        "solver": TRAINING_CONSTRAINTS["solver"] + [None],
        "learning_rate_init": TRAINING_CONSTRAINTS["learning_rate_init"] + [None],
    }
    _sparse_formats = ("csr", "csc")

    def __init__(self, model=None, *, inputs=None, task="classification", loss="auto",
                 solver=None, alpha=1e-4, batch_size="auto", learning_rate="constant",
                 learning_rate_init=None, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10,
                 max_fun=15000, callbacks=None, **model__params):
        self.model = model
        self.inputs = inputs
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
        for key in model__params:
            if not key.startswith(PREFIX):
                raise TypeError(f"NetworkEstimator got an unexpected keyword argument {key!r}; "
                                f"parameters for the model start with {PREFIX!r}.")
        # kept apart from the declared parameters, and listed by get_params
        self._model_params = dict(model__params)

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Train the network on ``(X, y)``; Keras's ``fit`` arguments may be passed too.

        Parameters
        ----------
        X : array-like, or a tuple/dict of arrays (one per model input)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), optional
        **fit_params
            Keras's ``fit`` arguments, for this fit only, as scikeras passes
            them (``search.fit(X, y, epochs=100, validation_data=(X_val,
            y_val), callbacks=[...])``): ``epochs`` (instead of ``max_iter``),
            ``batch_size``, ``verbose`` (Keras's: 1 a progress bar and a line
            per epoch, 2 the lines alone), ``validation_data`` (``val_loss`` and
            the validation metrics join each epoch's record, for
            ``EarlyStopping`` and ``ModelCheckpoint`` to watch) and
            ``callbacks`` (run after the estimator's own).

        Returns
        -------
        self : NetworkEstimator
        """
        unknown = sorted(set(fit_params) - set(FIT_OPTIONS))
        if unknown:
            raise TypeError(f"fit() got unexpected keyword argument(s) {unknown}; it takes "
                            f"Keras's {list(FIT_OPTIONS)}.")
        return self._fit(X, y, sample_weight, incremental=False, options=fit_params)

    # ------------------------------------------------------ routed parameters
    def _routed(self):
        return dict(self.__dict__.get("_model_params", {}))

    def get_params(self, deep=True):
        """The estimator's parameters, the routed ``model__*`` ones included.

        Parameters
        ----------
        deep : bool, default=True

        Returns
        -------
        params : dict
        """
        return {**super().get_params(deep=deep), **self._routed()}

    def set_params(self, **params):
        """Set parameters; ``model__*`` ones are routed to the build function.

        Parameters
        ----------
        **params : dict

        Returns
        -------
        self : NetworkEstimator
        """
        own = self._get_param_names()
        for key in params:
            # a search over the chapter's unprefixed {"n_hidden": ...}: name the routing
            # before anything is set
            if not key.startswith(PREFIX) and key.partition("__")[0] not in own:
                raise ValueError(f"Invalid parameter {key!r} for {type(self).__name__}: a "
                                 f"parameter of the build function is set as "
                                 f"{PREFIX + key!r}; the estimator's own are {own}.")
        routed = {k: params.pop(k) for k in list(params) if k.startswith(PREFIX)}
        super().set_params(**params)
        self._model_params = {**self._routed(), **routed}
        return self

    # ----------------------------------------------------------- the model
    @property
    def model_(self):
        """The trained network or model: :attr:`network_` under scikeras's name.

        ``model`` is the build function (or template) the estimator was given,
        as in scikeras; ``search.best_estimator_.model_`` is what it trained.
        """
        return self.network_

    def _architecture(self):
        # the build function or network itself (compared by identity), and its parameters
        return {"model": self.model,
                **{k: canonical(v) for k, v in sorted(self._routed().items())}}

    def _build_network(self, input_shape, n_outputs):
        model = self.model if self.model is not None else default_model
        routed = {k[len(PREFIX):]: v for k, v in self._routed().items()}
        if isinstance(model, Container):
            if routed:
                raise ValueError(f"model is a {type(model).__name__}, which takes no "
                                 f"parameters; got {sorted(self._routed())}.")
            network = layer_from_config(layer_config(model))     # a fresh copy per fit
        else:
            if isinstance(model, Layer):
                raise TypeError(f"model must be a build function, a Network or a Model; got the "
                                f"layer {model.describe()}: wrap it in a Network.")
            network = _new_network(model, _call_build(model, routed, input_shape, n_outputs))
        expected = input_shape if network.input_shape is None else network.input_shape
        if expected != input_shape:
            raise ValueError(f"The model takes inputs of shape {network.input_shape}; X gives "
                             f"{input_shape}.")
        output = network.compute_output_shape(input_shape)
        if isinstance(output, list):
            raise ValueError(f"NetworkEstimator takes models with one output; this one has "
                             f"{len(output)} ({output}). Train several outputs with Model.fit, "
                             "or give the estimator a model of the main output only.")
        if output != (n_outputs,):
            raise ValueError(f"The model's output has shape {output}; this target needs "
                             f"({n_outputs},): one value per class (or output).")
        return network

    # ----------------------------------------------------------- the inputs
    def _flatten_input(self, X):
        """Rows for validation: a tuple/dict (or images) is flattened, its shapes kept."""
        return flat_rows(X, self.inputs, self.model)

    def _shape_input(self, X, shapes, reset):
        """The network input: one array, or a tuple with one array per model input."""
        if reset:
            self.input_shapes_ = shapes
            self.input_columns_ = input_columns(X.shape[1], shapes, self.inputs, self.model)
        elif shapes is not None and shapes != self.input_shapes_:
            fitted_on = (self.input_shapes_ if self.input_shapes_ is not None
                         else "one 2-D array" if self.input_columns_ is None
                         else "one 2-D array split by inputs=")
            raise ValueError(f"X holds inputs of shapes {shapes}; the model was fitted on "
                             f"{fitted_on}.")
        return split_columns(X, self.input_columns_, self.input_shapes_)


def _new_network(build, network):
    """What a build function returned, checked unbuilt and copied, for one fit to train.

    A network, or any layer in it, that is already built holds weights a fit
    would train in place (a module-level layer built by an earlier fit, a
    layer of another model): fitting one estimator would change another's
    predictions and cross-validation folds would leak into each other. Such
    networks are refused; an unbuilt one is copied, so that layers the
    function keeps and returns again are never built or trained in place.
    """
    name = getattr(build, "__name__", "model")
    if not isinstance(network, Container):
        raise TypeError(f"model must return a skscratch Network or Model; {name!r} returned "
                        f"{type(network).__name__}.")
    built = network if network.built else next(
        (leaf for leaf in leaf_layers(network) if leaf.built), None)
    if built is not None:
        what = "a network that is" if built is network else f"a network holding " \
            f"{built.describe()}, which is"
        raise ValueError(f"{name}() returned {what} already built (trained, or shared with "
                         "another model or estimator): a fit would train it in place. Make "
                         "new layers at every call of the build function.")
    return copy.deepcopy(network)


def _call_build(build, routed, input_shape, n_outputs):
    """Call a build function in the convention its signature shows.

    ``build(input_shape, n_outputs, **params)`` when its first two parameters
    have no defaults; otherwise (scikeras's, Keras's) ``build(**params)``,
    with ``input_shape`` and ``n_outputs`` given only when it names them.
    ValueError names the build function's parameters for unknown routed ones.
    """
    parameters = inspect.signature(build).parameters
    positional = [p for p in parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    shapes_first = len(positional) >= 2 and all(p.default is p.empty for p in positional[:2])
    accepted = [n for n in parameters if parameters[n].kind not in (
        parameters[n].VAR_KEYWORD, parameters[n].VAR_POSITIONAL)]
    accepted = accepted[2:] if shapes_first else accepted
    if not any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        unknown = sorted(set(routed) - set(accepted))
        if unknown:
            name = getattr(build, "__name__", repr(build))
            raise ValueError(f"{name}() has no parameter(s) {unknown} (given as "
                             f"{[PREFIX + u for u in unknown]}); its parameters are {accepted}.")
    if shapes_first:
        return build(input_shape, n_outputs, **routed)
    given = {"input_shape": input_shape, "n_outputs": n_outputs}
    return build(**{k: v for k, v in given.items() if k in parameters and k not in routed},
                 **routed)


@ESTIMATORS.register("NetworkClassifier")
class NetworkClassifier(NetworkEstimator):
    """:class:`NetworkEstimator` for classification: scikeras's ``KerasClassifier``.

    The same estimator with ``task`` fixed (no ``task`` parameter), so
    pipeline step names (``networkclassifier__*``) and ``is_classifier``
    read as for any scikit-learn classifier, and with Keras's training
    defaults where :class:`NetworkEstimator` has scikit-learn's: batches of
    32 samples and no L2 penalty (``batch_size=32``, ``alpha=0.0``).
    Parameters and attributes are otherwise :class:`NetworkEstimator`'s.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skscratch import Network, NetworkClassifier
    >>> from skscratch.layers import Dense
    >>> def build(n_hidden=8):
    ...     model = Network([Dense(n_hidden, "relu"), Dense(3, "softmax")])
    ...     model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
    ...                   metrics=["accuracy"])
    ...     return model
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(),
    ...                     NetworkClassifier(build, batch_size=16, random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    >>> sorted(clf[-1].history_[-1])
    ['accuracy', 'epoch', 'learning_rate', 'loss', 'seconds', 'validation_score']
    """

    _parameter_constraints = {k: v for k, v in NetworkEstimator._parameter_constraints.items()
                              if k != "task"}

    def __init__(self, model=None, *, inputs=None, loss="auto", solver=None, alpha=0.0,
                 batch_size=32, learning_rate="constant", learning_rate_init=None,
                 power_t=0.5, max_iter=200, shuffle=True, random_state=None, tol=1e-4,
                 verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, callbacks=None, **model__params):
        super().__init__(
            model, inputs=inputs, loss=loss, solver=solver, alpha=alpha, batch_size=batch_size,
            learning_rate=learning_rate, learning_rate_init=learning_rate_init, power_t=power_t,
            max_iter=max_iter, shuffle=shuffle, random_state=random_state, tol=tol,
            verbose=verbose, warm_start=warm_start, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
            validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, callbacks=callbacks,
            **model__params)
        del self.task

    task = "classification"


@ESTIMATORS.register("NetworkRegressor")
class NetworkRegressor(NetworkClassifier):
    """:class:`NetworkEstimator` for regression: scikeras's ``KerasRegressor``.

    The same estimator with ``task="regression"`` fixed (no ``task``
    parameter) and Keras's training defaults, as :class:`NetworkClassifier`;
    Keras's build functions that ``compile(loss="mse")`` train with that
    loss. Parameters and attributes are :class:`NetworkEstimator`'s.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skscratch import Network, NetworkRegressor
    >>> from skscratch.layers import Dense
    >>> from skscratch.optimizers import SGD
    >>> def build_model(n_neurons=30, learning_rate=3e-3):
    ...     model = Network([Dense(n_neurons, "relu"), Dense(1)])
    ...     model.compile(loss="mse", optimizer=SGD(learning_rate=learning_rate))
    ...     return model
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(StandardScaler(), NetworkRegressor(build_model, random_state=0))
    >>> reg.fit(X, y / y.std()).score(X, y / y.std()) > 0.4
    True
    """

    task = "regression"
