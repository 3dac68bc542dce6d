"""Shared helpers of the examples: data loaders with an offline fallback, figures.

The real loaders use scikit-learn's fetchers, which cache downloads under
``~/scikit_learn_data``. When the data cannot be fetched (no network, or
``SKSCRATCH_OFFLINE=1``), they say so and return a bundled stand-in instead,
so every example runs anywhere.
"""

import os
import socket
import warnings

import numpy as np
from sklearn.datasets import fetch_california_housing, fetch_openml, load_diabetes, load_digits

TIMEOUT_SECONDS = 15


def _fetch(fetcher, **kwargs):
    """Call a scikit-learn fetcher, or return None when it cannot reach its data."""
    if os.environ.get("SKSCRATCH_OFFLINE") == "1":
        return None
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(TIMEOUT_SECONDS)   # a silent network must not hang us
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)   # the fetchers' retry notes
            return fetcher(**kwargs)
    except (OSError, ValueError) as exc:
        print(f"could not fetch the data ({type(exc).__name__}: {exc})")
        return None
    finally:
        socket.setdefaulttimeout(previous)


def fashion_mnist_or_digits():
    """``(X, y, name)``: Fashion-MNIST (70,000 28x28 images) or, offline, the 8x8 digits."""
    data = _fetch(fetch_openml, name="Fashion-MNIST", version=1, as_frame=False,
                  parser="liac-arff", n_retries=1, delay=0.5)
    if data is None:
        print("using scikit-learn's bundled digits instead (1,797 8x8 images)")
        X, y = load_digits(return_X_y=True)
        return X.astype(np.float32) / 16, y, "digits"
    return data.data.astype(np.float32) / 255, data.target.astype(int), "Fashion-MNIST"


def california_or_diabetes():
    """``(X, y, name)``: California housing (20,640 districts) or, offline, diabetes."""
    data = _fetch(fetch_california_housing, n_retries=1, delay=0.5)
    if data is None:
        print("using scikit-learn's bundled diabetes data instead (442 patients)")
        X, y = load_diabetes(return_X_y=True)
        return X, y, "diabetes"
    return data.data, data.target, "California housing"


def california_or_stand_in(n_samples=4000):
    """``(X, y, name)``: California housing or, offline, a synthetic stand-in of its shape.

    The stand-in has California's 8 features (income, house age, rooms,
    bedrooms, population, occupancy, latitude, longitude, at their scales)
    and a nonlinear target in hundreds of thousands of dollars, so code
    written for California (its 5 "wide" and 6 "deep" columns) runs as is.
    """
    data = _fetch(fetch_california_housing, n_retries=1, delay=0.5)
    if data is not None:
        return data.data, data.target, "California housing"
    print(f"using a synthetic stand-in of California housing instead ({n_samples:,} rows)")
    rng = np.random.RandomState(42)
    scale = [1.9, 12.6, 2.5, 0.5, 1132, 10, 2.1, 2.0]
    center = [3.9, 28.6, 5.4, 1.1, 1425, 3.1, 35.6, -119.6]
    X = rng.standard_normal((n_samples, 8)) * scale + center
    y = (0.4 * X[:, 0] + 0.01 * X[:, 1] + 0.3 * np.tanh(X[:, 2] - 5)
         + 0.5 * np.sin(X[:, 6] - 35) * np.cos(X[:, 7] + 119)
         + 0.1 * rng.standard_normal(n_samples))
    return X, y, "synthetic housing"


def save_figure(fig, save_dir, name):
    """Save ``fig`` as ``save_dir/name`` when a folder was asked for; return the path."""
    if not save_dir:
        return None
    os.makedirs(save_dir, exist_ok=True)
    path = os.path.join(save_dir, name)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    print(f"figure saved to {path}")
    return path


def plot_learning_curves(model, save_dir=None, name="learning_curves.png"):
    """Draw the model's loss and validation curves (and save them when asked).

    Returns the figure, or None when matplotlib is not installed.
    """
    try:
        from skscratch.plotting import LossCurveDisplay
        fig = LossCurveDisplay.from_estimator(model).figure_
    except ImportError:
        print("matplotlib is not installed: no figure")
        return None
    save_figure(fig, save_dir, name)
    return fig


def show_figures():
    """Show the figures drawn, in windows; nothing without matplotlib or a display."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    plt.show()
