"""The validation split behind early_stopping, and the score of its held-out part."""

import numpy as np
import pytest

from skscratch import Network
from skscratch.estimators._fitted import FittedState
from skscratch.estimators._holdout import validation_split
from skscratch.estimators._targets import ClassificationTarget
from skscratch.layers import Dense


def _fitted(y):
    target = ClassificationTarget.from_y(y)
    network = Network([Dense(target.n_outputs)]).build((2,), np.random.default_rng(0))
    return FittedState(network, target, None, None, None)


def test_a_stratified_split_and_a_score_of_the_held_out_samples():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 2)), np.repeat([0, 1], 20)
    fitted = _fitted(y)
    Y = fitted.target.encode(y, X.dtype)
    X_tr, Y_tr, w_tr, score = validation_split((X, y, Y, None), fitted, 0.25, True, rng)
    assert X_tr.shape == (30, 2) and Y_tr.shape == (30, 1) and w_tr is None
    assert Y_tr.sum() == 15                                    # stratified: 15 of each class
    assert 0.0 <= score()["validation_score"] <= 1.0


def test_overflowing_predictions_score_nan_with_a_warning():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 2)), np.repeat([0, 1], 20)
    fitted = _fitted(y)
    _, _, _, score = validation_split((X, y, fitted.target.encode(y, X.dtype), None),
                                      fitted, 0.25, True, rng)
    fitted.network.flat_params[:] = np.inf
    with pytest.warns(RuntimeWarning, match="validation predictions overflowed"):
        assert np.isnan(score()["validation_score"])
