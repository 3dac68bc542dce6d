"""W10's floors: the bare objective is the MLP's loss and gradient from scikit-learn's start."""

import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from skscratch.gradcheck import numerical_gradient, relative_error

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
lbfgs_fit = pytest.importorskip("lbfgs_fit")


class _FirstPoint(MLPClassifier):
    """scikit-learn's MLP, keeping the packed weights and loss of its first L-BFGS call."""

    def _loss_grad_lbfgs(self, packed, *args):
        loss, grad = super()._loss_grad_lbfgs(packed, *args)
        if not hasattr(self, "first"):
            self.first = (packed.copy(), loss, grad.copy())
        return loss, grad


def test_the_floors_start_where_scikit_learn_starts_and_compute_its_objective():
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 64)), np.arange(40) % 10
    assert hasattr(MLPClassifier, "_loss_grad_lbfgs"), "oracle hook moved"
    sk = _FirstPoint(**{**lbfgs_fit.PARAMS, "max_iter": 1}).fit(X, y)
    packed, loss, grad = sk.first
    np.testing.assert_array_equal(lbfgs_fit._initial_weights(64), packed)
    objective = lbfgs_fit.bare_objective(X, y, 1e-4, [(64, 64), (64, 10)])
    value, gradient = objective(packed)
    assert value == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(gradient, grad, rtol=1e-9, atol=1e-14)
    theta = packed[:64 * 64 + 64 * 10 + 74].copy()
    numeric = numerical_gradient(lambda: objective(theta)[0], theta)
    assert relative_error(gradient, numeric) < 1e-6
