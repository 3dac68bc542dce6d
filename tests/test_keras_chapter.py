"""The Keras chapter's code with only its imports renamed, on offline data.

Each test is one section of the chapter ("Implementing MLPs with Keras"), written as
the chapter writes it; the imports below are the only translation:

    keras.models.Sequential      -> skscratch.Network
    keras.models.Model           -> skscratch.Model
    keras.layers / callbacks / optimizers -> skscratch.layers / callbacks / optimizers
    keras.models.load_model      -> skscratch.load
    keras.utils.set_random_seed  -> skscratch.set_random_seed
    scikeras's KerasRegressor    -> skscratch.NetworkRegressor

The digits (8x8 images) stand in for Fashion-MNIST (28x28), and a synthetic
8-feature regression for California housing; file names avoid the .h5 suffix,
which skscratch refuses by name (it writes no HDF5).
"""

import importlib.util
import os
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RandomizedSearchCV, train_test_split

from skscratch import Model, callbacks, layers, optimizers, set_random_seed
from skscratch import Network as Sequential
from skscratch import NetworkRegressor as KerasRegressor
from skscratch import load as load_model


@pytest.fixture(scope="module")
def images():
    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 8, 8) * 16           # pixel values 0-255 as Fashion-MNIST's
    X_train_full, X_test, y_train_full, y_test = train_test_split(
        X, y, test_size=297, random_state=42)
    X_train, y_train = X_train_full[:-300], y_train_full[:-300]
    X_valid, y_valid = X_train_full[-300:], y_train_full[-300:]
    X_train, X_valid, X_test = X_train / 255., X_valid / 255., X_test / 255.
    return X_train, y_train, X_valid, y_valid, X_test, y_test


@pytest.fixture(scope="module")
def housing():
    """California housing's shape: 8 features, a nonlinear positive target."""
    rng = np.random.RandomState(42)
    X = rng.standard_normal((3000, 8)) * [1.9, 12.6, 2.5, 0.5, 1132, 10, 2.1, 2.0] + [
        3.9, 28.6, 5.4, 1.1, 1425, 3.1, 35.6, -119.6]
    y = (0.4 * X[:, 0] + 0.01 * X[:, 1] + 0.3 * np.tanh(X[:, 2] - 5)
         + 0.5 * np.sin(X[:, 6] - 35) * np.cos(X[:, 7] + 119) + 0.1 * rng.standard_normal(3000))
    X_train_full, X_test, y_train_full, y_test = train_test_split(X, y, random_state=42)
    X_train, X_valid, y_train, y_valid = train_test_split(X_train_full, y_train_full,
                                                          random_state=42)
    return X_train, y_train, X_valid, y_valid, X_test, y_test


