"""
XOR with the hand-built layer engine
====================================

The classic from-scratch tutorial, on skscratch's engine without scikit-learn.

Two inputs, a hidden layer of 3 tanh units, one tanh output; squared error,
per-sample gradient descent at learning rate 0.1 for 1000 epochs. The figure
(with matplotlib) shows what the network learned between the four points.

Run: ``python examples/xor.py [--save DIR]`` (``--save`` also writes the figure
to ``DIR/xor.png``)
"""

import argparse
import os

import numpy as np

from skscratch import Network
from skscratch.layers import Dense, Tanh

try:
    import matplotlib.pyplot as plt
except ImportError:           # figures are optional: pip install "skscratch[plot]"
    plt = None


def plot(net, X, y):
    """The network's output over the unit square, with the four training points."""
    grid = np.linspace(-0.25, 1.25, 151)
    xx, yy = np.meshgrid(grid, grid)
    surface = net.predict(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    fig, ax = plt.subplots(figsize=(4.5, 3.8))
    image = ax.contourf(xx, yy, surface, levels=np.linspace(-0.2, 1.2, 15), cmap="coolwarm",
                        extend="both")
    ax.contour(xx, yy, surface, levels=[0.5], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=y.ravel(), cmap="coolwarm", norm=image.norm, s=120,
               edgecolors="k")
    fig.colorbar(image, ax=ax, label="network output")
    ax.set(xlabel="input 1", ylabel="input 2", title="XOR: the output (black: 0.5)")
    fig.tight_layout()
    return fig


def main(save_dir=None):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)

    net = Network([Dense(3), Tanh(), Dense(1), Tanh()])
    net.fit(X, y, loss="mse", learning_rate=0.1, epochs=1000, batch_size=1, random_state=0)

    print(net.summary())
    predictions = net.predict(X).ravel()
    for inputs, p in zip(X.astype(int), predictions):
        print(f"{inputs[0]} XOR {inputs[1]} -> {p:+.3f} (rounds to {round(p)})")
    if plt is not None:
        fig = plot(net, X, y)
        if save_dir:
            os.makedirs(save_dir, exist_ok=True)
            fig.savefig(os.path.join(save_dir, "xor.png"), dpi=100)
            print(f"figure saved to {os.path.join(save_dir, 'xor.png')}")
    return predictions


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="XOR with the hand-built layer engine.")
    parser.add_argument("--save", metavar="DIR", help="also save the figure into DIR")
    main(parser.parse_args().save)
    if plt is not None:
        plt.show()
