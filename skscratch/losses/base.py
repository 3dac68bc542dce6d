"""The `Loss` contract, the table of losses by name, and `get_loss`.

Every loss averages over samples, weighted by ``sample_weight`` when given:
``E = sum_i w_i * l_i / sum_i w_i``. Each is registered in :data:`LOSSES`
under the name the engine and the estimators share (``"squared_error"``,
``"log_loss"``, ...), and checks targets against the network's outputs before
training (:meth:`Loss.encode_target`).
"""

import numpy as np

from ..layers.activation_functions import get_activation
from ..registry import Registry

LOSSES = Registry("loss", aliases={
    "mse": "squared_error", "mae": "absolute_error",
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
        A name in :data:`LOSSES`: ``"squared_error"`` (alias ``"mse"``),
        ``"absolute_error"`` (``"mae"``), ``"huber"``, ``"log_loss"``,
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