def test_image_classifier_with_the_sequential_api(images):
    X_train, y_train, X_valid, y_valid, X_test, y_test = images
    set_random_seed(42)
    model = Sequential()
    model.add(layers.Input(shape=[8, 8]))
    model.add(layers.Flatten())
    model.add(layers.Dense(300, activation="relu"))
    model.add(layers.Dense(100, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    # the same model, Keras 2's way
    same = Sequential([
        layers.Flatten(input_shape=[8, 8]),
        layers.Dense(300, activation="relu"),
        layers.Dense(100, activation="relu"),
        layers.Dense(10, activation="softmax")
    ])
    lines = []
    model.summary(print_fn=lines.append)
    assert "Total params: 50,610" in lines[0]             # 64*300+300 + 300*100+100 + 1010
    hidden1 = model.layers[1]
    assert model.get_layer("dense") is hidden1
    weights, biases = hidden1.get_weights()
    assert weights.shape == (64, 300) and biases.shape == (300,) and not biases.any()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["accuracy"])
    history = model.fit(X_train, y_train, epochs=30, validation_data=(X_valid, y_valid))
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(history.history)
    assert list(frame.columns) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert len(frame) == 30 and frame["val_accuracy"].iloc[-1] > 0.9
    test_loss, test_accuracy = model.evaluate(X_test, y_test)
    assert test_accuracy > 0.88 and test_loss < 0.5
    X_new = X_test[:3]
    y_proba = model.predict(X_new)
    np.testing.assert_allclose(y_proba.sum(axis=1), 1.0)      # probabilities: one softmax
    y_pred = y_proba.argmax(axis=-1)
    assert (y_pred == y_test[:3]).sum() >= 2
    assert sum(w.size for w in same.get_weights()) == 50_610


def test_regression_mlp_with_a_normalization_layer(housing):
    X_train, y_train, X_valid, y_valid, X_test, y_test = housing
    set_random_seed(42)
    norm_layer = layers.Normalization(input_shape=X_train.shape[1:])
    model = Sequential([
        norm_layer,
        layers.Dense(50, activation="relu"),
        layers.Dense(50, activation="relu"),
        layers.Dense(50, activation="relu"),
        layers.Dense(1)
    ])
    optimizer = optimizers.Adam(learning_rate=1e-3)
    model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])
    norm_layer.adapt(X_train)
    history = model.fit(X_train, y_train, epochs=20, validation_data=(X_valid, y_valid))
    mse_test, rmse_test = model.evaluate(X_test, y_test)
    assert rmse_test == pytest.approx(np.sqrt(mse_test), rel=1e-12)
    assert mse_test < 0.5 * np.var(y_test)
    assert history.history["val_root_mean_squared_error"][-1] < 0.7 * np.std(y_valid)
    X_new = X_test[:3]
    y_pred = model.predict(X_new)
    assert y_pred.shape == (3, 1)


def test_regression_mlp_as_the_second_edition_writes_it(housing):
    # Keras 2's chapter: input_shape on the first Dense, the loss by its long name
    X_train, y_train, X_valid, y_valid, X_test, y_test = housing
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_valid, X_test = [(X - mean) / std for X in (X_train, X_valid, X_test)]
    set_random_seed(42)
    model = Sequential([
        layers.Dense(30, activation="relu", input_shape=X_train.shape[1:]),
        layers.Dense(1)
    ])
    model.compile(loss="mean_squared_error", optimizer=optimizers.SGD(lr=1e-3))
    history = model.fit(X_train, y_train, epochs=20, validation_data=(X_valid, y_valid))
    mse_test = model.evaluate(X_test, y_test)
    y_pred = model.predict(X_test[:3])
    # the long name is the whole mean squared error, as "mse" is
    assert mse_test == pytest.approx(np.mean((model.predict(X_test)[:, 0] - y_test) ** 2),
                                     rel=1e-12)
    assert mse_test < 0.5 * np.var(y_test) and y_pred.shape == (3, 1)
    assert list(history.history) == ["loss", "val_loss"]


def _wide_and_deep_one_input(X_train):
    normalization_layer = layers.Normalization()
    hidden_layer1 = layers.Dense(30, activation="relu")
    hidden_layer2 = layers.Dense(30, activation="relu")
    concat_layer = layers.Concatenate()
    output_layer = layers.Dense(1)
    input_ = layers.Input(shape=X_train.shape[1:])
    normalized = normalization_layer(input_)
    hidden1 = hidden_layer1(normalized)
    hidden2 = hidden_layer2(hidden1)
    concat = concat_layer([normalized, hidden2])
    output = output_layer(concat)
    model = Model(inputs=[input_], outputs=[output])
    return model, normalization_layer


def test_wide_and_deep_with_one_input(housing):
    X_train, y_train, X_valid, y_valid, X_test, y_test = housing
    set_random_seed(42)
    model, normalization_layer = _wide_and_deep_one_input(X_train)
    optimizer = optimizers.Adam(learning_rate=1e-3)
    model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])
    normalization_layer.adapt(X_train)
    model.fit(X_train, y_train, epochs=20, validation_data=(X_valid, y_valid))
    mse_test = model.evaluate(X_test, y_test)
    y_pred = model.predict(X_test[:3])
    assert mse_test[0] < 0.5 * np.var(y_test) and y_pred.shape == (3, 1)


