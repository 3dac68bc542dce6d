"""Classification losses on logits: softmax and sigmoid cross-entropy, and log-loss.

They take *logits* (the last layer's output before any softmax/sigmoid) and
fuse the activation into the loss. That is both cheaper and stable:
``log(softmax(z))`` is computed as ``z - logsumexp(z)``, never as ``log`` of
a probability that may have underflowed to 0, and the gradient is the
famously simple ``softmax(z) - y``. Integer labels become one-hot rows for
the softmax losses (:func:`one_hot`).
"""

import functools

import numpy as np

from ..layers.arrays import ones_vector
from .base import LOSSES, Loss


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
