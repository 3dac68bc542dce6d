"""What a fit is given, made ready for the network, and what the estimators say about it.

- The inputs: checks and conversions. The network input is one array, or a
  tuple of arrays for a model with several inputs; sparse X stays sparse (as
  CSR rows). Also the sample-weight check and the per-fit random generator.
- The targets, per task: what the network is trained on (one-hot rows,
  label indicators, columns) and back (:class:`ClassificationTarget`,
  :class:`RegressionTarget`).
- The validation split behind ``early_stopping`` (:func:`validation_split`).
- scikit-learn's random streams: ``MLPClassifier`` and ``MLPRegressor`` draw
  everything from one ``RandomState`` per call to ``fit``/``partial_fit``:
  first the weights and biases, layer by layer (Glorot-uniform, biases too),
  then the early-stopping split, then one shuffle of the sample order per
  epoch, each shuffling the previous order. ``MLPFromScratch`` draws the same
  numbers in the same order, so with the same data, parameters and
  ``random_state`` it starts from the same weights, sees the same batches and
  ends at the same model (to rounding).
"""

import copy

import numpy as np
from scipy.sparse import issparse
from scipy.special import logsumexp
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from ..callbacks.base import warn
from ..layers import Dense
from ..layers.base import leaf_layers
from ..losses import LOSSES, Loss, SigmoidCrossEntropy, SoftmaxCrossEntropy


def generator(random_state):
    """A Generator for one fit, seeded by a draw from ``random_state``'s RandomState.

    An int seeds it reproducibly; a RandomState instance is consumed as
    scikit-learn estimators consume it; None draws from NumPy's global
    RandomState, as scikit-learn's ``check_random_state(None)`` does, so
    ``np.random.seed`` makes such fits reproducible.
    """
    return np.random.default_rng(check_random_state(random_state).randint(2**31))


def validate_sample_weight(sample_weight, X):
    """Non-negative finite weights, one per sample, with a positive sum (or None)."""
    if sample_weight is None:
        return None
    n = X.shape[0]
    try:
        sample_weight = np.asarray(sample_weight).astype(X.dtype, copy=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"sample_weight must be numbers; {exc}") from None
    if sample_weight.ndim == 0:
        sample_weight = np.full(n, sample_weight)
    if sample_weight.shape != (n,):
        raise ValueError(f"sample_weight.shape == {sample_weight.shape}, expected ({n},)!")
    if not np.isfinite(sample_weight).all():
        raise ValueError("sample_weight must be finite (no NaN or infinity).")
    if (sample_weight < 0).any():
        raise ValueError("Negative values in data passed to `sample_weight`.")
    if not sample_weight.sum() > 0:
        raise ValueError("sample_weight must have a positive sum; all weights are zero.")
    return sample_weight



def sample_shape(X):
    """One sample's shape, or a list of them for a model with several inputs."""
    return [a.shape[1:] for a in X] if isinstance(X, tuple) else X.shape[1:]


def cast(X, dtype):
    """The network input in ``dtype`` (no copy when it already is)."""
    if isinstance(X, tuple):
        return tuple(a.astype(dtype, copy=False) for a in X)
    return X.astype(dtype, copy=False)


def csr(X):
    """Sparse X as CSR (batches take rows); arrays unchanged."""
    return X.tocsr() if issparse(X) else X


