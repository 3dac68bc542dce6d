"""
A regression MLP on housing data
================================

In the style of the Keras California-housing example: standard scaling of the
features *and* of the target (``TransformedTargetRegressor``: plain SGD on targets
in the hundreds takes steps in the hundreds), Dense(30, relu), one linear output,
mean squared error, SGD; a validation split gives the validation curve (R² per
epoch). California housing is fetched (cached); offline, diabetes stands in.

Run: ``python examples/housing_regression.py [--save DIR]`` (``--save`` also
writes the learning curves to ``DIR/housing_regression.png``)
"""

import argparse
import warnings

from example_data import california_or_diabetes, plot_learning_curves, show_figures
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import MLPFromScratch


def main(save_dir=None):
    X, y, name = california_or_diabetes()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=42)
    network = make_pipeline(StandardScaler(), MLPFromScratch(
        hidden_layer_sizes=(30,), task="regression", loss="squared_error", solver="sgd",
        learning_rate_init=1e-3, batch_size=32, max_iter=100, early_stopping=True,
        n_iter_no_change=20, random_state=42))
    model = TransformedTargetRegressor(network, transformer=StandardScaler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    mlp = model.regressor_[-1]
    r2 = model.score(X_test, y_test)
    mse = mean_squared_error(y_test, model.predict(X_test))
    print(f"{name}: {mlp.n_iter_} epochs, test R² {r2:.3f}, test MSE {mse:.4g}")
    print("validation R² every 10 epochs:",
          [round(s, 3) for s in mlp.validation_scores_[::10]])
    plot_learning_curves(mlp, save_dir, "housing_regression.png")
    return r2


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A regression MLP on housing data.")
    parser.add_argument("--save", metavar="DIR", help="also save the figure into DIR")
    main(parser.parse_args().save)
    show_figures()
