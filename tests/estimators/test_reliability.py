"""Determinism, interruption, data larger than memory, streaming."""

import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import ConvNetFromScratch, MLPFromScratch

ESTIMATORS = [
    pytest.param(lambda **kw: MLPFromScratch((16,), **kw), id="mlp"),
    pytest.param(lambda **kw: ConvNetFromScratch((4,), hidden_layer_sizes=(8,), **kw),
                 id="convnet"),
]


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


@pytest.mark.parametrize("make", ESTIMATORS)
def test_same_seed_gives_bit_identical_models(make, digits):
    X, y = digits[0][:400], digits[1][:400]
    a = _quiet(make(max_iter=5, dropout=0.2, random_state=7).fit, X, y)
    b = _quiet(make(max_iter=5, dropout=0.2, random_state=7).fit, X, y)
    for p, q in zip(a.network_.params, b.network_.params):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.predict_proba(X), a.predict_proba(X))
    other = _quiet(make(max_iter=5, dropout=0.2, random_state=8).fit, X, y)
    assert not np.array_equal(other.network_.params[0], a.network_.params[0])


def _global_position():
    state = np.random.get_state()
    # the whole state, position included: the key array alone only changes
    # every 624 draws, which would hide a draw
    return state[1].copy(), state[2:]


def test_a_seeded_fit_never_touches_the_global_random_state(digits):
    X, y = digits[0][:200], digits[1][:200]
    for make in (lambda: MLPFromScratch((8,), dropout=0.3, early_stopping=True),
                 lambda: ConvNetFromScratch((2,), hidden_layer_sizes=(4,), early_stopping=True)):
        before = _global_position()
        _quiet(make().set_params(max_iter=2, random_state=3).fit, X, y)
        after = _global_position()
        np.testing.assert_array_equal(after[0], before[0])
        assert after[1] == before[1]


def test_parallel_search_and_cv_match_serial(digits):
    X, y = digits[0][:500], digits[1][:500]
    pipe = make_pipeline(StandardScaler(), MLPFromScratch((16,), max_iter=10, random_state=0))
    grid = {"mlpfromscratch__learning_rate_init": [1e-3, 1e-2]}
    one = _quiet(GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit, X, y).cv_results_
    two = _quiet(GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit, X, y).cv_results_
    np.testing.assert_array_equal(one["mean_test_score"], two["mean_test_score"])
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    np.testing.assert_array_equal(_quiet(cross_val_score, pipe, X, y, cv=cv, n_jobs=1),
                                  _quiet(cross_val_score, pipe, X, y, cv=cv, n_jobs=2))


def test_pickles_carry_weights_not_training_caches(digits):
    X, y = digits
    est = _quiet(ConvNetFromScratch((4,), hidden_layer_sizes=(64,), dropout=0.0, max_iter=2,
                                    random_state=0).fit, X, y)
    restored = pickle.loads(pickle.dumps(est))
    assert all(getattr(layer, "_cache", None) is None and getattr(layer, "_cols", None) is None
               for layer in restored.network_.layers)
    assert len(pickle.dumps(est)) < 200_000      # weights only: no cached batches
    restored.partial_fit(X[:100], y[:100])       # and it still trains


def test_keyboard_interrupt_leaves_the_estimator_as_it_was(digits, monkeypatch):
    X, y = digits
    from skscratch.training import Trainer
    original, calls = Trainer.run_epoch, {"n": 0}

    def interrupted_on_the_fourth_epoch(self, *args):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(self, *args)

    fresh = MLPFromScratch((16,), max_iter=50, random_state=0)
    previous = _quiet(MLPFromScratch((16,), max_iter=3, random_state=0).fit, X, y)
    before = previous.predict_proba(X)
    previous.set_params(max_iter=50)
    monkeypatch.setattr(Trainer, "run_epoch", interrupted_on_the_fourth_epoch)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    assert not hasattr(fresh, "n_iter_")        # a first fit: unfitted, as before
    calls["n"] = 0
    with pytest.raises(KeyboardInterrupt):
        previous.fit(X, y)                      # a refit: the previous model, untouched
    assert previous.n_iter_ == 3 and len(previous.loss_curve_) == 3
    np.testing.assert_array_equal(previous.predict_proba(X), before)


