"""Losses: a value and its gradient with respect to the network's raw output.

The cross-entropy losses take *logits* (the last layer's output before any
softmax/sigmoid) and fuse the activation into the loss. That is both cheaper
and stable: ``log(softmax(z))`` is computed as ``z - logsumexp(z)``, never as
``log`` of a probability that may have underflowed to 0, and the gradient is
the famously simple ``softmax(z) - y``.

Every loss averages over samples, weighted by ``sample_weight`` when given:
``E = sum_i w_i * l_i / sum_i w_i``.

Each loss is registered in :data:`LOSSES` under the name the engine and the
estimators share (``"squared_error"``, ``"log_loss"``, ...), and checks
targets against the network's outputs before training
(:meth:`Loss.encode_target`): integer labels become one-hot rows for the
softmax losses, and any other mismatch is a clear ``ValueError``.
"""

import functools
import math

import numpy as np

from .layers.activations import get_activation
from .layers.base import ones_vector
from .registry import Registry

__all__ = [
    "LOSSES",
    "AbsoluteError",
    "HalfPoissonDeviance",
    "HalfSquaredError",
    "Huber",
    "LogLoss",
    "Loss",
    "SigmoidCrossEntropy",
    "SoftmaxCrossEntropy",
    "SquaredError",
    "get_loss",
    "one_hot",
    "row_starts",
]

LOSSES = Registry("loss", aliases={
    "mse": "squared_error", "mae": "absolute_error",
    "mean_squared_error": "squared_error", "mean_absolute_error": "absolute_error",
    "binary_crossentropy": "sigmoid_cross_entropy",
    "categorical_crossentropy": "softmax_cross_entropy",
    "sparse_categorical_crossentropy": "softmax_cross_entropy"})


class Loss:
    """Base class: per-sample loss and gradient, then the (weighted) mean.

    Attributes
    ----------
    output_activation : str
        Activation that turns the network's raw output into predictions
        (probabilities for the cross-entropy losses).
    task : {"regression", "classification"}
        The kind of target the loss is for; the estimators offer each loss
        to the task it names.
    """

    output_activation = "identity"
    task = "regression"

    def probability_activation(self, n_outputs):
        """The output activation whose values this loss reads through its logits, or None.

        A cross-entropy names its activation (softmax, sigmoid): after an
        output ending in it, the loss takes that output's pre-activation and
        fuses the two (exact and stable); after a linear output it takes the
        output itself as logits. Other losses take any output as it is.
        """
        return None

    def takes_logits(self, activation, n_outputs, output="output"):
        """Whether the loss reads ``output`` (ending in ``activation``) through its logits.

        Parameters
        ----------
        activation : str or None
            The activation the output's layer applies last (None: none known).
        n_outputs : int
            Values per sample of the output.
        output : str, default="output"
            Its name, for the message.

        Raises
        ------
        ValueError
            When a cross-entropy follows an output that ends in another
            activation (a sigmoid before softmax cross-entropy, a ReLU before
            any): its values are neither logits nor the probabilities the
            loss is defined on.
        """
        expected = self.probability_activation(n_outputs)
        if expected is None or activation in (None, "identity"):
            return False
        if activation == expected:
            return True
        raise ValueError(
            f"{type(self).__name__} takes the logits of a linear output or the probabilities "
            f"of a {expected} output; output {output!r} ends in {activation}. End it with "
            f"Dense(..., activation={expected!r}) or a linear Dense, or choose the loss that "
            "matches its activation.")

    def _per_sample(self, output, target):
        """Return ``(l, g)``: loss of each sample, shape (n,), and dl/doutput."""
        raise NotImplementedError

    def __call__(self, output, target, sample_weight=None):
        """Return ``(loss, gradient)`` averaged over the (weighted) samples.

        Parameters
        ----------
        output : ndarray of shape (n_samples, n_outputs)
            Raw network output (logits for the cross-entropy losses).
        target : ndarray of shape (n_samples, n_outputs)
            Encoded targets (one-hot or 0/1 indicators for classification).
        sample_weight : ndarray of shape (n_samples,), optional
            Non-negative weights; their sum must be positive.

        Returns
        -------
        loss : float
        gradient : ndarray of shape (n_samples, n_outputs)
            dE/doutput.
        """
        per_sample, grad = self._per_sample(output, target)
        if sample_weight is None:
            n = per_sample.shape[0]
            grad /= n
            return float(per_sample.sum() / n), grad   # the mean, without mean()'s overhead
        total = sample_weight.sum()
        grad *= (sample_weight / total).astype(grad.dtype, copy=False)[:, None]
        return float(sample_weight @ per_sample / total), grad

    def predict(self, output):
        """Apply :attr:`output_activation` to raw outputs."""
        return get_activation(self.output_activation)[0](output)

    def get_config(self):
        """The constructor arguments, as a dict."""
        return {}

    def encode_target(self, target, n_outputs, dtype=np.float64):
        """Check ``target`` against ``n_outputs`` network outputs; return it as rows.

        Parameters
        ----------
        target : array-like of shape (n_samples,) or (n_samples, n_outputs)
        n_outputs : int
            Width of the network output the loss is applied to.
        dtype : numpy dtype, default=float64

        Returns
        -------
        target : ndarray of shape (n_samples, n_outputs)

        Raises
        ------
        ValueError
            When the target cannot be read as one row of ``n_outputs`` values
            per sample (no silent broadcasting).
        """
        target = np.asarray(target)
        if target.ndim == 1 and n_outputs == 1:
            target = target.reshape(-1, 1)
        if target.ndim != 2 or target.shape[1] != n_outputs:
            raise ValueError(
                f"The {type(self).__name__} loss compares each sample's {n_outputs} "
                f"output(s) with a target row of {n_outputs} value(s); got a target of shape "
                f"{target.shape}.{self._target_hint(target, n_outputs)}")
        return _as_float(target, dtype)

    def _target_hint(self, target, n_outputs):
        """A suggestion appended to a target-shape error."""
        if target.ndim == 1 and n_outputs > 1:
            return (" For class labels use loss='log_loss' (integer labels are one-hot "
                    "encoded); for regression make the last layer as wide as the target.")
        return ""


