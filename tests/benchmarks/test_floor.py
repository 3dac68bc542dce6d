"""W8's bare NumPy step must compute the training step it stands for."""

import sys
from pathlib import Path

import numpy as np
import pytest

from skscratch import Network
from skscratch.layers import Dense
from skscratch.losses import SoftmaxCrossEntropy, one_hot

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
floor = pytest.importorskip("floor")


@pytest.mark.parametrize("alpha", [0.0, 1e-2])
def test_bare_step_takes_the_networks_gradient_and_loss(alpha):
    sizes, batch = (12, 7, 5, 3), 9
    step = floor.bare_step(sizes, np.float64, batch, alpha, np.random.default_rng(0))
    start = step.params.copy()
    loss = step()
    net = Network([Dense(7, activation="relu"), Dense(5, activation="relu"), Dense(3)])
    net.build((12,))
    net.flat_params[...] = start
    out = net.forward(step.x, training=True)
    expected, grad = SoftmaxCrossEntropy()(out, one_hot(step.labels, 3))
    net.backward(grad)
    for W, gW in net.penalized:
        expected += 0.5 * alpha * np.sum(W ** 2) / batch
        gW += alpha * W / batch
    assert loss == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(step.grads, net.flat_grads, rtol=1e-10, atol=1e-14)
    # and Adam's first step moved each parameter by the learning rate (epsilon aside)
    moved = np.abs(step.params - start)[np.abs(step.grads) > 1e-4]
    assert moved.size > 50
    np.testing.assert_allclose(moved, 1e-3, rtol=1e-3)
