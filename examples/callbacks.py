"""
Callbacks: early stopping, checkpoints, logs, schedules
=======================================================

Stop early, checkpoint the best epoch, log every epoch, lower the rate.

An ``MLPFromScratch`` on the 8x8 digits trains with five callbacks: Keras-style
``EarlyStopping`` on the validation score (restoring the best weights),
``ModelCheckpoint`` keeping the best epoch's model as an ``.npz`` file (written
with ``skscratch.save``, no pickle), ``CSVLogger`` writing one row per epoch,
``ReduceLROnPlateau`` halving Adam's rate when the score stalls, and a custom
callback recording the weights' norm. The checkpoint, loaded back with
``skscratch.load``, predicts exactly as the early-stopped model. With
tensorboardX installed (``pip install "skscratch[tensorboard]"``) the run is
also logged for TensorBoard.

The figure (with matplotlib) shows the validation score, the epochs where the
rate was lowered, the best epoch, and the weights' norm.

Run: ``python examples/callbacks.py [output_folder]`` (the checkpoint, the CSV log
and, when a folder is given, the figure ``callbacks.png`` go there; by default
into a new temporary folder)
"""

import csv
import importlib.util
import os
import sys
import tempfile

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import skscratch
from skscratch.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TensorBoard,
)

try:
    import matplotlib.pyplot as plt
except ImportError:           # figures are optional: pip install "skscratch[plot]"
    plt = None


class WeightNorm(Callback):
    """Record the L2 norm of all parameters after each epoch; print it every ``every``."""

    def __init__(self, every=10):
        self.every = every
        self.norms = []

    def on_train_begin(self, logs=None):
        self.norms = []             # one object may serve many fits (clone, grid search)

    def on_epoch_end(self, epoch, logs=None):
        # Keras's protocol: epochs count from 0, self.model is the network being trained
        # (self.model.stop_training = True would stop it)
        self.norms.append(float(np.linalg.norm(self.model.flat_params)))
        if (epoch + 1) % self.every == 0:
            print(f"  epoch {epoch + 1:3d}: loss {logs['loss']:.4f}, validation "
                  f"{logs['validation_score']:.4f}, weight norm {self.norms[-1]:.2f}")


def plot(model, best_epoch, reductions, norms):
    """Validation score (best epoch, rate reductions) and weight norm per epoch."""
    epochs = range(1, len(model.validation_scores_) + 1)
    fig, (score_ax, norm_ax) = plt.subplots(1, 2, figsize=(9, 3.2))
    score_ax.plot(epochs, model.validation_scores_, label="validation score")
    for k, (epoch, rate) in enumerate(reductions):
        score_ax.axvline(epoch + 1.5, color="C2", linestyle=":",
                         label="rate lowered" if k == 0 else None)
    score_ax.plot(best_epoch + 1, model.validation_scores_[best_epoch], "o", color="C1",
                  label=f"best epoch ({best_epoch + 1}), restored")
    score_ax.set(xlabel="epoch", ylabel="validation accuracy")
    score_ax.legend(loc="lower right", fontsize=8)
    norm_ax.plot(epochs, norms, color="C3")
    norm_ax.set(xlabel="epoch", ylabel="L2 norm of all parameters")
    fig.tight_layout()
    return fig


def main(out_dir=None):
    figure_dir, out_dir = out_dir, out_dir or tempfile.mkdtemp(prefix="skscratch-callbacks-")
    os.makedirs(out_dir, exist_ok=True)
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_size=0.3,
                                                        stratify=y, random_state=0)
    best_path = os.path.join(out_dir, "best.npz")
    csv_path = os.path.join(out_dir, "training.csv")
    stopper = EarlyStopping("validation_score", patience=8, restore_best_weights=True)
    checkpoint = ModelCheckpoint(best_path, monitor="validation_score", save_best_only=True)
    reducer = ReduceLROnPlateau("validation_score", factor=0.5, patience=4)
    norms = WeightNorm(every=5)
    callbacks = [stopper, checkpoint, CSVLogger(csv_path), reducer, norms]
    # TensorBoard is an optional extra: log for it only when its writer is installed
    board = None
    if importlib.util.find_spec("tensorboardX") is not None:
        board = TensorBoard(os.path.join(out_dir, "runs"))
        callbacks.append(board)
    # n_iter_no_change is scikit-learn's own plateau rule: set out of reach, so that
    # EarlyStopping's patience decides when training ends
    model = skscratch.MLPFromScratch((64,), learning_rate_init=1e-2, early_stopping=True,
                                     validation_fraction=0.15, n_iter_no_change=1000,
                                     max_iter=200, callbacks=callbacks, random_state=0)
    model.fit(X_train, y_train)

    print(f"stopped after {model.n_iter_} epochs; best epoch {stopper.best_epoch + 1} "
          f"(validation score {model.best_validation_score_:.4f})")
    accuracy = model.score(X_test, y_test)
    print(f"test accuracy of the early-stopped model: {accuracy:.4f}")
    # both hold the best epoch's weights, not the last epoch's: identical predictions
    best = skscratch.load(best_path)
    same = np.array_equal(best.predict_proba(X_test), model.predict_proba(X_test))
    print(f"checkpoint {best_path} (epoch {checkpoint.saved[-1][0] + 1}, {len(checkpoint.saved)} "
          f"saves) predicts identically: {same}")
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"{csv_path}: {len(rows)} rows, columns {list(rows[0])}")
    for epoch, rate in reducer.reductions:
        print(f"learning rate lowered to {rate:g} after epoch {epoch + 1}")
    print(f"weight norm grew from {norms.norms[0]:.2f} to {norms.norms[-1]:.2f}")
    if board is not None:
        print(f"TensorBoard: tensorboard --logdir {board.log_dir}")
    if plt is not None:
        fig = plot(model, stopper.best_epoch, reducer.reductions, norms.norms)
        if figure_dir:
            fig.savefig(os.path.join(out_dir, "callbacks.png"), dpi=100)
            print(f"figure saved to {os.path.join(out_dir, 'callbacks.png')}")
    return {"model": model, "n_iter": model.n_iter_, "best_epoch": stopper.best_epoch,
            "test_accuracy": accuracy, "same_predictions": same, "csv_rows": len(rows),
            "reductions": list(reducer.reductions), "weight_norms": norms.norms,
            "out_dir": out_dir}


if __name__ == "__main__":
    main(*sys.argv[1:2])
    if plt is not None:
        plt.show()
