"""
Grid search on a dask cluster
=============================

Grid-search learning rates on a dask cluster through joblib's dask backend.

The script is the ordinary scikit-learn one; only the ``with`` block changes
where the work runs. Here a ``LocalCluster`` of two single-threaded worker
processes stands in for a real cluster. To use a real one, start a scheduler
and workers (``dask scheduler`` and ``dask worker tcp://HOST:8786 --nthreads 1``
on each machine, with skscratch installed) and replace the ``LocalCluster``
by ``Client("tcp://HOST:8786")``.

BLAS threads: each worker runs one fit at a time; give it as many BLAS threads
as the cores it owns (here one) so workers do not oversubscribe the machine,
e.g. by starting workers with ``OPENBLAS_NUM_THREADS=1`` (or
``OMP_NUM_THREADS=1`` for MKL builds) in their environment, as ``LocalCluster``
does below through ``env``.

Needs the optional extra: ``pip install ".[distributed]"``.
Run: ``python examples/distributed_grid_search.py``
"""

import warnings

import joblib
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch


def main(processes=True):
    from distributed import Client, LocalCluster

    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPFromScratch((64,), max_iter=50, random_state=0))
    grid = {"mlpfromscratch__learning_rate_init": [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]}
    # worker processes get one BLAS thread each (threads in-process share the parent's)
    options = {"env": {"OPENBLAS_NUM_THREADS": "1"}} if processes else {}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=processes,
                      dashboard_address=None, **options) as cluster, \
            Client(cluster) as client:
        print(f"dask cluster with {len(client.scheduler_info()['workers'])} workers")
        with warnings.catch_warnings(), joblib.parallel_backend("dask"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            search = GridSearchCV(pipe, grid, cv=5, n_jobs=-1).fit(X, y)
    for rate, score in zip(grid["mlpfromscratch__learning_rate_init"],
                           search.cv_results_["mean_test_score"]):
        print(f"learning_rate_init={rate:g}: mean CV accuracy {score:.4f}")
    print("best:", search.best_params_)
    return search


if __name__ == "__main__":
    main()