def _two_inputs(housing):
    X_train, y_train, X_valid, y_valid, X_test, y_test = housing
    X_train_wide, X_train_deep = X_train[:, :5], X_train[:, 2:]
    X_valid_wide, X_valid_deep = X_valid[:, :5], X_valid[:, 2:]
    X_test_wide, X_test_deep = X_test[:, :5], X_test[:, 2:]
    return (X_train_wide, X_train_deep, X_valid_wide, X_valid_deep, X_test_wide,
            X_test_deep)


def test_wide_and_deep_with_two_inputs(housing):
    _, y_train, _, y_valid, _, y_test = housing
    (X_train_wide, X_train_deep, X_valid_wide, X_valid_deep, X_test_wide,
     X_test_deep) = _two_inputs(housing)
    X_new_wide, X_new_deep = X_test_wide[:3], X_test_deep[:3]
    set_random_seed(42)
    input_wide = layers.Input(shape=[5])
    input_deep = layers.Input(shape=[6])
    norm_layer_wide = layers.Normalization()
    norm_layer_deep = layers.Normalization()
    norm_wide = norm_layer_wide(input_wide)
    norm_deep = norm_layer_deep(input_deep)
    hidden1 = layers.Dense(30, activation="relu")(norm_deep)
    hidden2 = layers.Dense(30, activation="relu")(hidden1)
    concat = layers.concatenate([norm_wide, hidden2])
    output = layers.Dense(1)(concat)
    model = Model(inputs=[input_wide, input_deep], outputs=[output])
    optimizer = optimizers.Adam(learning_rate=1e-3)
    model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])
    norm_layer_wide.adapt(X_train_wide)
    norm_layer_deep.adapt(X_train_deep)
    model.fit((X_train_wide, X_train_deep), y_train, epochs=20,
              validation_data=((X_valid_wide, X_valid_deep), y_valid))
    mse_test = model.evaluate((X_test_wide, X_test_deep), y_test)
    y_pred = model.predict((X_new_wide, X_new_deep))
    assert mse_test[0] < 0.5 * np.var(y_test) and y_pred.shape == (3, 1)


def _two_outputs(housing):
    input_wide = layers.Input(shape=[5])
    input_deep = layers.Input(shape=[6])
    norm_layer_wide = layers.Normalization()
    norm_layer_deep = layers.Normalization()
    norm_wide = norm_layer_wide(input_wide)
    norm_deep = norm_layer_deep(input_deep)
    hidden1 = layers.Dense(30, activation="relu")(norm_deep)
    hidden2 = layers.Dense(30, activation="relu")(hidden1)
    concat = layers.concatenate([norm_wide, hidden2])
    output = layers.Dense(1)(concat)
    aux_output = layers.Dense(1)(hidden2)
    model = Model(inputs=[input_wide, input_deep], outputs=[output, aux_output])
    optimizer = optimizers.Adam(learning_rate=1e-3)
    model.compile(loss=("mse", "mse"), loss_weights=(0.9, 0.1), optimizer=optimizer,
                  metrics=["RootMeanSquaredError"])
    X_train_wide, X_train_deep = _two_inputs(housing)[:2]
    norm_layer_wide.adapt(X_train_wide)
    norm_layer_deep.adapt(X_train_deep)
    return model