def _as_float(target, dtype):
    if target.dtype.kind not in "iubf":
        raise ValueError(f"Targets must be numbers; got an array of dtype {target.dtype}.")
    return target.astype(dtype, copy=False)


def get_loss(loss):
    """Return a :class:`Loss` instance from a name or an instance.

    Parameters
    ----------
    loss : str or Loss
        A name in :data:`LOSSES`: ``"squared_error"`` (aliases ``"mse"``,
        ``"mean_squared_error"``), ``"absolute_error"`` (``"mae"``,
        ``"mean_absolute_error"``), ``"huber"``, ``"log_loss"``,
        ``"softmax_cross_entropy"`` (``"categorical_crossentropy"``,
        ``"sparse_categorical_crossentropy"``), ``"sigmoid_cross_entropy"``
        (``"binary_crossentropy"``); or a :class:`Loss` instance, returned as is.

    Returns
    -------
    loss : Loss
    """
    if isinstance(loss, Loss):
        return loss
    return LOSSES.get_class(loss)()


@LOSSES.register("squared_error")
class SquaredError(Loss):
    """Mean squared error, as in the tutorials: ``mean((output - target) ** 2)``.

    Averaged over samples and outputs; the gradient is
    ``2 * (output - target) / (n_samples * n_outputs)``.
    """

    def _per_sample(self, output, target):
        diff = output - target
        k = diff.shape[1]
        return np.mean(diff * diff, axis=1), diff * (2.0 / k)


@LOSSES.register("half_squared_error")
class HalfSquaredError(Loss):
    """Half the mean squared error: ``mean((output - target) ** 2) / 2``.

    scikit-learn's ``MLPRegressor`` loss (what ``loss="squared_error"`` means
    in the estimators, so ``loss_``, ``alpha`` and ``tol`` mean the same as
    there); the gradient is ``(output - target) / (n_samples * n_outputs)``.
    """

    def _per_sample(self, output, target):
        diff = output - target
        k = diff.shape[1]
        return 0.5 * np.mean(diff * diff, axis=1), diff * (1.0 / k)


@LOSSES.register("absolute_error")
class AbsoluteError(Loss):
    """Mean absolute error ``mean(|output - target|)``; gradient ``sign(diff) / size``."""

    def _per_sample(self, output, target):
        diff = output - target
        k = diff.shape[1]
        return np.mean(np.abs(diff), axis=1), np.sign(diff) / k


