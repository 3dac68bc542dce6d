"""save: what a model file holds, round trips that predict and train on identically."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

import skscratch
from skscratch import ConvNetFromScratch, MLPFromScratch, Network, load, save
from tests.conftest import summary_text
from tests.persistence.model_files import fit_quietly, wide_and_deep

MODELS = [
    pytest.param(lambda: MLPFromScratch((8, 4), dropout=0.2, max_iter=5, random_state=0),
                 "labels", id="mlp-multiclass"),
    pytest.param(lambda: MLPFromScratch((8,), solver="sgd", max_iter=5, random_state=0),
                 "strings", id="mlp-binary-sgd"),
    pytest.param(lambda: MLPFromScratch((8,), task="regression", loss="huber", max_iter=5,
                                        early_stopping=True, random_state=0),
                 "values", id="mlp-regression"),
    pytest.param(lambda: MLPFromScratch((8,), task="regression", loss="poisson", max_iter=5,
                                        random_state=0),
                 "counts", id="mlp-poisson"),
    pytest.param(lambda: ConvNetFromScratch((3,), hidden_layer_sizes=(6,), batch_norm=True,
                                            max_iter=3, random_state=0),
                 "labels", id="convnet-batchnorm"),
]


def _targets(kind, X, y):
    return {"labels": y, "strings": np.where(y == 0, "setosa", "other"),
            "values": X[:, 0] * 2 - X[:, 3], "counts": np.round(X[:, 2])}[kind]


@pytest.mark.parametrize("make, kind", MODELS)
def test_round_trip_predicts_identically_and_keeps_training_identically(make, kind, iris,
                                                                         tmp_path):
    X, y = iris
    target = _targets(kind, X, y)
    model = fit_quietly(make(), X, target)
    save(model, tmp_path / "model.npz")
    loaded = load(tmp_path / "model.npz")
    assert type(loaded) is type(model)
    assert loaded.get_params() == {**model.get_params(),
                                   **{k: list(v) for k, v in model.get_params().items()
                                      if isinstance(v, tuple)}}
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    for name in ("n_iter_", "t_", "loss_curve_", "n_outputs_", "out_activation_",
                 "n_features_in_", "validation_scores_"):
        assert getattr(loaded, name) == getattr(model, name), name
    # optimizer moments and the random generator come back too: one more
    # epoch on each gives the same weights (partial_fit holds out nothing)
    model.set_params(early_stopping=False).partial_fit(X, target)
    loaded.set_params(early_stopping=False).partial_fit(X, target)
    for p, q in zip(model.network_.params, loaded.network_.params):
        np.testing.assert_array_equal(p, q)


def test_float32_models_and_feature_names(iris, tmp_path):
    X, y = iris
    frame = pd.DataFrame(X.astype(np.float32), columns=["a", "b", "c", "d"])
    model = fit_quietly(MLPFromScratch((8,), max_iter=3, random_state=0), frame, y)
    save(model, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert loaded.coefs_[0].dtype == np.float32
    np.testing.assert_array_equal(loaded.feature_names_in_, ["a", "b", "c", "d"])
    np.testing.assert_array_equal(loaded.predict_proba(frame), model.predict_proba(frame))


def test_summary_of_a_fitted_estimator(iris):
    X, y = iris
    model = fit_quietly(MLPFromScratch((8,), max_iter=2), X, y)
    assert "Total params: 67" in summary_text(model)       # 4*8+8 + 8*3+3
    with pytest.raises(NotFittedError):
        MLPFromScratch().summary()


def test_unfitted_and_foreign_objects_are_refused(tmp_path):
    with pytest.raises(NotFittedError):
        save(MLPFromScratch(), tmp_path / "m.npz")
    with pytest.raises(TypeError, match="skscratch estimator"):
        save(object(), tmp_path / "m.npz")


def test_callbacks_are_not_saved(iris, tmp_path):
    X, y = iris
    model = fit_quietly(MLPFromScratch((4,), max_iter=2, callbacks=[_never_stop]), X, y)
    with pytest.warns(UserWarning, match="callbacks are code"):
        save(model, tmp_path / "m.npz")
    assert load(tmp_path / "m.npz").callbacks is None


def _never_stop(estimator, record):
    return False


def test_module_api():
    assert skscratch.save is save and skscratch.load is load


def test_graph_models_and_networks_round_trip(iris, tmp_path):
    X, y = iris
    model = wide_and_deep()
    model.fit((X[:, :2], X[:, 1:]), (X[:, 3], X[:, :2]), epochs=3, learning_rate=1e-3,
              random_state=0)
    save(model, tmp_path / "graph.npz")
    loaded = load(tmp_path / "graph.npz")
    assert type(loaded) is skscratch.Model
    assert summary_text(loaded) == summary_text(model)
    for a, b in zip(loaded.predict((X[:, :2], X[:, 1:])), model.predict((X[:, :2], X[:, 1:]))):
        np.testing.assert_array_equal(a, b)
    from skscratch.layers import Dense
    net = Network([Dense(4, "relu", name="hidden"), Dense(3)]).build((4,), 0, np.float32)
    save(net, tmp_path / "net.npz")
    copy = load(tmp_path / "net.npz")
    assert copy.dtype == np.float32 and copy.layers[0].name == "hidden"
    np.testing.assert_array_equal(copy.predict(X), net.predict(X))
    with pytest.raises(RuntimeError, match="not built"):
        save(Network([Dense(2)]), tmp_path / "unbuilt.npz")


@pytest.mark.parametrize("solver", sorted(skscratch.optimizers.OPTIMIZERS))
def test_every_registered_optimizer_round_trips(solver, iris, tmp_path):
    X, y = iris
    model = fit_quietly(MLPFromScratch((6,), solver=solver, max_iter=3, random_state=0), X, y)
    save(model, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.network_.flat_params, model.network_.flat_params)


class _RMSprop(skscratch.optimizers.Optimizer):
    """An optimizer written as a user would add one: registered, and nothing else."""

    state_slots = ("square",)

    def __init__(self, learning_rate=0.01, rho=0.9):
        super().__init__(learning_rate)
        self.rho = rho

    def _update(self, params, grads):
        for p, g, sq in zip(params, grads, self._square):
            sq *= self.rho
            sq += (1 - self.rho) * g * g
            p -= self.learning_rate * g / (np.sqrt(sq) + 1e-8)


def test_a_newly_registered_optimizer_needs_no_change_to_persistence(iris, tmp_path,
                                                                     monkeypatch):
    from skscratch.estimators._sklearn_private import StrOptions
    from skscratch.optimizers import OPTIMIZERS
    monkeypatch.setitem(OPTIMIZERS, "rmsprop", _RMSprop)
    monkeypatch.setitem(MLPFromScratch._parameter_constraints, "solver",
                        [StrOptions(set(OPTIMIZERS))])
    X, y = iris
    model = fit_quietly(MLPFromScratch((6,), solver="rmsprop", max_iter=3, random_state=0), X, y)
    save(model, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.network_.flat_params, model.network_.flat_params)


def test_save_is_atomic_and_refuses_what_load_would_refuse(saved, iris, tmp_path, monkeypatch):
    X, y = iris
    good = saved.read_bytes()
    model = load(saved)

    def broken(f, **arrays):
        f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        save(model, saved)
    monkeypatch.undo()
    assert saved.read_bytes() == good                             # the good file survives
    assert [p.name for p in saved.parent.iterdir() if p.name.startswith(".skscratch")] == []
    dates = np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]")[y % 2]
    dated = fit_quietly(MLPFromScratch((4,), max_iter=2, random_state=0), X, dates)
    with pytest.raises(TypeError, match="datetime64"):
        save(dated, tmp_path / "dates.npz")
    assert not (tmp_path / "dates.npz").exists()


def test_what_save_writes_load_reads_back(iris, tmp_path):
    # three files save wrote and load refused: feature names beyond the columns an
    # inputs= layout reads, and a chain Model whose layers counted twice against the
    # layer limit; and labels over load's limit, now refused by save itself
    from skscratch import Model, NetworkEstimator
    from skscratch.layers import Dense, Input
    X, y = iris
    wide = pd.DataFrame(np.tile(X, (1, 250)), columns=[f"f{i:04d}" for i in range(1000)])
    est = fit_quietly(NetworkEstimator(inputs=[range(0, 5)], max_iter=2, random_state=0),
                      wide, y)
    save(est, tmp_path / "subset.npz")
    np.testing.assert_array_equal(load(tmp_path / "subset.npz").predict(wide), est.predict(wide))
    tensor = inputs = Input((4,))
    for _ in range(1100):
        tensor = Dense(2)(tensor)
    chain = Model(inputs, tensor).build()
    save(chain, tmp_path / "chain.npz")
    np.testing.assert_array_equal(load(tmp_path / "chain.npz").predict(X), chain.predict(X))
    labels = np.array(["a" * 2000, "b", "c"])[y]
    with pytest.raises(ValueError, match="load.. would refuse .* at most 1,024 characters"):
        save(fit_quietly(MLPFromScratch((4,), max_iter=2), X, labels), tmp_path / "long.npz")
    assert not (tmp_path / "long.npz").exists()


def test_an_lbfgs_fit_round_trips_without_optimizer_state(iris, tmp_path):
    # solver="lbfgs" keeps no optimizer: the header says so (null), and the loaded
    # estimator warm-starts exactly as the saved one
    X, y = iris
    model = fit_quietly(MLPFromScratch((6,), solver="lbfgs", max_iter=8, warm_start=True,
                                       random_state=0), X, y)
    save(model, tmp_path / "m.npz")
    header, arrays = model._file_contents()
    assert header["optimizer"] is None and not any(k.startswith("moment.") for k in arrays)
    loaded = load(tmp_path / "m.npz")
    assert loaded.max_fun == 15000 and loaded._fitted.optimizer is None
    assert loaded.loss_curve_ == model.loss_curve_ and loaded.n_iter_ == model.n_iter_
    for est in (model, loaded):
        fit_quietly(est.set_params(max_iter=4), X, y)
    np.testing.assert_array_equal(loaded.network_.flat_params, model.network_.flat_params)
    # a mini-batch solver set afterwards starts a fresh optimizer, as in memory
    loaded.set_params(solver="adam").partial_fit(X, y)
    assert loaded.n_iter_ == 1
