"""Benchmark data: learnable synthetic sets (seeded) and scikit-learn's digits."""

import numpy as np
from sklearn.datasets import load_digits


def blobs(n_samples, n_features=784, n_classes=10, seed=0):
    """Gaussian clusters around random class centres: learnable, not trivial."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_classes, n_features)).astype(np.float32)
    y = rng.integers(0, n_classes, n_samples)
    X = centres[y] + 3.0 * rng.standard_normal((n_samples, n_features), dtype=np.float32)
    return X.astype(np.float32), y


def images(n_samples, side=28, n_classes=10, seed=0):
    """Noisy class templates (smooth random blobs) as ``(n, side, side, 1)`` images."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(-1, 1, side, dtype=np.float32)
    yy, xx = np.meshgrid(grid, grid, indexing="ij")
    templates = []
    for _ in range(n_classes):
        cx, cy = rng.uniform(-0.6, 0.6, (2, 3))
        templates.append(sum(np.exp(-((xx - a) ** 2 + (yy - b) ** 2) / 0.08)
                             for a, b in zip(cx, cy)))
    templates = np.stack(templates)
    y = rng.integers(0, n_classes, n_samples)
    X = templates[y] + 0.5 * rng.standard_normal((n_samples, side, side), dtype=np.float32)
    return X[..., None].astype(np.float32), y


def digits_images():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32).reshape(-1, 8, 8, 1), y
