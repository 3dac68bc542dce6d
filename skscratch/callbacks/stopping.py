"""Stopping rules: Keras's `EarlyStopping`, and scikit-learn's plateau rule."""

import numpy as np

from .base import Callback, Monitor, check_count, check_flag, check_rate, check_verbose


class EarlyStopping(Callback):
    """Stop when a monitored quantity has not improved for ``patience`` epochs (Keras's).

    Parameters
    ----------
    monitor : str, default="val_loss"
        A key of the epoch records: ``"val_loss"`` (``validation_data``, or an
        estimator with ``early_stopping=True``), ``"loss"``,
        ``"val_accuracy"``, ``"validation_score"`` (an estimator's held-out
        score), ... A validation quantity the fit does not record falls back
        to its training version, with one warning (see :class:`Monitor`).
    min_delta : float, default=0.0
        Smallest change that counts as an improvement.
    patience : int, default=0
        Epochs without improvement before stopping (Keras's default, 0,
        stops at the first epoch that does not improve).
    verbose : int, default=0
        1 prints a line when training stops.
    mode : {"auto", "min", "max"}, default="auto"
        "auto": higher is better for scores and accuracies, lower otherwise.
    baseline : float or None, default=None
        A value the monitored quantity must beat: until it does, the
        patience counts on (Keras's ``baseline``).
    restore_best_weights : bool, default=False
        At the end of training, put back the weights of the best epoch.
    start_from_epoch : int, default=0
        Epochs (from the start of a fresh fit) to wait before monitoring.

    Attributes
    ----------
    best : float
        The best value of the monitored quantity so far (``inf``, or
        ``-inf`` where higher is better, before the first), as in Keras.
    best_epoch : int or None
        Epoch (counted from 0, as Keras counts) of the best value so far.
    wait : int
        Epochs since the best one (Keras's counter).
    stopped_epoch : int
        Epoch (from 0) after which it stopped the last fit; 0 when it did not
        stop it, as in Keras.

    Notes
    -----
    What it tracks is reset when a fresh fit begins and carried on by
    continued fits (``warm_start``, ``partial_fit``: each call is one
    epoch), so patience builds up across ``partial_fit`` calls.

    Examples
    --------
    >>> from skscratch import MLPFromScratch
    >>> from skscratch.callbacks import EarlyStopping
    >>> model = MLPFromScratch(callbacks=[EarlyStopping("loss", patience=5)])
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        self._rule = Monitor(monitor, mode, min_delta, owner="EarlyStopping")
        self.monitor = monitor
        self.min_delta = min_delta
        self.patience = check_count(patience, "EarlyStopping's patience")
        self.verbose = check_verbose(verbose, "EarlyStopping's verbose")
        self.mode = mode
        self.baseline = None if baseline is None else check_rate(
            baseline, "EarlyStopping's baseline", -np.inf)
        self.restore_best_weights = check_flag(restore_best_weights,
                                               "EarlyStopping's restore_best_weights")
        self.start_from_epoch = check_count(start_from_epoch, "EarlyStopping's start_from_epoch")
        self.best_epoch, self.stopped_epoch = None, 0
        self._best_weights = None
        self.wait = 0

    def on_train_begin(self, logs=None):
        if self.params["initial_epoch"] == 0:       # a fresh fit; continued fits go on
            self._rule = Monitor(self.monitor, self.mode, self.min_delta,
                                 owner="EarlyStopping")   # as set now
            self.best_epoch = self._best_weights = None
            self.wait = 0
        self.stopped_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if epoch < self.start_from_epoch:
            return
        self.wait += 1
        if self._rule.improved(logs):
            self.best_epoch = epoch
            if self.restore_best_weights:
                self._best_weights = self.model.get_weights()
            if self.baseline is None or self._rule.beats(self.baseline):
                self.wait = 0
            return
        if self.wait >= max(self.patience, 1):
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.verbose:
                print(f"Epoch {epoch + 1}: early stopping", flush=True)

    @property
    def best(self):
        """The best value of the monitored quantity so far (Keras's ``best``)."""
        return self._rule.best_value

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self._best_weights is not None:
            self.model.set_weights(self._best_weights)


class PlateauStopping(Callback):
    """scikit-learn's MLP stopping rule, as the estimators apply it.

    An epoch improves when the training loss falls by at least ``tol`` below
    the best so far (or, with a validation score, the score rises by at
    least ``tol`` above the best). After more than ``n_iter_no_change``
    epochs without improvement, training stops ("converged"), unless
    ``adaptive``: then the learning rate is divided by 5 and training goes
    on, until the rate falls to 1e-6 or below. With a validation score the
    weights of the best-scoring epoch are kept in ``state.best_weights``.
    The counts live in ``trainer.state``, so they continue across
    ``warm_start`` fits and ``partial_fit`` calls, as in scikit-learn.

    Parameters
    ----------
    tol : float, default=1e-4
    n_iter_no_change : int or numpy.inf, default=10
    adaptive : bool, default=False
        scikit-learn's ``learning_rate="adaptive"``.
    restore_best_weights : bool, default=False
        At the end of training, put back the weights of the best-scoring
        epoch (scikit-learn's ``early_stopping``). Callbacks listed after this
        one (an ``EarlyStopping`` watching something else) restore after it,
        so theirs win.
    """

    def __init__(self, tol=1e-4, n_iter_no_change=10, adaptive=False,
                 restore_best_weights=False):
        self.tol = check_rate(tol, "PlateauStopping's tol")
        # scikit-learn's np.inf never stops on a plateau
        self.n_iter_no_change = (np.inf if n_iter_no_change == np.inf else check_count(
            n_iter_no_change, "PlateauStopping's n_iter_no_change", 1))
        self.adaptive = check_flag(adaptive, "PlateauStopping's adaptive")
        self.restore_best_weights = check_flag(restore_best_weights,
                                               "PlateauStopping's restore_best_weights")

    def on_epoch_end(self, epoch, logs=None):
        state, score = self.trainer.state, logs.get("validation_score")
        if score is not None:
            improved = score >= state.best_validation_score + self.tol
            if score > state.best_validation_score:
                state.best_validation_score = score
                state.best_weights = self.model.get_weights()
        else:
            improved = logs["loss"] <= state.best_loss - self.tol
        state.best_loss = min(state.best_loss, logs["loss"])
        state.no_improvement_count = 0 if improved else state.no_improvement_count + 1
        if state.no_improvement_count <= self.n_iter_no_change:
            return
        optimizer = self.model.optimizer
        if self.adaptive and optimizer.learning_rate > 1e-6:
            optimizer.learning_rate /= 5.0
            state.no_improvement_count = 0
            return
        state.stopped = "converged"
        self.model.stop_training = True

    def on_train_end(self, logs=None):
        best = self.trainer.state.best_weights
        if self.restore_best_weights and best is not None:
            self.model.set_weights(best)