def scale_hint(X, spread=10.0, steps="epochs"):
    """A sentence for the ConvergenceWarning when ``X`` looks unscaled, else "".

    Inputs whose columns have standard deviations or means far from 1 and 0
    (raw iris: up to 5.8; digits pixels: up to 6.0 with means up to 14) train
    slowly with the default learning rate; scaling them is usually the fix.
    Only dense single-array rows are looked at, through about a thousand of
    them.
    """
    if not isinstance(X, np.ndarray) or X.ndim != 2 or not len(X):
        return ""
    # about a thousand rows suffice for a hint: never a copy of a large (or mapped) X
    rows = np.asarray(X[::max(1, len(X) // 1000)], dtype=np.float64)
    size = max(float(np.abs(rows.mean(axis=0)).max()), float(rows.std(axis=0).max()))
    if not size > spread / 2:
        return ""
    return (f" The inputs look unscaled (column means or standard deviations up to "
            f"{size:.3g}): scaling them, e.g. with StandardScaler in a Pipeline, usually "
            f"converges in far fewer {steps}.")


def init_output_bias(network, target, Y, sample_weight):
    """Let the target start the output layer's bias (when the last leaf has one that fits)."""
    last = leaf_layers(network)[-1]
    bias = last.params.get("b")
    if bias is not None and bias.shape == (target.n_outputs,):
        target.init_output_bias(bias, Y, sample_weight)


def reject_datetimes(X):
    """Raise ValueError naming the date, time and duration columns of ``X``.

    NumPy cannot turn them into floats (pandas gives a bare
    ``DTypePromotionError``, time-zone-aware columns a ``TypeError``), and
    polars would hand them over as integers (microseconds since 1970, days,
    nanoseconds...): a network trained on those is silently wrong. The
    network needs numbers, e.g. elapsed seconds or calendar features.

    Parameters
    ----------
    X : DataFrame (pandas or polars), array-like or sparse matrix
    """
    dtypes = getattr(X, "dtypes", None)
    schema = getattr(X, "schema", None)
    if hasattr(schema, "items"):                       # a polars DataFrame
        columns = [name for name, dtype in schema.items() if _temporal(dtype)]
    elif hasattr(dtypes, "items"):                     # a pandas DataFrame
        columns = [name for name, dtype in dtypes.items() if _temporal(dtype)]
    else:
        columns = ["X"] if _temporal(getattr(X, "dtype", None)) else []
    if columns:
        raise ValueError(f"X has date, time or duration column(s) {columns}: the network "
                         "takes numbers. Convert them first (e.g. to elapsed seconds, or to "
                         "calendar features such as month and weekday).")


def _temporal(dtype):
    """Whether a NumPy, pandas or polars column dtype holds dates, times or durations."""
    if getattr(dtype, "kind", None) in ("m", "M"):    # NumPy; pandas, time zones too
        return True
    is_temporal = getattr(dtype, "is_temporal", None)  # polars Datetime, Date, Time, Duration
    if callable(is_temporal):
        return bool(is_temporal())
    if type(dtype).__name__ == "PeriodDtype":         # pandas periods ("2020-01")
        return True
    categories = getattr(dtype, "categories", None)    # pandas categories of dates
    return categories is not None and _temporal(getattr(categories, "dtype", None))


# the estimators offer every registered regression loss, and log-loss for
# classification (binary, multiclass or multilabel: the target decides the form)
# "squared_error" means what it means in MLPRegressor: half the mean squared
# error (the engine's "squared_error" keeps the tutorials' full MSE)
REGRESSION_LOSSES = {**{name: name for name, cls in LOSSES.items() if cls.task == "regression"},
                     "auto": "half_squared_error", "squared_error": "half_squared_error"}
CLASSIFICATION_LOSSES = ("auto", "log_loss")


def ravel_column(y):
    """Turn a column vector ``(n, 1)`` into ``(n,)`` with scikit-learn's warning."""
    if y.ndim == 2 and y.shape[1] == 1:
        warn("A column-vector y was passed when a 1d array was expected. Please change the "
             "shape of y to (n_samples,), for example using ravel().", DataConversionWarning)
        return y.ravel()
    return y


def check_label_types(y):
    """Raise ValueError naming the types when class labels cannot be compared.

    Labels are sorted (``classes_``); a mix of strings and numbers, or a None
    among them, makes NumPy raise a bare ``TypeError: '<' not supported``.

    Parameters
    ----------
    y : ndarray
        Classification target (labels or an indicator matrix).
    """
    if y.dtype != object:
        return
    try:
        np.unique(y)
    except TypeError:
        names = sorted({type(v).__name__ for v in y.ravel()})
        raise ValueError(f"y mixes labels of types {names}, which cannot be compared: class "
                         "labels must be all strings or all numbers (None is not a label)."
                         ) from None


class ClassificationTarget:
    """Labels <-> network outputs for binary, multiclass and multilabel targets.

    Binary targets use one sigmoid output (as scikit-learn's MLP), multiclass
    targets one softmax output per class, multilabel indicator targets one
    sigmoid output per label.

    Parameters
    ----------
    classes : ndarray
        The sorted class labels (``arange(n_labels)`` for multilabel).
    multilabel : bool
    """

    def __init__(self, classes, multilabel=False):
        self.classes = classes
        self.multilabel = multilabel
        if not multilabel and len(classes) < 2:
            raise ValueError(
                "Classification needs samples of at least 2 classes in the data; "
                f"got 1 class: {classes.tolist()[0]!r}.")
        binary = len(classes) == 2 and not multilabel
        self.n_outputs = 1 if binary else len(classes)
        self.loss = (SigmoidCrossEntropy() if binary or multilabel
                     else SoftmaxCrossEntropy())
        self.out_activation = self.loss.output_activation

    @classmethod
    def from_y(cls, y, classes=None):
        """Infer the kind of target and the classes from ``y`` (and ``classes``)."""
        check_classification_targets(y)
        kind = type_of_target(y)
        if kind == "multilabel-indicator":
            return cls(np.arange(y.shape[1]), multilabel=True)
        if kind.endswith("multioutput"):
            raise ValueError("Multiclass-multioutput targets are not supported; "
                             "use a multilabel 0/1 indicator matrix or one column.")
        labels = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        return cls(labels)

    def encode(self, y, dtype):
        """One-hot (or 0/1) matrix of shape ``(n_samples, n_outputs)``.

        The labels become their indices in :attr:`classes`; the loss encodes
        those as it encodes any integer labels (:meth:`Loss.encode_target
        <skscratch.losses.Loss.encode_target>`).
        """
        if self.multilabel:
            if y.ndim != 2 or y.shape[1] != len(self.classes):
                raise ValueError(f"Expected a multilabel indicator y with {len(self.classes)} "
                                 f"columns; got shape {y.shape}.")
            return self.loss.encode_target(y, self.n_outputs, dtype)
        if y.ndim != 1:
            raise ValueError(f"y has shape {y.shape}; the model was fitted on one column of "
                             f"the classes {self.classes.tolist()}: y must be 1-D.")
        unseen = np.setdiff1d(y, self.classes)
        if unseen.size:
            raise ValueError(f"y contains labels not seen in classes_ {self.classes.tolist()}: "
                             f"{unseen.tolist()}.")
        return self.loss.encode_target(np.searchsorted(self.classes, y), self.n_outputs, dtype)

    @staticmethod
    def init_output_bias(bias, Y, sample_weight=None):
        """Leave the output bias at zero (uniform initial probabilities)."""

    def proba(self, raw):
        """Probabilities from raw network outputs; binary gives ``(n, 2)``."""
        p = self.loss.predict(raw)
        return np.hstack([1 - p, p]) if self.n_outputs == 1 else p

    def log_proba(self, raw):
        """Log-probabilities straight from the logits: finite where proba underflows."""
        if self.n_outputs > 1 and not self.multilabel:
            return raw - logsumexp(raw, axis=1, keepdims=True)
        log_p, log_not_p = -np.logaddexp(0, -raw), -np.logaddexp(0, raw)
        return np.hstack([log_not_p, log_p]) if self.n_outputs == 1 else log_p

    def decode(self, raw):
        """Predicted labels from raw network outputs."""
        if self.multilabel:
            return (raw > 0).astype(int)     # sigmoid(z) > 0.5  <=>  z > 0
        if self.n_outputs == 1:
            return self.classes[(raw[:, 0] > 0).astype(int)]
        return self.classes[np.argmax(raw, axis=1)]

    @staticmethod
    def score(y_true, y_pred, sample_weight=None):
        """Accuracy (subset accuracy for multilabel)."""
        return accuracy_score(y_true, y_pred, sample_weight=sample_weight)


class RegressionTarget:
    """Real targets, 1-D or multi-output, fitted with a regression loss.

    Parameters
    ----------
    n_outputs : int
    one_d : bool
        Whether ``y`` was 1-D (predictions are then 1-D too).
    loss : str or Loss
        "auto" or "squared_error" (half the mean squared error, as
        ``MLPRegressor``), or the name of another regression loss in
        :data:`skscratch.losses.LOSSES` ("poisson": the network outputs the
        log of the predicted mean, ``out_activation`` is "exp"); or a regression
        loss itself (the engine's, as a compiled model names it: ``"mse"`` is
        the whole mean squared error).
    """

    def __init__(self, n_outputs, one_d, loss="auto"):
        self.n_outputs = n_outputs
        self.one_d = one_d
        if isinstance(loss, Loss):            # the engine's loss itself (a compiled model's)
            self.loss_name, self.loss = LOSSES.name_of(loss), loss
        elif loss in REGRESSION_LOSSES:
            self.loss_name = REGRESSION_LOSSES[loss]
            self.loss = LOSSES[self.loss_name]()
        else:
            raise ValueError(f"loss={loss!r} is not a regression loss; expected one of "
                             f"{sorted(REGRESSION_LOSSES)}.")
        self.out_activation = self.loss.output_activation

    @classmethod
    def from_y(cls, y, loss="auto"):
        """Read the number of outputs from ``y``."""
        return cls(1 if y.ndim == 1 else y.shape[1], y.ndim == 1, loss)

    def encode(self, y, dtype):
        """Targets as a ``(n_samples, n_outputs)`` array."""
        y = np.asarray(y, dtype=dtype)
        y = y.reshape(-1, 1) if y.ndim == 1 else y
        if y.shape[1] != self.n_outputs:
            raise ValueError(f"y has {y.shape[1]} outputs; the model was fitted with "
                             f"{self.n_outputs}.")
        return self.loss.encode_target(y, self.n_outputs, dtype)   # its own checks (poisson)

    def init_output_bias(self, bias, Y, sample_weight=None):
        """Start the output bias at the best constant prediction: the (weighted) target mean.

        The network then begins there instead of spending its first epochs
        learning the targets' offset. With the log link of "poisson" the bias
        is the log of the mean (left at 0 for an output whose targets are all 0).
        """
        mean = np.average(Y, axis=0, weights=sample_weight)
        if self.out_activation == "exp":
            mean = np.log(mean, out=np.zeros_like(mean), where=mean > 0)
        bias[:] = mean

    def decode(self, raw):
        """Predictions (through the output activation), 1-D when fitted on 1-D targets."""
        pred = self.loss.predict(raw)
        return pred[:, 0] if self.one_d else pred

    @staticmethod
    def score(y_true, y_pred, sample_weight=None):
        """Coefficient of determination R² (averaged over outputs)."""
        return r2_score(y_true, y_pred, sample_weight=sample_weight)


def compiled_loss(target, network, loss):
    """Adopt the loss ``network`` was compiled with, when the estimator's ``loss`` is "auto".

    A regression target trains with the compiled loss (Keras's ``"mse"`` is
    the mean squared error, not scikit-learn's half of it); a classifier's
    cross-entropy is the target's own (the same loss, in the form the
    classes need). A compiled loss of the other task is a ValueError.
    """
    compiled = getattr(network, "compiled", None)
    if compiled is None or loss != "auto":
        return
    given = compiled.losses[0]
    task = "classification" if isinstance(target, ClassificationTarget) else "regression"
    if given.task != task:
        raise ValueError(f"The model is compiled with the {given.task} loss "
                         f"{type(given).__name__}, but the estimator's task is {task}: compile "
                         "it with a loss of that task, or set the estimator's loss.")
    if task == "regression":
        target.__init__(target.n_outputs, target.one_d, given)


def raw_output(network, target, X):
    """The network's output on ``X`` as the target decodes it: logits where its loss reads them.

    A network ending in the softmax (sigmoid) of its cross-entropy gives its
    pre-activation, so decoding and ``predict_log_proba`` stay exact.
    """
    logits = target.loss.takes_logits(network.output_activation, target.n_outputs)
    return network.predict(X, logits=logits)


def make_target(classification, loss, y, classes=None):
    """The target encoding of a first fit, for the task and the ``loss`` parameter.

    Parameters
    ----------
    classification : bool
        Whether the estimator's task is classification.
    loss : str
        The estimator's ``loss`` parameter.
    y : ndarray
    classes : array-like or None
        Every class label (a first ``partial_fit``), else those of ``y``.

    Returns
    -------
    target : ClassificationTarget or RegressionTarget
    """
    if classification:
        if loss not in CLASSIFICATION_LOSSES:
            raise ValueError(f"loss={loss!r} is a regression loss; classification "
                             f"takes {CLASSIFICATION_LOSSES}.")
        return ClassificationTarget.from_y(y, classes)
    if loss == "log_loss":
        raise ValueError("loss='log_loss' is for classification; use task='classification'.")
    return RegressionTarget.from_y(y, loss)


def check_classes(y, classes, known, incremental):
    """scikit-learn's rules for the classes of a classifier's fit call.

    A first ``partial_fit`` of single-label classification needs every
    class up front; later calls may not change them; a ``warm_start`` refit
    needs the classes of the first fit.

    Parameters
    ----------
    y : ndarray
        The call's labels (or indicator matrix).
    classes : array-like or None
        The ``classes`` argument of ``partial_fit``.
    known : ndarray or None
        The classes of the fit continued; None for a first fit.
    incremental : bool
        Whether the call is ``partial_fit``.
    """
    single_label = y.ndim == 1
    if incremental and known is None and classes is None and single_label:
        raise ValueError("classes must be passed on the first call to partial_fit.")
    if known is None:
        return
    if incremental and classes is not None and not (
            len(np.unique(classes)) == len(known)
            and np.array_equal(np.unique(classes), known)):
        raise ValueError(f"`classes={np.asarray(classes).tolist()}` is not the same as on "
                         f"last call to partial_fit, was: {known.tolist()}.")
    if not incremental and single_label and not np.array_equal(np.unique(y), known):
        raise ValueError("warm_start can only be used where `y` has the same classes as in "
                         f"the previous call to fit. Previously got {known.tolist()}, `y` "
                         f"has {np.unique(y).tolist()}.")


def is_classification(estimator):
    """Whether the estimator's ``task`` is a classification one (its parameters, not its fit)."""
    return estimator.task != "regression"


def check_fitted_task(estimator):
    """Raise ValueError when ``task`` no longer is the task the estimator was fitted for.

    Its network, outputs and classes are those of the fitted task: predicting
    (or continuing the fit) as the other one would be wrong.
    """
    classifier = isinstance(estimator._fitted.target, ClassificationTarget)
    if is_classification(estimator) != classifier:
        fitted = "classification" if classifier else "regression"
        raise ValueError(
            f"task={estimator.task!r}, but this {type(estimator).__name__} was fitted for "
            f"{fitted}: its network and outputs are a "
            f"{'classifier' if classifier else 'regressor'}'s. Set task={fitted!r} back, or "
            "fit it again (warm_start=False) to train a new network for the new task.")


def hold_out(X, y, Y, sample_weight, fraction, stratify, rng):
    """Split off ``fraction`` of the samples for validation.

    Parameters
    ----------
    X : ndarray, or tuple of ndarray (one per model input)
    y, Y : ndarray
        Raw targets (for scoring) and encoded targets (for training).
    sample_weight : ndarray or None
    fraction : float in (0, 1)
    stratify : ndarray or None
        Labels to stratify on (single-label classification).
    rng : numpy.random.Generator or numpy.random.RandomState
        Seeds the split, so it is reproducible from ``random_state``; a
        RandomState is used as is (scikit-learn's MLP splits with its own).

    Returns
    -------
    train : (X, Y, sample_weight) of the training part
    validation : (Y, y, sample_weight) of the held-out part
    X_validation : ndarray
    """
    inputs = list(X) if isinstance(X, tuple) else [X]
    arrays = [y, Y] + ([] if sample_weight is None else [sample_weight]) + inputs
    seed = rng if isinstance(rng, np.random.RandomState) else int(rng.integers(2**31))
    try:
        parts = train_test_split(*arrays, test_size=fraction, random_state=seed,
                                 stratify=stratify)
    except ValueError as exc:
        raise ValueError(f"early_stopping could not hold out validation_fraction={fraction} "
                         f"of {len(y)} samples: {exc}") from exc
    train, validation = parts[0::2], parts[1::2]
    if len(validation[0]) < 2:
        raise ValueError("The validation set is too small. Increase 'validation_fraction' or "
                         f"the size of your dataset ({len(validation[0])} validation sample(s) "
                         f"out of {len(y)}).")
    y_val, (Y_tr, Y_val) = validation[0], (train[1], validation[1])
    w_tr, w_val = (train[2], validation[2]) if sample_weight is not None else (None, None)
    k = 3 if sample_weight is not None else 2
    X_tr, X_val = train[k:], validation[k:]
    if isinstance(X, tuple):
        return (tuple(X_tr), Y_tr, w_tr), (Y_val, y_val, w_val), tuple(X_val)
    return (X_tr[0], Y_tr, w_tr), (Y_val, y_val, w_val), X_val[0]


def validation_split(data, fitted, fraction, classification, rng):
    """Hold out ``fraction`` of the data (drawn from ``rng``); return a scorer with the rest.

    Parameters
    ----------
    data : tuple
        ``(X, y, Y, sample_weight)``: inputs, raw and encoded targets, weights.
    fitted : FittedState
        The fit's network and target (the scorer predicts with the network
        as it trains).
    fraction : float in (0, 1)
    classification : bool
        Whether the estimator classifies: the split is then stratified for
        one output (binary classification), as scikit-learn's.
    rng : numpy.random.Generator or numpy.random.RandomState

    Returns
    -------
    X_train, Y_train, sample_weight_train
    validation_score : callable
        ``validation_score() -> {"validation_score": float, "val_loss": float}``
        (the score, and the loss Keras's callbacks watch by default), NaN
        (with a RuntimeWarning) when the network's predictions overflow.
    """
    X, y, Y, sample_weight = data
    target, network = fitted.target, fitted.network
    stratify = y if classification and target.n_outputs == 1 else None
    (X_tr, Y_tr, w_tr), (Y_val, y_val, w_val), X_val = hold_out(
        X, y, Y, sample_weight, fraction, stratify, rng)

    def validation_score():
        with np.errstate(over="ignore", invalid="ignore"):
            raw = raw_output(network, target, X_val)
        if not np.isfinite(raw).all():
            # scikit-learn's answer to diverging early-stopped fits: the epoch
            # scores NaN, never counts as an improvement, and the best weights
            # come back at the end
            warn("The validation predictions overflowed: this epoch's validation score is "
                 "NaN. Try a smaller learning rate.", RuntimeWarning)
            return {"validation_score": float("nan"), "val_loss": float("nan")}
        return {"validation_score": target.score(y_val, target.decode(raw), w_val),
                "val_loss": target.loss(raw, Y_val, w_val)[0]}

    return X_tr, Y_tr, w_tr, validation_score


def joined(evaluators):
    """One ``evaluate()`` merging the records of ``evaluators`` (None when there are none)."""
    if not evaluators:
        return None

    def evaluate():
        record = {}
        for evaluator in evaluators:
            record.update(evaluator())
        return record

    return evaluate


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
