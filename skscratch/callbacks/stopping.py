"""Stopping rules: Keras's `EarlyStopping`, and scikit-learn's plateau rule."""

from .base import Callback, Monitor


class EarlyStopping(Callback):
    """Stop when a monitored quantity has not improved for ``patience`` epochs.

    Parameters
    ----------
    monitor : str, default="validation_score"
        A key of the epoch records: ``"validation_score"`` (estimators with
        ``early_stopping=True``), ``"loss"``, ``"val_loss"`` (``fit`` with
        ``validation_data``), ...
    patience : int, default=10
        Epochs without improvement before stopping.
    min_delta : float, default=0.0
        Smallest change that counts as an improvement.
    restore_best_weights : bool, default=False
        At the end of training, put back the weights of the best epoch.
    mode : {"auto", "min", "max"}, default="auto"
        "auto": higher is better for scores and accuracies, lower otherwise.

    Attributes
    ----------
    best_epoch : int or None
        Epoch of the best value so far.
    stopped_epoch : int or None
        Epoch after which it stopped the last fit, if it did.

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

    def __init__(self, monitor="validation_score", patience=10, min_delta=0.0,
                 restore_best_weights=False, mode="auto"):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best_weights = restore_best_weights
        self.mode = mode
        self._rule = Monitor(monitor, mode, min_delta)
        self.best_epoch = self.stopped_epoch = None
        self._best_weights = None
        self._wait = 0

    def on_train_begin(self, trainer, record):
        if trainer.state.n_iter == 0:        # a fresh fit; warm_start/partial_fit continue
            self._rule = Monitor(self.monitor, self.mode, self.min_delta)   # as set now
            self.best_epoch = self._best_weights = None
            self._wait = 0
        self.stopped_epoch = None

    def on_epoch_end(self, trainer, record):
        if self._rule.improved(record):
            self.best_epoch, self._wait = record["epoch"], 0
            if self.restore_best_weights:
                self._best_weights = trainer.network.get_weights()
            return False
        self._wait += 1
        if self._wait >= self.patience:
            self.stopped_epoch = record["epoch"]
            return True
        return False

    def on_train_end(self, trainer, record):
        if self.restore_best_weights and self._best_weights is not None:
            trainer.network.set_weights(self._best_weights)


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
    n_iter_no_change : int, default=10
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
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.adaptive = adaptive
        self.restore_best_weights = restore_best_weights

    def on_epoch_end(self, trainer, record):
        state, score = trainer.state, record.get("validation_score")
        if score is not None:
            improved = score >= state.best_validation_score + self.tol
            if score > state.best_validation_score:
                state.best_validation_score = score
                state.best_weights = trainer.network.get_weights()
        else:
            improved = record["loss"] <= state.best_loss - self.tol
        state.best_loss = min(state.best_loss, record["loss"])
        state.no_improvement_count = 0 if improved else state.no_improvement_count + 1
        if state.no_improvement_count <= self.n_iter_no_change:
            return False
        optimizer = trainer.optimizer
        if self.adaptive and optimizer.learning_rate > 1e-6:
            optimizer.learning_rate /= 5.0
            state.no_improvement_count = 0
            return False
        state.stopped = "converged"
        return True

    def on_train_end(self, trainer, record):
        best = trainer.state.best_weights
        if self.restore_best_weights and best is not None:
            trainer.network.set_weights(best)
