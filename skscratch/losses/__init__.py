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

# regression first: LOSSES keeps the order the losses were registered in before the split
from .base import LOSSES, Loss, get_loss  # noqa: I001
from .regression import AbsoluteError, HalfPoissonDeviance, HalfSquaredError, Huber, SquaredError
from .classification import LogLoss, SigmoidCrossEntropy, SoftmaxCrossEntropy, one_hot, row_starts

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
