"""
Gradient checking, step by step
===============================

How we know every backward pass is right:

1. Numerical differentiation of a plain function by central differences.
2. A Dense layer's analytic gradients against numerical ones, with a random
   upstream gradient (an all-ones one can hide a transposed matrix).
3. A layer with a deliberately wrong backward pass, caught by the checker.
4. A whole network (conv, pooling, dense, fused softmax cross-entropy).

Run: ``python examples/gradient_check.py``
"""

import numpy as np

from skscratch import Network
from skscratch.gradcheck import check_layer_gradients, check_network_gradients, numerical_gradient
from skscratch.layers import Conv2D, Dense, Flatten, Layer, MaxPool2D
from skscratch.losses import SoftmaxCrossEntropy


class SquareWithABug(Layer):
    """y = x**2, whose backward forgets the factor 2."""

    def forward(self, x, training=False):
        self._x = x
        return x * x

    def backward(self, grad_output, need_input_grad=True):
        return grad_output * self._x        # should be 2 * x * grad_output


def main():
    rng = np.random.default_rng(0)

    x = np.array([0.5, -1.0, 2.0])
    numeric = numerical_gradient(lambda: float(np.sum(np.sin(x) * x)), x)
    exact = np.cos(x) * x + np.sin(x)
    print("1. d/dx sum(sin(x) x):", np.round(numeric, 6), "exact:", np.round(exact, 6))

    dense = Dense(4, activation="tanh")
    dense.build((3,), rng)
    errors = check_layer_gradients(dense, rng.standard_normal((5, 3)), rng=rng)
    print("2. Dense relative errors:", {k: f"{v:.1e}" for k, v in errors.items()})

    buggy = SquareWithABug()
    buggy.build((3,))
    bug = check_layer_gradients(buggy, rng.standard_normal((5, 3)), rng=rng)["input"]
    print(f"3. the buggy layer's input gradient: relative error {bug:.2f} -> caught")

    net = Network([Conv2D(3, 3, padding="same", activation="relu"), MaxPool2D(2), Flatten(),
                   Dense(5, activation="tanh"), Dense(4)]).build((6, 6, 1), rng)
    labels = np.eye(4)[rng.integers(0, 4, 8)]
    errors = check_network_gradients(net, SoftmaxCrossEntropy(), rng.standard_normal(
        (8, 6, 6, 1)), labels)
    worst = max(errors.values())
    print(f"4. whole network, {len(errors)} arrays checked, worst relative error {worst:.1e}")
    return errors, bug


if __name__ == "__main__":
    main()
