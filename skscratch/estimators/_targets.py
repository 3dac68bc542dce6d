"""Target encoding per task: what the network is trained on, and back."""

import numpy as np
from scipy.special import logsumexp
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from ..losses import LOSSES, Loss, SigmoidCrossEntropy, SoftmaxCrossEntropy
from ..user_warnings import warn

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
        """One-hot (or 0/1) matrix of shape ``(n_samples, n_outputs)``."""
        if self.multilabel:
            if y.ndim != 2 or y.shape[1] != len(self.classes):
                raise ValueError(f"Expected a multilabel indicator y with {len(self.classes)} "
                                 f"columns; got shape {y.shape}.")
            return np.asarray(y, dtype=dtype)
        if y.ndim != 1:
            raise ValueError(f"y has shape {y.shape}; the model was fitted on one column of "
                             f"the classes {self.classes.tolist()}: y must be 1-D.")
        unseen = np.setdiff1d(y, self.classes)
        if unseen.size:
            raise ValueError(f"y contains labels not seen in classes_ {self.classes.tolist()}: "
                             f"{unseen.tolist()}.")
        index = np.searchsorted(self.classes, y)
        if self.n_outputs == 1:
            return index.astype(dtype).reshape(-1, 1)
        onehot = np.zeros((len(y), self.n_outputs), dtype=dtype)
        onehot[np.arange(len(y)), index] = 1
        return onehot

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
