"""
XOR with the hand-built layer engine
====================================

The classic from-scratch tutorial, on skscratch's engine without scikit-learn.

Two inputs, a hidden layer of 3 tanh units, one tanh output; squared error,
per-sample gradient descent at learning rate 0.1 for 1000 epochs.

Run: ``python examples/xor.py``
"""

import numpy as np

from skscratch import Network
from skscratch.layers import Dense, Tanh


def main():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)

    net = Network([Dense(3), Tanh(), Dense(1), Tanh()])
    net.fit(X, y, loss="mse", learning_rate=0.1, epochs=1000, batch_size=1, random_state=0)

    print(net.summary())
    predictions = net.predict(X).ravel()
    for inputs, p in zip(X.astype(int), predictions):
        print(f"{inputs[0]} XOR {inputs[1]} -> {p:+.3f} (rounds to {round(p)})")
    return predictions


if __name__ == "__main__":
    main()
