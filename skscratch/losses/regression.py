"""Regression losses: squared, half squared and absolute errors, and Huber.

Each is one subtraction of its inputs followed by products of the residual,
so nothing cancels (docs/reliability.md).
"""

import numpy as np

from .base import LOSSES, Loss


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