@LOSSES.register("huber")
class Huber(Loss):
    """Huber loss: quadratic for residuals within ``delta``, linear beyond.

    ``l(r) = r**2 / 2`` if ``|r| <= delta`` else ``delta * (|r| - delta / 2)``,
    averaged over outputs; ``dl/dr = clip(r, -delta, delta)``.

    Parameters
    ----------
    delta : float, default=1.0
        Residual size where the loss turns from quadratic to linear.
    """

    def __init__(self, delta=1.0):
        if not delta > 0:
            raise ValueError(f"Huber delta must be positive; got {delta!r}.")
        self.delta = float(delta)   # a NumPy scalar would make float32 losses float64

    def get_config(self):
        return {"delta": self.delta}

    def _per_sample(self, output, target):
        r = output - target
        a = np.abs(r)
        d = self.delta
        loss = np.where(a <= d, 0.5 * r * r, d * (a - 0.5 * d))
        k = r.shape[1]
        return loss.mean(axis=1), np.clip(r, -d, d) / k


# 1/k! for k = 2 .. 16: exp(r) - 1 - r = r**2 * sum_k r**(k-2) / k!, whose terms past
# k = 16 stay below 1e-17 of the sum for |r| <= 1/2
_EXCESS_SERIES = tuple(1.0 / math.factorial(k) for k in range(2, 17))
# below this |r| the series is used; above it expm1(r) - r loses at most a few ulps
_SERIES_LIMIT = 0.5


def exp_excess(r):
    """``exp(r) - 1 - r`` to full relative precision, overflowing only where it must.

    Written as ``expm1(r) - r``, it would lose all the digits of a small
    ``r`` (its value is ``r**2 / 2``, the difference of two numbers near
    ``r``); a Taylor series takes ``|r| <= 1/2``.

    Parameters
    ----------
    r : ndarray

    Returns
    -------
    ndarray
        Of ``r``'s shape and dtype.
    """
    out = np.expm1(r)
    out -= r
    small = np.abs(r) <= _SERIES_LIMIT
    if small.any():
        s = r[small]
        series = np.full_like(s, _EXCESS_SERIES[-1])
        for c in _EXCESS_SERIES[-2::-1]:
            series *= s
            series += c
        out[small] = series * s * s
    return out


@LOSSES.register("poisson")
class HalfPoissonDeviance(Loss):
    """Half the Poisson deviance of a log-link prediction: scikit-learn's "poisson" loss.

    For counts or rates ``y >= 0``: the network's raw output ``z`` is the log
    of the predicted mean ``mu = exp(z)`` (the output activation "exp",
    :meth:`predict`), and each sample's loss sums over its outputs, as
    ``MLPRegressor(loss="poisson")`` does::

        l = sum_j  y_j log(y_j / mu_j) - y_j + mu_j          dl/dz_j = mu_j - y_j

    Computed from ``z``, with ``r = z - log(y)``, as ``y * (exp(r) - 1 - r)``
    (:func:`exp_excess`) and ``y * expm1(r)``: no cancellation near a perfect
    fit (where both are tiny differences of values near ``y``), and finite for
    any prediction a float can hold, however small (a prediction that
    underflows to 0 makes ``log(y / mu)`` infinite in scikit-learn's form).
    Where ``mu > e * y`` they are computed as ``mu - y * (1 + r)`` and
    ``mu - y``, which cannot cancel there; for ``y = 0``, ``l = mu``.
    """

    output_activation = "exp"

    def _per_sample(self, output, target):
        z, y = output, target
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            mu = np.exp(z)
            positive = y > 0
            r = z - np.log(np.where(positive, y, 1.0))
            near = positive & (r <= 1.0)        # mu <= e * y: the forms that cannot cancel
            capped = np.minimum(r, 1.0)
            loss = np.where(near, y * exp_excess(capped), mu - y * (1.0 + np.where(
                positive, r, 0.0)))
            grad = np.where(near, y * np.expm1(capped), mu - y)
        return loss.sum(axis=1), grad

    def predict(self, output):
        """The predicted means ``exp(output)`` (infinite where they overflow the dtype)."""
        with np.errstate(over="ignore"):
            return np.exp(output)

    def encode_target(self, target, n_outputs, dtype=np.float64):
        """Check the shape, and that every target is a non-negative count or rate."""
        target = super().encode_target(target, n_outputs, dtype)
        check_nonnegative(target)
        return target


