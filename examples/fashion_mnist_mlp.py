"""
An image-classifier MLP on Fashion-MNIST
========================================

In the style of the Keras Fashion-MNIST example: flattened images ->
Dense(300, relu) -> Dense(100, relu) -> softmax, trained
with plain SGD (learning rate 0.01, batches of 32) for 30 epochs, holding out
a validation split to watch. Fashion-MNIST is fetched from OpenML (cached);
offline, the same pipeline runs on scikit-learn's digits.

Run: ``python examples/fashion_mnist_mlp.py [--save DIR]`` (``--save`` also
writes the learning curves to ``DIR/fashion_mnist_mlp.png``)
"""

import argparse
import warnings

from example_data import fashion_mnist_or_digits, plot_learning_curves, show_figures
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skscratch import MLPFromScratch


def main(save_dir=None, epochs=30):
    X, y, name = fashion_mnist_or_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=1 / 7, stratify=y,
                                                        random_state=42)
    model = MLPFromScratch(hidden_layer_sizes=(300, 100), activation="relu", solver="sgd",
                           learning_rate_init=0.01, momentum=0.0, batch_size=32,
                           max_iter=epochs, alpha=0.0, early_stopping=True,
                           validation_fraction=0.1, n_iter_no_change=epochs,
                           verbose=True, random_state=42)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    print(model.summary())
    accuracy = model.score(X_test, y_test)
    print(f"{name}: test accuracy {accuracy:.4f} (best validation score "
          f"{model.best_validation_score_:.4f}, weights of that epoch kept)")
    plot_learning_curves(model, save_dir, "fashion_mnist_mlp.png")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="An image-classifier MLP.")
    parser.add_argument("--save", metavar="DIR", help="also save the figure into DIR")
    main(parser.parse_args().save)
    show_figures()
