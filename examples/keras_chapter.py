"""
The Keras chapter, with only the imports renamed
================================================

The MLP chapter of the Keras book, section by section, with skscratch's names
for Keras's: ``Sequential`` is :class:`~skscratch.Network`, ``Model`` is
:class:`~skscratch.Model`, ``keras.layers`` / ``callbacks`` / ``optimizers``
are ``skscratch.layers`` / ``callbacks`` / ``optimizers``, ``load_model`` is
:func:`skscratch.load` and scikeras's ``KerasRegressor`` is
:class:`~skscratch.NetworkRegressor`. The code below each heading is the
chapter's. Offline, the digits (8x8 images) stand in for Fashion-MNIST and a
synthetic 8-feature regression for California housing; the docs page
"The Keras chapter" shows each section next to its Keras code.

Run: ``python examples/keras_chapter.py [--save DIR]`` (``--save`` keeps the
model files, logs and learning curves in ``DIR``)
"""

import argparse
import os
import tempfile
import warnings
from pathlib import Path
from time import strftime

import numpy as np
from example_data import (
    california_or_stand_in,
    fashion_mnist_or_digits,
    save_figure,
    show_figures,
)
from scipy.stats import reciprocal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RandomizedSearchCV, train_test_split

from skscratch import Model, callbacks, layers, optimizers, set_random_seed
from skscratch import Network as Sequential
from skscratch import NetworkRegressor as KerasRegressor
from skscratch import load as load_model

# %%
# An image classifier with the Sequential API
# -------------------------------------------
# A softmax output with the sparse categorical cross-entropy: the loss reads the
# softmax's logits (fused, exact), and ``predict`` gives probabilities.


def classifier(epochs):
    X, y, name = fashion_mnist_or_digits()
    side = int(np.sqrt(X.shape[1]))
    X = X.reshape(-1, side, side)
    X_train_full, X_test, y_train_full, y_test = train_test_split(
        X, y, test_size=0.15, random_state=42)
    X_train, y_train = X_train_full[:-300], y_train_full[:-300]
    X_valid, y_valid = X_train_full[-300:], y_train_full[-300:]

    set_random_seed(42)
    model = Sequential([
        layers.Flatten(input_shape=[side, side]),
        layers.Dense(300, activation="relu"),
        layers.Dense(100, activation="relu"),
        layers.Dense(10, activation="softmax")
    ])
    model.summary()
    hidden1 = model.layers[1]
    assert model.get_layer("dense") is hidden1        # Keras's names: flatten, dense, ...
    weights, biases = hidden1.get_weights()
    print(f"layers {model.layer_names()}; the first Dense has weights {weights.shape} and "
          f"biases {biases.shape}")
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["accuracy"])
    history = model.fit(X_train, y_train, epochs=epochs, validation_data=(X_valid, y_valid))
    test_loss, test_accuracy = model.evaluate(X_test, y_test)
    print(f"{name}: test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}")
    y_proba = model.predict(X_test[:3])
    print("probabilities of three test images:\n", y_proba.round(2))
    return history, test_accuracy


# %%
# A regression MLP, then Wide & Deep with two inputs and an auxiliary output
# --------------------------------------------------------------------------
# ``Normalization`` standardizes the features with statistics it ``adapt``\ s to.


def housing_data():
    X, y, name = california_or_stand_in()
    X_train_full, X_test, y_train_full, y_test = train_test_split(X, y, random_state=42)
    X_train, X_valid, y_train, y_valid = train_test_split(X_train_full, y_train_full,
                                                          random_state=42)
    return X_train, X_valid, X_test, y_train, y_valid, y_test, name


def regression(data, epochs):
    X_train, X_valid, X_test, y_train, y_valid, y_test, name = data
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
    model.fit(X_train, y_train, epochs=epochs, validation_data=(X_valid, y_valid))
    mse_test, rmse_test = model.evaluate(X_test, y_test)
    print(f"{name}: test MSE {mse_test:.4f}, RMSE {rmse_test:.4f} "
          f"(target variance {y_test.var():.4f})")
    return mse_test


