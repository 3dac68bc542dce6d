"""Model files keep what compile set, as Keras's do; weights files hold the weights alone."""

import numpy as np
import pytest

import skscratch
from skscratch import Network
from skscratch.layers import Dense, Input, Normalization, concatenate
from skscratch.optimizers import SGD
from tests.persistence.model_files import edit_header, rewrite


def _compiled_model(rng):
    wide, deep = Input((2,), name="wide"), Input((3,), name="deep")
    norm = Normalization()
    hidden = Dense(6, "relu")(norm(deep))
    model = skscratch.Model([wide, deep], [Dense(1, name="main")(concatenate([wide, hidden])),
                                           Dense(3, "softmax", name="aux")(hidden)])
    model.compile(loss=["huber", "sparse_categorical_crossentropy"], loss_weights=[0.7, 0.3],
                  optimizer="adam", metrics={"main": ["mae"], "aux": ["accuracy"]})
    X = (rng.standard_normal((40, 2)), rng.standard_normal((40, 3)) * 5 + 2)
    y = (rng.standard_normal(40), rng.integers(0, 3, 40))
    norm.adapt(X[1])
    model.fit(X, y, epochs=3, batch_size=10, random_state=0)
    return model, X, y


def test_a_loaded_model_is_compiled_and_trains_on_as_the_saved_one(rng, tmp_path):
    model, X, y = _compiled_model(rng)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = skscratch.load(path)
    assert loaded.evaluate(X, y) == model.evaluate(X, y)
    assert loaded.optimizer.t == model.optimizer.t == 12
    loaded.fit(X, y, epochs=2, batch_size=10, random_state=1)
    model.fit(X, y, epochs=2, batch_size=10, random_state=1)
    np.testing.assert_array_equal(loaded.flat_params, model.flat_params)
    assert loaded.history == model.history


@pytest.mark.parametrize("edit, message", [
    (lambda h: h["compiled"]["loss"][0].update(name="cross"), "Unknown loss 'cross'"),
    (lambda h: h["compiled"]["loss"][0]["config"].update(delta=-1), "delta must be positive"),
    (lambda h: h["compiled"]["loss"][0]["config"].update(code="x"), "settings are not Huber's"),
    (lambda h: h["compiled"]["optimizer"].update(name="adagrad"), "Unknown optimizer"),
    (lambda h: h["compiled"]["optimizer"]["config"].update(beta_1=2.0), "beta_1 must lie"),
    (lambda h: h["compiled"].update(metrics={"main": [3]}), "not metric names"),
    (lambda h: h["compiled"].update(loss_weights=[1e400, 1]), "loss_weights must be finite"),
    (lambda h: h["compiled"]["optimizer"].update(n_arrays=5), "optimizer arrays"),
])
def test_a_tampered_compile_is_refused(edit, message, rng, tmp_path):
    model, _, _ = _compiled_model(rng)
    model.save(tmp_path / "good.npz")
    rewrite(tmp_path / "good.npz", tmp_path / "bad.npz", edit_header(edit))
    with pytest.raises(ValueError, match=message):
        skscratch.load(tmp_path / "bad.npz")


def test_weights_files_restore_the_weights_and_refuse_what_does_not_fit(rng, tmp_path):
    model, X, y = _compiled_model(rng)
    model.save_weights(tmp_path / "w.weights.npz")
    before = model.get_weights()
    model.fit(X, y, epochs=1)
    model.load_weights(tmp_path / "w.weights.npz")
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    other = Network([Dense(2)]).build((3,), rng)
    with pytest.raises(ValueError, match="its arrays have shapes"):
        other.load_weights(tmp_path / "w.weights.npz")
    model.save(tmp_path / "whole.npz")
    with pytest.raises(ValueError, match="not a weights file"):
        model.load_weights(tmp_path / "whole.npz")
    for path in ("w.h5", "w.weights.h5", "w.hdf5"):
        with pytest.raises(ValueError, match="names an HDF5 file.*npz"):
            model.save_weights(tmp_path / path)
        with pytest.raises(ValueError, match="names an HDF5 file"):
            model.save(tmp_path / path)
    with pytest.raises(ValueError, match="save_format='tf'"):
        model.save(tmp_path / "m", save_format="tf")
    nan = [w * np.nan for w in before]
    rewrite(tmp_path / "w.weights.npz", tmp_path / "nan.npz",
            lambda arrays: arrays.update({f"weight.{i}": w for i, w in enumerate(nan)}))
    with pytest.raises(ValueError, match="non-finite weights"):
        model.load_weights(tmp_path / "nan.npz")
    for a, b in zip(model.get_weights(), before):       # refused: unchanged
        np.testing.assert_array_equal(a, b)


def test_an_uncompiled_model_file_loads_uncompiled(rng, tmp_path):
    model = Network([Dense(2)]).build((3,), rng)
    model.save(tmp_path / "m.npz")
    loaded = skscratch.load(tmp_path / "m.npz")
    assert getattr(loaded, "compiled", None) is None
    loaded.compile(loss="mse", optimizer=SGD(0.1))
    assert loaded.evaluate(np.zeros((2, 3)), np.zeros((2, 2))) >= 0
