"""Sparse X (as scikit-learn's MLP accepts it): CSR batches into the first Dense layer."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from skscratch import ConvNetFromScratch, MLPFromScratch, Model, NetworkEstimator
from skscratch.layers import Concatenate, Dense, Input


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_trains_and_predicts_like_dense(fmt):
    X, y = load_digits(return_X_y=True)
    X = X / 16
    dense = _fit(MLPFromScratch((32,), max_iter=5, random_state=0), X, y)
    sparse = _fit(MLPFromScratch((32,), max_iter=5, random_state=0), sp.csr_matrix(X)
                  .asformat(fmt), y)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X).asformat(fmt)),
                               dense.predict_proba(X), rtol=1e-10, atol=1e-12)
    dense.partial_fit(X[:200], y[:200])
    sparse.partial_fit(sp.csr_matrix(X[:200]), y[:200])
    np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-9, atol=1e-12)


def test_regression_on_sparse_input():
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.min(0)) / (X.max(0) - X.min(0))
    X[X < 0.3] = 0                                             # mostly zeros
    params = dict(hidden_layer_sizes=(16,), learning_rate_init=0.05, max_iter=100,
                  random_state=0)
    est = _fit(MLPFromScratch(task="regression", **params), sp.csr_matrix(X), y)
    theirs = _fit(MLPRegressor(**params), sp.csr_matrix(X), y)   # the same model
    np.testing.assert_allclose(est.predict(sp.csr_matrix(X)), theirs.predict(X), rtol=1e-8)
    assert est.score(sp.csr_matrix(X), y) > 0.3


def test_a_wide_sparse_matrix_is_never_densified_beyond_a_batch():
    rng = np.random.default_rng(0)
    n, d = 2000, 200_000                       # dense float64: 3.2 GB
    nnz = 20_000                               # 10 values per row
    X = sp.csr_matrix((rng.standard_normal(nnz), (rng.integers(0, n, nnz),
                                                  rng.integers(0, d, nnz))), shape=(n, d))
    y = rng.integers(0, 2, n)
    tracemalloc.start()
    est = _fit(MLPFromScratch((4,), batch_size=100, max_iter=2, random_state=0), X, y)
    est.predict_proba(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100 * 2**20                    # the (200,000 x 4) weights are 6 MB


def test_models_whose_inputs_meet_other_layers_get_dense_batches():
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)

    def wide_and_deep(input_shape, n_outputs):
        (n_wide,), (n_deep,) = input_shape
        wide, deep = Input((n_wide,)), Input((n_deep,))
        h = Dense(16, "relu")(deep)                             # takes the sparse rows
        return Model([wide, deep], Dense(n_outputs)(Concatenate()([wide, h])))   # densifies

    kwargs = dict(inputs=[range(0, 5), range(2, 8)], task="regression", max_iter=5,
                  random_state=0)
    dense = _fit(NetworkEstimator(wide_and_deep, **kwargs), X, y)
    sparse = _fit(NetworkEstimator(wide_and_deep, **kwargs), sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict(sp.csr_matrix(X)), dense.predict(X), rtol=1e-9)


def test_the_convnet_refuses_sparse_input_clearly():
    X, y = load_digits(return_X_y=True)
    with pytest.raises(TypeError, match="[Ss]parse"):
        ConvNetFromScratch(max_iter=1).fit(sp.csr_matrix(X), y)