def wide_and_deep(data, epochs):
    X_train, X_valid, X_test, y_train, y_valid, y_test, _ = data
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
    aux_output = layers.Dense(1)(hidden2)
    model = Model(inputs=[input_wide, input_deep], outputs=[output, aux_output])
    optimizer = optimizers.Adam(learning_rate=1e-3)
    model.compile(loss=("mse", "mse"), loss_weights=(0.9, 0.1), optimizer=optimizer,
                  metrics=["RootMeanSquaredError"])
    X_train_wide, X_train_deep = X_train[:, :5], X_train[:, 2:]
    X_valid_wide, X_valid_deep = X_valid[:, :5], X_valid[:, 2:]
    X_test_wide, X_test_deep = X_test[:, :5], X_test[:, 2:]
    norm_layer_wide.adapt(X_train_wide)
    norm_layer_deep.adapt(X_train_deep)
    history = model.fit(
        (X_train_wide, X_train_deep), (y_train, y_train), epochs=epochs,
        validation_data=((X_valid_wide, X_valid_deep), (y_valid, y_valid))
    )
    eval_results = model.evaluate((X_test_wide, X_test_deep), (y_test, y_test))
    weighted_sum_of_losses, main_loss, aux_loss, main_rmse, aux_rmse = eval_results
    print(f"Wide & Deep: weighted loss {weighted_sum_of_losses:.4f}, main MSE "
          f"{main_loss:.4f}, auxiliary MSE {aux_loss:.4f}")
    y_pred_tuple = model.predict((X_test_wide[:3], X_test_deep[:3]))
    y_pred = dict(zip(model.output_names, y_pred_tuple))
    print("predictions by output:", {k: v.ravel().round(2) for k, v in y_pred.items()})
    return model, history


# %%
# Saving and restoring, callbacks, TensorBoard
# --------------------------------------------
# skscratch writes its own safe format (an ``.npz`` archive), never HDF5: a
# ``.h5`` path is refused by name. The restored model is compiled, as Keras's is.
# With their defaults, ``ModelCheckpoint(save_best_only=True)`` and
# ``EarlyStopping(restore_best_weights=True)`` both watch ``val_loss``: the best
# checkpoint predicts exactly as the restored model.


class PrintValTrainRatioCallback(callbacks.Callback):
    def on_epoch_end(self, epoch, logs):
        ratio = logs["val_loss"] / logs["loss"]
        print(f"Epoch={epoch}, val/train={ratio:.2f}")


def get_run_logdir(root_logdir="my_logs"):
    return Path(root_logdir) / strftime("run_%Y_%m_%d_%H_%M_%S")


def saving_and_callbacks(model, data, out_dir, epochs):
    X_train, X_valid, X_test, y_train, y_valid, y_test, _ = data
    inputs = [(X[:, :5], X[:, 2:]) for X in (X_train, X_valid, X_test)]
    model.save("my_keras_model.keras")
    model = load_model("my_keras_model.keras")
    model.save_weights("my_weights.weights.npz")
    model.load_weights("my_weights.weights.npz")
    model.fit(inputs[0], (y_train, y_train), epochs=3,
              validation_data=(inputs[1], (y_valid, y_valid)),
              callbacks=[PrintValTrainRatioCallback()])
    checkpoint_cb = callbacks.ModelCheckpoint("my_checkpoints.keras", save_best_only=True)
    early_stopping_cb = callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    run_logdir = get_run_logdir(os.path.join(out_dir, "my_logs"))
    board = [callbacks.TensorBoard(run_logdir, profile_batch=(100, 200))]
    try:
        import tensorboardX  # noqa: F401  (TensorBoard's writer, an optional extra)
    except ImportError:
        board = []
    history = model.fit(inputs[0], (y_train, y_train), epochs=epochs,
                        validation_data=(inputs[1], (y_valid, y_valid)),
                        callbacks=[checkpoint_cb, early_stopping_cb, *board])
    best = load_model("my_checkpoints.keras")
    same = np.array_equal(best.predict(inputs[2])[0], model.predict(inputs[2])[0])
    print(f"{len(history.history['loss'])} epochs; best epoch "
          f"{early_stopping_cb.best_epoch + 1}; the best checkpoint predicts as the "
          f"restored model: {same}")
    if board:
        print(f"TensorBoard: tensorboard --logdir {run_logdir}")
    return same


