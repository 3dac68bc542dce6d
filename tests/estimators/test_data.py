"""What a fit is given, made ready: targets encoded per task and back, and the
validation split behind early_stopping.
"""

import numpy as np
import pytest

from skscratch import Network
from skscratch.estimators._data import (
    ClassificationTarget,
    RegressionTarget,
    check_classes,
    make_target,
    validation_split,
)
from skscratch.estimators._state import FittedState
from skscratch.layers import Dense


def test_the_task_and_loss_choose_the_target():
    y = np.array([0, 2, 1, 2])
    target = make_target(True, "auto", y, [0, 1, 2, 3])
    assert isinstance(target, ClassificationTarget) and target.classes.tolist() == [0, 1, 2, 3]
    assert isinstance(make_target(False, "auto", y * 1.5), RegressionTarget)
    with pytest.raises(ValueError, match="is a regression loss"):
        make_target(True, "absolute_error", y)
    with pytest.raises(ValueError, match="use task='classification'"):
        make_target(False, "log_loss", y)


def test_the_classes_of_first_and_continued_calls():
    y, known = np.array([0, 1, 1]), np.array([0, 1, 2])
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        check_classes(y, None, None, incremental=True)
    check_classes(np.eye(3, dtype=int), None, None, incremental=True)    # multilabel: no need
    check_classes(y, [2, 1, 0], known, incremental=True)
    check_classes(y, None, known, incremental=True)                      # a chunk of them
    with pytest.raises(ValueError, match="is not the same as on last call"):
        check_classes(y, [0, 1], known, incremental=True)
    with pytest.raises(ValueError, match="warm_start can only be used"):
        check_classes(y, None, known, incremental=False)
    check_classes(np.array([2, 0, 1]), None, known, incremental=False)


def test_a_poisson_target_predicts_exp_refuses_negatives_and_starts_at_the_log_mean():
    target = make_target(False, "poisson", np.array([0.0, 2.0, 4.0]))
    assert target.out_activation == "exp" and target.loss_name == "poisson"
    np.testing.assert_allclose(target.decode(np.log([[1.5], [3.0]])), [1.5, 3.0], rtol=1e-15)
    with pytest.raises(ValueError, match="requires non-negative y"):
        target.encode(np.array([1.0, -2.0]), np.float64)
    bias = np.empty(2)
    two = RegressionTarget(2, False, "poisson")
    two.init_output_bias(bias, np.array([[0.0, 1.0], [0.0, 3.0]]), np.array([1.0, 3.0]))
    assert bias.tolist() == [0.0, np.log(2.5)]      # all-zero counts: left at 0
    identity = RegressionTarget(1, True, "squared_error")
    assert identity.out_activation == "identity"
    identity.init_output_bias(bias[:1], np.array([[1.0], [4.0]]))
    assert bias[0] == 2.5


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
