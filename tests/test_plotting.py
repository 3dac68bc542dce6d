"""Displays render with the Agg backend when matplotlib is installed."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skscratch import ConvNetFromScratch, MLPFromScratch
from skscratch.plotting import LossCurveDisplay, WeightsDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16, y[:300]


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def test_loss_curve_with_validation_scores(digits, tmp_path):
    model = _fit(MLPFromScratch((16,), max_iter=8, early_stopping=True, random_state=0), *digits)
    display = LossCurveDisplay.from_estimator(model)
    line = display.ax_.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), model.loss_curve_)
    assert len(display.figure_.axes) == 2            # a twin axis for the scores
    display.figure_.savefig(tmp_path / "curve.png")
    assert (tmp_path / "curve.png").stat().st_size > 5_000


def test_loss_curve_without_validation(digits):
    model = _fit(MLPFromScratch((16,), max_iter=3, random_state=0), *digits)
    display = LossCurveDisplay.from_estimator(model)
    assert len(display.figure_.axes) == 1


def test_weights_of_dense_and_conv_layers(digits):
    mlp = _fit(MLPFromScratch((10,), max_iter=2, random_state=0), *digits)
    display = WeightsDisplay.from_estimator(mlp)
    assert display.weights.shape == (10, 8, 8)        # 64 inputs: 8x8 images
    np.testing.assert_array_equal(display.weights[3], mlp.coefs_[0][:, 3].reshape(8, 8))
    assert len(display.axes_) == 10
    conv = _fit(ConvNetFromScratch((6,), max_iter=1, random_state=0), *digits)
    display = WeightsDisplay.from_estimator(conv)
    assert display.weights.shape == (6, 3, 3)
    np.testing.assert_array_equal(display.weights[2], conv.coefs_[0][:, :, 0, 2])