def test_wide_and_deep_with_an_auxiliary_output_and_loss_weights(housing):
    _, y_train, _, y_valid, _, y_test = housing
    (X_train_wide, X_train_deep, X_valid_wide, X_valid_deep, X_test_wide,
     X_test_deep) = _two_inputs(housing)
    X_new_wide, X_new_deep = X_test_wide[:3], X_test_deep[:3]
    set_random_seed(42)
    model = _two_outputs(housing)
    history = model.fit(
        (X_train_wide, X_train_deep), (y_train, y_train), epochs=20,
        validation_data=((X_valid_wide, X_valid_deep), (y_valid, y_valid))
    )
    eval_results = model.evaluate((X_test_wide, X_test_deep), (y_test, y_test))
    weighted_sum_of_losses, main_loss, aux_loss, main_rmse, aux_rmse = eval_results
    assert weighted_sum_of_losses == pytest.approx(0.9 * main_loss + 0.1 * aux_loss, rel=1e-12)
    assert main_rmse == pytest.approx(np.sqrt(main_loss), rel=1e-12)
    assert aux_rmse == pytest.approx(np.sqrt(aux_loss), rel=1e-12)
    assert main_loss < 0.5 * np.var(y_test)
    y_pred_main, y_pred_aux = model.predict((X_new_wide, X_new_deep))
    y_pred_tuple = model.predict((X_new_wide, X_new_deep))
    y_pred = dict(zip(model.output_names, y_pred_tuple))
    assert set(y_pred) == set(model.output_names) and len(y_pred) == 2
    assert len(history.history["val_loss"]) == 20


