"""Regression losses: squared, half squared and absolute errors, Huber, Poisson.

Each of the first four is one subtraction of its inputs followed by products
of the residual, so nothing cancels (docs/reliability.md); the Poisson
deviance is computed from the log-prediction in a form that does not cancel
either.
"""

import math

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