def check_nonnegative(y):
    """Raise ValueError when a Poisson target holds a negative value.

    Parameters
    ----------
    y : ndarray
    """
    if y.size and y.min() < 0:
        raise ValueError("loss='poisson' requires non-negative y (counts or rates); got values "
                         f"down to {float(y.min()):g}.")


@LOSSES.register("softmax_cross_entropy")
class SoftmaxCrossEntropy(Loss):
    """Softmax fused with multiclass log-loss, on logits.

    ``l = logsumexp(z) - sum_j y_j z_j`` (equal to ``-sum_j y_j log softmax(z)_j``
    for targets summing to 1), gradient ``softmax(z) - y``. Stable for any
    finite logits: no ``exp`` overflow, no ``log(0)``; and computed as
    ``(m - sum_j y_j z_j) + log1p(s)`` with ``m`` the largest logit and ``s``
    the sum of the other classes' ``exp(z_j - m)``, so a confident correct
    prediction's tiny loss keeps its full relative precision; so does its
    gradient, ``(1 - y_top) - s / (1 + s)`` for the top class.
    """

    output_activation = "softmax"
    task = "classification"

    def probability_activation(self, n_outputs):
        return "softmax"

    def encode_target(self, target, n_outputs, dtype=np.float64):
        """One-hot rows; integer labels ``0 .. n_outputs - 1`` are encoded here.

        Labels may be given as ``(n_samples,)`` or ``(n_samples, 1)`` (Keras's
        sparse categorical cross-entropy); one-hot or probability rows of
        shape ``(n_samples, n_outputs)`` are taken as they are.
        """
        if n_outputs < 2:
            raise ValueError("Softmax cross-entropy needs at least 2 outputs (one per class); "
                             "for one output use loss='log_loss' (sigmoid).")
        target = np.asarray(target)
        if target.ndim == 2 and target.shape[1] == 1 and n_outputs > 1:
            target = target[:, 0]
        if target.ndim == 1:
            return one_hot(target, n_outputs, dtype)
        return super().encode_target(target, n_outputs, dtype)

    def _per_sample(self, output, target):
        # one exp serves both the loss and the gradient: with m the row maximum,
        # logsumexp(z) = m + log(sum(exp(z - m))) and softmax(z) = exp(z - m) / sum.
        # The top classes are addressed by flat index (take/put cost half of 2-D
        # fancy indexing) and row sums are BLAS products: on a batch of a few
        # hundred rows the per-call costs are what count.
        n, k = output.shape
        top = output.argmax(axis=1)
        top += row_starts(n, k)
        output = np.ascontiguousarray(output)
        peak = output.reshape(-1).take(top)
        prob = np.subtract(output, peak[:, None])
        np.exp(prob, out=prob)
        # no cancellation when a prediction is confident: the loss is
        # (m - <y, z>) + log1p(s), with s the sum of the *other* classes' exp(z - m)
        # summed on its own (log(1 + s) of a rounded 1 + s would lose all of a tiny s)
        flat = prob.reshape(-1)
        flat.put(top, 0.0)
        others = prob @ ones_vector(k, prob.dtype)
        loss = peak - np.einsum("ij,ij->i", target, output)
        loss += np.log1p(others)
        denom = 1.0 + others
        prob /= denom[:, None]
        prob -= target
        # the top class's gradient, softmax - y = 1 / (1 + s) - y, written as
        # (1 - y) - s / (1 + s): a rounded 1 / (1 + s) minus 1 would lose a tiny s
        flat.put(top, (1.0 - np.ascontiguousarray(target).reshape(-1).take(top))
                 - others / denom)
        return loss, prob