@pytest.mark.parametrize("make, shape", [
    pytest.param(ESTIMATORS[0].values[0], (64,), id="mlp"),
    pytest.param(ESTIMATORS[1].values[0], (8, 8, 1), id="convnet",
                 marks=pytest.mark.slow),
])
def test_training_on_a_memmap_only_materialises_batches(make, shape, tmp_path):
    n = 200_000
    rng = np.random.default_rng(0)
    X = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=np.float32,
                                  shape=(n, *shape))
    for start in range(0, n, 5000):     # written in chunks, as a real pipeline would
        X[start:start + 5000] = rng.random((5000, *shape), dtype=np.float32)
    y = (np.asarray(X[:, 0]).reshape(n, -1)[:, 0] > 0.5).astype(int)
    X.flush()
    X = np.load(tmp_path / "X.npy", mmap_mode="r")
    data_mib = X.nbytes / 2**20
    est = make(max_iter=1, batch_size=128, random_state=0)
    tracemalloc.start()
    _quiet(est.fit, X, y)
    est.predict(X)
    peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    # the data is ~50 MiB; peak memory is the batch and prediction chunk
    # (~4 MiB) plus what scales with n at a few bytes a sample (labels, the
    # shuffled index, predictions): far below one copy of the data
    assert peak_mib < data_mib / 4, (peak_mib, data_mib)
    assert est.score(X[:2000], y[:2000]) > 0.9


def test_partial_fit_streaming_matches_a_full_fit(digits):
    X, y = digits
    X_train, y_train, X_test, y_test = X[:1400], y[:1400], X[1400:], y[1400:]
    full = _quiet(MLPFromScratch((64,), max_iter=30, random_state=0).fit, X_train, y_train)
    stream = MLPFromScratch((64,), random_state=0)
    chunks = np.array_split(np.arange(1400), 7)
    for _ in range(30):
        for chunk in chunks:
            stream.partial_fit(X_train[chunk], y_train[chunk], classes=np.arange(10))
    assert stream.score(X_test, y_test) > full.score(X_test, y_test) - 0.03
    assert stream.score(X_test, y_test) > 0.85


@pytest.mark.parametrize("make", ESTIMATORS)
def test_training_continues_identically_after_a_pickle_round_trip(make, digits):
    # parameters live in one flat array with per-layer views; unpickling must
    # re-link them, or the optimizer would update an array no layer reads
    X, y = digits[0][:300], digits[1][:300]
    model = _quiet(make(max_iter=2, random_state=0).fit, X, y)
    copy = pickle.loads(pickle.dumps(model))
    for m in (model, copy):
        m.partial_fit(X, y)
    for p, q in zip(model.network_.params, copy.network_.params):
        np.testing.assert_array_equal(p, q)
    assert copy.coefs_[0] is copy.network_.layers[0].params["W"]
    assert np.shares_memory(copy.coefs_[0], copy.network_.flat_params)


def test_several_threads_predict_at_once_and_agree(digits):
    # inference writes nothing to the layers: concurrent predictions (batch norm and
    # dropout included) are each exactly the single-threaded one
    import threading
    X, y = digits[0][:300], digits[1][:300]
    model = _quiet(ConvNetFromScratch((4,), hidden_layer_sizes=(8,), batch_norm=True,
                                      dropout=0.3, max_iter=2, random_state=0).fit, X, y)
    expected, results = model.predict_proba(X), []

    def predict():
        results.extend(model.predict_proba(X) for _ in range(5))

    threads = [threading.Thread(target=predict) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20
    for proba in results:
        np.testing.assert_array_equal(proba, expected)
