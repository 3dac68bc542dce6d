"""
Wide & Deep with the functional API
===================================

Two inputs, a main and an auxiliary output: the Keras book's housing model.
A "wide" path sends features 0-4 straight to the output, a "deep" path sends
features 2-7 through two Dense(30, relu) layers, and an auxiliary output reads
the deep path alone. Its loss (weight
0.1 against the main output's 0.9) pushes the deep layers to be useful on
their own: a regularizer. Features and target are standard-scaled on the
training rows; the errors are reported in the target's original units.
California housing is fetched (cached); offline, diabetes stands in (its
last two features unused).

Run: ``python examples/wide_and_deep.py [--save DIR]`` (``--save`` also writes
the learning curves to ``DIR/wide_and_deep.png``)
"""

import argparse

from example_data import california_or_diabetes, save_figure, show_figures
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skscratch import Model
from skscratch.layers import Concatenate, Dense, Input


def wide_and_deep():
    wide, deep = Input((5,), name="wide"), Input((6,), name="deep")
    h = Dense(30, "relu")(deep)
    h = Dense(30, "relu")(h)
    main = Dense(1, name="main")(Concatenate()([wide, h]))
    aux = Dense(1, name="aux")(h)
    return Model(inputs=[wide, deep], outputs=[main, aux])


def main(save_dir=None):
    X, y, name = california_or_diabetes()
    X_full, X_test, y_full, y_test = train_test_split(X, y, random_state=42)
    X_train, X_valid, y_train, y_valid = train_test_split(X_full, y_full, random_state=42)
    # fitted on the training rows only, so validation and test rows stay unseen; the
    # target is scaled too, or steps of 1e-3 would crawl towards values in the hundreds
    x_scaler = StandardScaler().fit(X_train)
    y_scaler = StandardScaler().fit(y_train.reshape(-1, 1))

    def inputs(X):
        X = x_scaler.transform(X)
        return X[:, :5], X[:, 2:8]

    def target(y):
        return y_scaler.transform(y.reshape(-1, 1))

    model = wide_and_deep()
    # the book's 20 epochs are 7,000 updates on California; the 248 diabetes training
    # rows need more passes, but their validation loss flattens by 60 and rises after 100
    epochs = 20 if len(X) > 5_000 else 60
    model.fit(inputs(X_train), (target(y_train), target(y_train)), loss="squared_error",
              loss_weights=(0.9, 0.1), optimizer="adam", learning_rate=1e-3, epochs=epochs,
              validation_data=(inputs(X_valid), (target(y_valid), target(y_valid))),
              random_state=42)
    model.summary()
    predictions = [y_scaler.inverse_transform(p) for p in model.predict(inputs(X_test))]
    main_mse, aux_mse = (mean_squared_error(y_test, p[:, 0]) for p in predictions)
    print(f"{name}: {epochs} epochs on {len(X_train)} rows; test MSE (target variance "
          f"{y_test.var():.4g}): main output {main_mse:.4g}, auxiliary output {aux_mse:.4g}")
    fig = plot_history(model.history)
    if fig is not None:
        save_figure(fig, save_dir, "wide_and_deep.png")
    return {"main_mse": main_mse, "aux_mse": aux_mse, "target_variance": y_test.var(),
            "history": model.history}


def plot_history(history):
    """The per-epoch losses as a figure; None when matplotlib is not installed."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure")
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, style in [("loss", "k-"), ("main_loss", "C0-"), ("aux_loss", "C1-"),
                       ("val_loss", "k--"), ("val_main_loss", "C0--"), ("val_aux_loss", "C1--")]:
        ax.plot(range(1, len(history[key]) + 1), history[key], style, label=key)
    ax.set(xlabel="epoch", ylabel="mean squared error (scaled target)", yscale="log",
           title="Wide & Deep: weighted total, main and auxiliary losses")
    ax.legend(ncol=2)
    return fig


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Wide & Deep with the functional API.")
    parser.add_argument("--save", metavar="DIR", help="also save the figure into DIR")
    main(parser.parse_args().save)
    show_figures()