@LOSSES.register("sigmoid_cross_entropy")
class SigmoidCrossEntropy(Loss):
    """Sigmoid fused with binary log-loss, summed over outputs (multilabel).

    ``l = sum_j softplus(z_j) - y_j z_j``, computed as
    ``(max(z, 0) - y z) + log1p(exp(-|z|))`` so nothing overflows and a
    confident correct prediction's tiny loss is not cancelled away;
    gradient ``sigmoid(z) - y``, computed from ``t = sigmoid(-|z|)`` as
    ``(1 - y) - t`` for ``z >= 0`` and ``t - y`` below, for the same reason.
    """

    output_activation = "logistic"
    task = "classification"

    def probability_activation(self, n_outputs):
        return "logistic"

    def encode_target(self, target, n_outputs, dtype=np.float64):
        """0/1 rows of shape ``(n_samples, n_outputs)`` (labels ``(n,)`` for one output)."""
        target = super().encode_target(target, n_outputs, dtype)
        if not ((target >= 0) & (target <= 1)).all():
            raise ValueError("Sigmoid cross-entropy targets must lie in [0, 1] (0/1 labels "
                             f"or probabilities); got values from {target.min():g} to "
                             f"{target.max():g}.")
        return target

    def _per_sample(self, output, target):
        # max(z, 0) - y z first: exactly 0 for a confident correct prediction, so the
        # tiny log1p(exp(-|z|)) survives instead of vanishing into a large sum
        small = np.exp(-np.abs(output))
        loss = np.sum((np.maximum(output, 0) - target * output) + np.log1p(small), axis=1)
        # the gradient sigmoid(z) - y from t = sigmoid(-|z|), which is never rounded
        # away: for z >= 0 it is (1 - y) - t, so a confident correct prediction keeps
        # its tiny -t instead of a rounded sigmoid(z) minus 1
        t = small / (1.0 + small)
        return loss, np.where(output >= 0, (1.0 - target) - t, t - target)


@LOSSES.register("log_loss")
class LogLoss(Loss):
    """Log-loss on logits, the form chosen by the width of the output.

    One output: :class:`SigmoidCrossEntropy` (binary, 0/1 targets). Several:
    :class:`SoftmaxCrossEntropy` (one class per output; integer labels or
    one-hot rows). The same name means the same thing in the estimators.
    For multilabel targets (several independent sigmoids) use
    ``"sigmoid_cross_entropy"``.
    """

    task = "classification"

    def __init__(self):
        self._binary, self._multiclass = SigmoidCrossEntropy(), SoftmaxCrossEntropy()

    def _form(self, n_outputs):
        return self._binary if n_outputs == 1 else self._multiclass

    def probability_activation(self, n_outputs):
        return self._form(n_outputs).probability_activation(n_outputs)

    def encode_target(self, target, n_outputs, dtype=np.float64):
        """As the binary or the multiclass form for ``n_outputs`` requires."""
        return self._form(n_outputs).encode_target(target, n_outputs, dtype)

    def _per_sample(self, output, target):
        return self._form(output.shape[1])._per_sample(output, target)

    def predict(self, output):
        """Sigmoid of one output, softmax of several."""
        return self._form(output.shape[1]).predict(output)


def row_starts(n_rows, n_columns):
    """Flat indices of the first entry of each row of a C-ordered ``(n_rows, n_columns)`` array.

    Read-only, and cached up to batch sizes of 4096 rows: a fit's batches
    repeat the same few sizes.
    """
    if n_rows > 4096:
        return np.arange(0, n_rows * n_columns, n_columns)
    return _cached_row_starts(n_rows, n_columns)


@functools.lru_cache(maxsize=8)
def _cached_row_starts(n_rows, n_columns):
    starts = np.arange(0, n_rows * n_columns, n_columns)
    starts.flags.writeable = False
    return starts


def one_hot(labels, n_classes, dtype=np.float64):
    """Rows of ``n_classes`` zeros with a 1 at each integer label.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Integers (or integral floats) in ``[0, n_classes)``.
    n_classes : int
    dtype : numpy dtype, default=float64

    Returns
    -------
    onehot : ndarray of shape (n_samples, n_classes)
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iub" and not (
            labels.dtype.kind == "f" and np.all(np.isfinite(labels))
            and np.all(labels == np.round(labels))):
        raise ValueError(f"Class labels for {n_classes} outputs must be integers 0 to "
                         f"{n_classes - 1}; got an array of dtype {labels.dtype}. Encode "
                         "other labels first (e.g. sklearn.preprocessing.LabelEncoder).")
    index = labels.astype(np.int64)
    if index.size and (index.min() < 0 or index.max() >= n_classes):
        raise ValueError(f"Class labels must lie in [0, {n_classes - 1}] for {n_classes} "
                         f"outputs; got labels from {index.min()} to {index.max()}.")
    onehot = np.zeros((index.size, n_classes), dtype=dtype)
    onehot[np.arange(index.size), index] = 1
    return onehot
