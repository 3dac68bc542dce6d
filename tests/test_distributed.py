"""Grid search scales out through joblib's dask backend with identical results.

Skipped only when the optional ``distributed`` extra is absent; the test extra
installs it, so CI runs this.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


def test_grid_search_on_a_local_dask_cluster_matches_serial():
    X, y = load_digits(return_X_y=True)
    X, y = X[:600], y[:600]
    pipe = make_pipeline(StandardScaler(), MLPFromScratch((16,), max_iter=15, random_state=0))
    grid = {"mlpfromscratch__learning_rate_init": [1e-3, 1e-2]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            with joblib.parallel_backend("dask"):
                scaled = GridSearchCV(pipe, grid, cv=3, n_jobs=-1).fit(X, y)
            assert len(client.scheduler_info()["workers"]) == 2
    np.testing.assert_array_equal(scaled.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    assert scaled.best_params_ == serial.best_params_