def test_saving_and_restoring_a_model(housing, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (_, _, _, _, X_test_wide, X_test_deep) = _two_inputs(housing)
    X_new_wide, X_new_deep = X_test_wide[:3], X_test_deep[:3]
    set_random_seed(42)
    model = _two_outputs(housing)
    y_train = housing[1]
    X_train_wide, X_train_deep = _two_inputs(housing)[:2]
    model.fit((X_train_wide, X_train_deep), (y_train, y_train), epochs=2)
    model.save("my_keras_model.keras")
    before = model.predict((X_new_wide, X_new_deep))
    model = load_model("my_keras_model.keras")
    y_pred_main, y_pred_aux = model.predict((X_new_wide, X_new_deep))
    np.testing.assert_array_equal(y_pred_main, before[0])
    np.testing.assert_array_equal(y_pred_aux, before[1])
    model.save_weights("my_weights.weights.npz")
    model.load_weights("my_weights.weights.npz")
    # the loaded model is compiled, as Keras's: it trains on with its losses and optimizer
    model.fit((X_train_wide, X_train_deep), (y_train, y_train), epochs=1)
    with pytest.raises(ValueError, match="names an HDF5 file.*npz"):
        model.save_weights("my_weights.weights.h5")


def test_callbacks_checkpoint_and_early_stopping_agree(housing, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, y_train, _, y_valid, _, _ = housing
    (X_train_wide, X_train_deep, X_valid_wide, X_valid_deep, X_test_wide,
     X_test_deep) = _two_inputs(housing)
    set_random_seed(42)
    model = _two_outputs(housing)
    checkpoint_cb = callbacks.ModelCheckpoint("my_checkpoints.weights.npz",
                                              save_weights_only=True)
    history = model.fit(
        (X_train_wide, X_train_deep), (y_train, y_train), epochs=10,
        validation_data=((X_valid_wide, X_valid_deep), (y_valid, y_valid)),
        callbacks=[checkpoint_cb])
    assert len(history.history["loss"]) == 10 and len(checkpoint_cb.saved) == 10
    # Keras's defaults: both watch val_loss, so the best checkpoint is the restored model
    best_cb = callbacks.ModelCheckpoint("my_best.keras", save_best_only=True)
    early_stopping_cb = callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    history = model.fit(
        (X_train_wide, X_train_deep), (y_train, y_train), epochs=100,
        validation_data=((X_valid_wide, X_valid_deep), (y_valid, y_valid)),
        callbacks=[best_cb, early_stopping_cb])
    assert early_stopping_cb.best_epoch == best_cb.saved[-1][0]
    best = load_model("my_best.keras")
    np.testing.assert_array_equal(best.predict((X_test_wide, X_test_deep))[0],
                                  model.predict((X_test_wide, X_test_deep))[0])


class PrintValTrainRatioCallback(callbacks.Callback):
    def on_epoch_end(self, epoch, logs):
        ratio = logs["val_loss"] / logs["loss"]
        print(f"Epoch={epoch}, val/train={ratio:.2f}")


def test_a_custom_callback_and_tensorboard(housing, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from pathlib import Path
    from time import strftime

    def get_run_logdir(root_logdir="my_logs"):
        return Path(root_logdir) / strftime("run_%Y_%m_%d_%H_%M_%S")

    X_train, y_train, X_valid, y_valid, _, _ = housing
    set_random_seed(42)
    model, normalization_layer = _wide_and_deep_one_input(X_train)
    model.compile(loss="mse", optimizer=optimizers.Adam(learning_rate=1e-3))
    normalization_layer.adapt(X_train)
    run_logdir = get_run_logdir()
    tensorboard_cb = callbacks.TensorBoard(run_logdir, profile_batch=(100, 200))
    value_callbacks = [PrintValTrainRatioCallback()]
    if importlib.util.find_spec("tensorboardX") is not None:
        value_callbacks.append(tensorboard_cb)
    model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid),
              callbacks=value_callbacks)
    out = capsys.readouterr().out
    assert [line.split(",")[0] for line in out.splitlines()] == [
        "Epoch=0", "Epoch=1", "Epoch=2"]
    if len(value_callbacks) == 2:
        accumulator = pytest.importorskip(
            "tensorboard.backend.event_processing.event_accumulator")
        for part, tags in (("train", {"epoch_loss"}), ("validation", {"epoch_loss"})):
            events = accumulator.EventAccumulator(os.path.join(tensorboard_cb.run_dir, part))
            events.Reload()
            assert tags <= set(events.Tags()["scalars"])


def build_model(n_hidden=1, n_neurons=30, learning_rate=3e-3, input_shape=[8]):
    model = Sequential()
    model.add(layers.InputLayer(input_shape=input_shape))
    for layer in range(n_hidden):
        model.add(layers.Dense(n_neurons, activation="relu"))
    model.add(layers.Dense(1))
    optimizer = optimizers.SGD(lr=learning_rate)
    model.compile(loss="mse", optimizer=optimizer)
    return model


def test_fine_tuning_a_build_function_with_a_randomized_search(housing):
    from scipy.stats import reciprocal
    X_train, y_train, X_valid, y_valid, X_test, y_test = housing
    # the features' scales differ by 1000x: the chapter scales them first
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_valid, X_test = [(X - mean) / std for X in (X_train, X_valid, X_test)]
    keras_reg = KerasRegressor(build_model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        keras_reg.fit(X_train, y_train, epochs=100, validation_data=(X_valid, y_valid),
                      callbacks=[callbacks.EarlyStopping(patience=10)])
        score = keras_reg.score(X_test, y_test)
        X_new = X_test[:3]
        y_pred = keras_reg.predict(X_new)
        param_distribs = {
            "model__n_hidden": [0, 1, 2, 3],
            "model__n_neurons": np.arange(1, 100).tolist(),
            "model__learning_rate": reciprocal(3e-4, 3e-2),
        }
        rnd_search_cv = RandomizedSearchCV(keras_reg, param_distribs, n_iter=4, cv=3,
                                           random_state=42)
        rnd_search_cv.fit(X_train, y_train, epochs=100, validation_data=(X_valid, y_valid),
                          callbacks=[callbacks.EarlyStopping(patience=10)])
    assert score > 0.6 and y_pred.shape == (3,)
    assert rnd_search_cv.best_score_ > 0.6
    assert rnd_search_cv.score(X_test, y_test) > 0.6
    assert set(rnd_search_cv.best_params_) == set(param_distribs)
