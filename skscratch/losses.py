"""Losses: a value and its gradient with respect to the network's raw output.

The cross-entropy losses take *logits* (the last layer's output before any
softmax/sigmoid) and fuse the activation into the loss. That is both cheaper
and stable: ``log(softmax(z))`` is computed as ``z - logsumexp(z)``, never as
``log`` of a probability that may have underflowed to 0, and the gradient is
the famously simple ``softmax(z) - y``.

Every loss averages over samples, weighted by ``sample_weight`` when given:
``E = sum_i w_i * l_i / sum_i w_i``.
"""

import numpy as np
from scipy.special import expit

from .layers.activation import get_activation


class Loss:
    """Base class: per-sample loss and gradient, then the (weighted) mean.

    Attributes
    ----------
    output_activation : str
        Activation that turns the network's raw output into predictions
        (probabilities for the cross-entropy losses).
    """

    output_activation = "identity"

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
            return float(per_sample.mean()), grad
        total = sample_weight.sum()
        grad *= (sample_weight / total).astype(grad.dtype, copy=False)[:, None]
        return float(sample_weight @ per_sample / total), grad

    def predict(self, output):
        """Apply :attr:`output_activation` to raw outputs."""
        return get_activation(self.output_activation)[0](output)


class SquaredError(Loss):
    """Mean squared error, as in the tutorials: ``mean((output - target) ** 2)``.

    Averaged over samples and outputs; the gradient is
    ``2 * (output - target) / (n_samples * n_outputs)``.
    """

    def _per_sample(self, output, target):
        diff = output - target
        k = diff.shape[1]
        return np.mean(diff * diff, axis=1), diff * (2.0 / k)


class AbsoluteError(Loss):
    """Mean absolute error ``mean(|output - target|)``; gradient ``sign(diff) / size``."""

    def _per_sample(self, output, target):
        diff = output - target
        k = diff.shape[1]
        return np.mean(np.abs(diff), axis=1), np.sign(diff) / k


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
        self.delta = delta

    def _per_sample(self, output, target):
        r = output - target
        a = np.abs(r)
        d = self.delta
        loss = np.where(a <= d, 0.5 * r * r, d * (a - 0.5 * d))
        k = r.shape[1]
        return loss.mean(axis=1), np.clip(r, -d, d) / k


class SoftmaxCrossEntropy(Loss):
    """Softmax fused with multiclass log-loss, on logits.

    ``l = logsumexp(z) - sum_j y_j z_j`` (equal to ``-sum_j y_j log softmax(z)_j``
    for targets summing to 1), gradient ``softmax(z) - y``. Stable for any
    finite logits: no ``exp`` overflow, no ``log(0)``.
    """

    output_activation = "softmax"

    def _per_sample(self, output, target):
        # one exp serves both the loss and the gradient: with m the row maximum,
        # logsumexp(z) = m + log(sum(exp(z - m))) and softmax(z) = exp(z - m) / sum
        peak = output.max(axis=1, keepdims=True)
        prob = np.subtract(output, peak)
        np.exp(prob, out=prob)
        total = prob.sum(axis=1, keepdims=True)
        lse = (peak + np.log(total))[:, 0]
        loss = lse - np.einsum("ij,ij->i", target, output)
        prob /= total
        prob -= target
        return loss, prob


class SigmoidCrossEntropy(Loss):
    """Sigmoid fused with binary log-loss, summed over outputs (multilabel).

    ``l = sum_j softplus(z_j) - y_j z_j``, with
    ``softplus(z) = max(z, 0) + log1p(exp(-|z|))`` so nothing overflows;
    gradient ``sigmoid(z) - y``.
    """

    output_activation = "logistic"

    def _per_sample(self, output, target):
        softplus = np.maximum(output, 0) + np.log1p(np.exp(-np.abs(output)))
        loss = np.sum(softplus - target * output, axis=1)
        return loss, expit(output) - target


LOSSES = {
    "squared_error": SquaredError,
    "absolute_error": AbsoluteError,
    "huber": Huber,
    "softmax_cross_entropy": SoftmaxCrossEntropy,
    "sigmoid_cross_entropy": SigmoidCrossEntropy,
}


def get_loss(loss):
    """Return a :class:`Loss` instance from a name or an instance.

    Parameters
    ----------
    loss : str or Loss
        One of ``"squared_error"`` (alias ``"mse"``), ``"absolute_error"``,
        ``"huber"``, ``"softmax_cross_entropy"``, ``"sigmoid_cross_entropy"``,
        or a :class:`Loss` instance, returned as is.
    """
    if isinstance(loss, Loss):
        return loss
    name = "squared_error" if loss == "mse" else loss
    if name not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}; expected one of {sorted(LOSSES)}.")
    return LOSSES[name]()
