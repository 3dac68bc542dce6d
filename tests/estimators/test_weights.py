"""coefs_ and intercepts_: the network's own arrays, assigned only after every check.

Side by side with scikit-learn's MLP, assignment is also covered by
``test_sklearn_parity.py``.
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skscratch import MLPFromScratch, NetworkEstimator
from skscratch.estimators._prediction import WeightList


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    return X, (X[:, 0] > 0).astype(int)


def _fitted(data, dtype=np.float64):
    X, y = data
    return MLPFromScratch((5,), max_iter=2, random_state=0).fit(X.astype(dtype), y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_lists_are_views_of_the_network_in_layer_order(data):
    est = _fitted(data)
    assert isinstance(est.coefs_, WeightList) and isinstance(est.intercepts_, WeightList)
    assert [c.shape for c in est.coefs_] == [(4, 5), (5, 1)]
    assert [b.shape for b in est.intercepts_] == [(5,), (1,)]
    assert all(np.shares_memory(c, est.network_.flat_params) for c in est.coefs_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_item_assignment_is_checked_and_cast_to_the_networks_dtype(data):
    est = _fitted(data, np.float32)
    est.coefs_[1] = np.ones((5, 1), dtype=np.int64)
    assert est.coefs_[1].dtype == np.float32 and (est.coefs_[1] == 1).all()
    with pytest.raises(ValueError, match=r"coefs_\[1\] must be a finite numeric array"):
        est.coefs_[1] = np.full((5, 1), 1e39)                   # not finite in float32
    with pytest.raises(ValueError, match=r"intercepts_\[0\] .* got shape \(4,\)"):
        est.intercepts_[0] = np.zeros(4)
    with pytest.raises(TypeError, match="one index at a time"):
        est.coefs_[0:1] = [np.zeros((4, 5))]
    assert (est.coefs_[1] == 1).all()


def test_unfitted_estimators_have_no_weights():
    for est in (MLPFromScratch(), NetworkEstimator()):
        with pytest.raises(NotFittedError):
            est.coefs_
        with pytest.raises(NotFittedError):
            est.intercepts_ = []