# %%
# Fine-tuning a build function with a randomized search
# -----------------------------------------------------
# A function that builds and compiles a model, wrapped as a scikit-learn
# regressor; its parameters are searched as ``model__*`` and ``fit`` passes
# Keras's arguments (``epochs``, ``validation_data``, ``callbacks``) to every fit.


def build_model(n_hidden=1, n_neurons=30, learning_rate=3e-3, input_shape=[8]):
    model = Sequential()
    model.add(layers.InputLayer(input_shape=input_shape))
    for layer in range(n_hidden):
        model.add(layers.Dense(n_neurons, activation="relu"))
    model.add(layers.Dense(1))
    optimizer = optimizers.SGD(lr=learning_rate)
    model.compile(loss="mse", optimizer=optimizer)
    return model


def search(data, epochs, n_iter):
    X_train, X_valid, X_test, y_train, y_valid, y_test, _ = data
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_valid, X_test = [(X - mean) / std for X in (X_train, X_valid, X_test)]
    keras_reg = KerasRegressor(build_model)
    param_distribs = {
        "model__n_hidden": [0, 1, 2, 3],
        "model__n_neurons": np.arange(1, 100).tolist(),
        "model__learning_rate": reciprocal(3e-4, 3e-2),
    }
    rnd_search_cv = RandomizedSearchCV(keras_reg, param_distribs, n_iter=n_iter, cv=3,
                                       random_state=42)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rnd_search_cv.fit(X_train, y_train, epochs=epochs, validation_data=(X_valid, y_valid),
                          callbacks=[callbacks.EarlyStopping(patience=10)])
    best = {k: round(float(v), 4) for k, v in rnd_search_cv.best_params_.items()}
    print(f"best parameters {best}; CV R2 {rnd_search_cv.best_score_:.3f}, test R2 "
          f"{rnd_search_cv.score(X_test, y_test):.3f}")
    return rnd_search_cv


def plot(history):
    """The learning curves, as the chapter draws them with pandas; None without them."""
    try:
        import matplotlib.pyplot as plt
        import pandas as pd
    except ImportError:
        print("pandas or matplotlib is not installed: no figure")
        return None
    ax = pd.DataFrame(history.history).plot(
        figsize=(8, 5), grid=True, xlabel="Epoch", style=["r--", "r--.", "b-", "b-*"])
    ax.set_ylim(0, 1)
    plt.tight_layout()
    return ax.figure


def main(save_dir=None, quick=False):
    out_dir = save_dir or tempfile.mkdtemp(prefix="skscratch-keras-")
    os.makedirs(out_dir, exist_ok=True)
    here = os.getcwd()
    os.chdir(out_dir)              # the chapter's files go into one folder
    try:
        history, accuracy = classifier(epochs=10 if quick else 30)
        data = housing_data()
        mse = regression(data, epochs=5 if quick else 20)
        model, _ = wide_and_deep(data, epochs=5 if quick else 20)
        same = saving_and_callbacks(model, data, out_dir, epochs=10 if quick else 100)
        searched = search(data, epochs=20 if quick else 100, n_iter=2 if quick else 6)
    finally:
        os.chdir(here)
    fig = plot(history)
    if fig is not None:
        save_figure(fig, save_dir, "keras_chapter.png")
    return {"accuracy": accuracy, "regression_mse": mse, "target_variance": data[5].var(),
            "checkpoint_is_restored_model": same, "search": searched, "out_dir": out_dir}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The Keras chapter, imports renamed.")
    parser.add_argument("--save", metavar="DIR", help="keep the files and figure in DIR")
    main(parser.parse_args().save)
    show_figures()
