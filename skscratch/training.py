"""The training loop: epochs of shuffled mini-batches, stopping rules, history.

`Trainer` knows nothing of scikit-learn: it moves a network or model down
its loss(es) with an `Optimizer`, and notifies callbacks
(:mod:`skscratch.callbacks`) around epochs and batches. Everything optional
is a callback: printing, progress bars, stopping rules (scikit-learn's
plateau rule with ``tol``/``n_iter_no_change``, Keras's `EarlyStopping`),
learning-rate schedules, checkpoints and logs. The loop itself keeps only
what every fit needs: batches (:mod:`skscratch.batches`), the divergence
check and the snapshot a failed call is put back to (:mod:`skscratch.rollback`), and the history
(:mod:`skscratch.training_state`). (:mod:`skscratch.fitting` holds the
Keras-style ``fit`` of networks and models, built on it.)

Inputs and targets are one array, or a tuple of arrays for models with
several inputs or outputs; batches take the same rows of each.
"""

import time

import numpy as np

from .batches import EPOCH_GATHER_BYTES, n_rows, small_arrays, take_rows
from .callbacks import CallbackList, EpochPrinter, PlateauStopping, ProgressBar, as_callbacks
from .callbacks.base import check_flag, check_verbose
from .metrics import OutputMetrics
from .random_state import as_generator
from .rollback import (
    BLOWUP_FACTOR,
    Snapshot,
    check_finite,
    check_weights_after_callbacks,
    start_loss,
)
from .threads import training_threads
from .training_state import TrainingState

# importable from here as ever: the state, the batch helpers and the blow-up rule
__all__ = ["BLOWUP_FACTOR", "EPOCH_GATHER_BYTES", "Trainer", "TrainingState", "n_rows"]


# what every epoch's record holds besides the outputs' losses and the metrics
RECORD_KEYS = ("epoch", "loss", "validation_score", "learning_rate", "seconds")


class Trainer:
    """Train a built `Network` or `Model` with mini-batch gradient steps.

    Parameters
    ----------
    network : Network or Model
        A built network or model.
    loss : Loss, or list of Loss
        One per output for a model with several outputs.
    optimizer : Optimizer
    alpha : float, default=0.0
        L2 penalty: adds ``alpha / 2 * sum(W ** 2) / batch_weight`` to each
        batch loss, for every penalised parameter (weights, not biases).
    batch_size : int, default=200
    shuffle : bool or callable, default=True
        Shuffle the samples every epoch. A callable ``order(n_samples)``
        returns each epoch's sample order itself (the estimators pass
        scikit-learn's stream this way); True draws it from ``rng``.
    rng : numpy.random.Generator, optional
    tol : float or None, default=1e-4
        With ``n_iter_no_change``, scikit-learn's plateau rule
        (:class:`~skscratch.callbacks.PlateauStopping`); None disables it.
    n_iter_no_change : int, default=10
    verbose : int, default=0
        1 prints one line per epoch (:class:`~skscratch.callbacks.EpochPrinter`);
        2 also shows progress within epochs
        (:class:`~skscratch.callbacks.ProgressBar`).
    loss_weights : list of float, optional
        Weight of each output's loss in the total (several outputs).
    output_names : list of str, optional
        Names of the outputs: each one's loss is recorded as ``<name>_loss``.
    callbacks : list of Callback or callable, optional
        Notified in order, before the printing ones.
    owner : object, optional
        What is being fitted (an estimator, or the network), for callbacks
        (``trainer.owner``); the network by default.
    metrics : list, or list/dict per output, optional
        Keras's ``metrics`` (:mod:`skscratch.metrics`): averaged over each
        epoch's batches and logged beside the loss.

    Attributes
    ----------
    state : TrainingState
        Of the current (or last) fit.
    n_samples, max_epochs, first_epoch : int
        Of the current (or last) fit (``first_epoch`` counts earlier fits'
        epochs when it continues them).
    """

    def __init__(self, network, loss, optimizer, *, alpha=0.0, batch_size=200,
                 shuffle=True, rng=None, tol=1e-4, n_iter_no_change=10, verbose=0,
                 loss_weights=None, output_names=None, callbacks=None, owner=None,
                 metrics=None):
        self.network = network
        self.loss = loss
        self.losses = list(loss) if isinstance(loss, (list, tuple)) else None
        # one output: its weight (Keras applies loss_weights to a single output too)
        self.loss_scale = 1.0 if self.losses is not None or loss_weights is None else float(
            loss_weights[0])
        if self.losses is not None:
            self.loss_weights = ([1.0] * len(self.losses) if loss_weights is None
                                 else [float(w) for w in loss_weights])
            self.output_names = output_names or [f"output_{i}" for i in range(len(self.losses))]
            self.output_losses = np.zeros(len(self.losses))
        self.optimizer = optimizer
        self.alpha = float(alpha)   # a NumPy scalar would make float32 passes float64
        self.batch_size = batch_size
        self.shuffle = shuffle if callable(shuffle) else check_flag(shuffle, "shuffle")
        self.rng = as_generator(rng)
        self.owner = network if owner is None else owner
        self.verbose = check_verbose(verbose, "verbose")
        plateau = [] if tol is None else [PlateauStopping(tol, n_iter_no_change)]
        printers = ([ProgressBar()] if verbose >= 2 else []) + ([EpochPrinter()] if verbose else [])
        self.callbacks = plateau + as_callbacks(callbacks) + printers
        self.state, self.n_samples, self.max_epochs, self.first_epoch = None, 0, 0, 1
        self._penalty_buffers = None
        self._heads(metrics)

    def _heads(self, metrics):
        """Which outputs the loss reads through their logits, and the metrics of each output.

        An output ending in the softmax (sigmoid) its cross-entropy loss is
        defined on is trained from its pre-activation: the loss fuses the
        activation, exactly and stably (``Loss.takes_logits``).
        """
        network = self.network
        losses = self.losses if self.losses is not None else [self.loss]
        shapes = network.output_shape if self.losses is not None else [network.output_shape]
        names = self.output_names if self.losses is not None else ["output"]
        widths = [shape[-1] for shape in shapes]
        activations = network.output_activations
        self.output_logits = [loss.takes_logits(a, w, name) for loss, a, w, name in
                              zip(losses, activations, widths, names)]
        self.logits = (False if not any(self.output_logits) else self.output_logits
                       if self.losses is not None else True)
        self.metrics = OutputMetrics(metrics, losses, names, widths, activations,
                                     self.output_logits) if metrics else None
        check_record_keys(self.output_names if self.losses is not None else [],
                          self.metrics.keys if self.metrics else [])

    def train_batch(self, x, y, sample_weight=None):
        """One gradient step on one batch; returns the batch loss (penalty included).

        With several outputs the loss is the weighted sum of each output's,
        whose values are left in :attr:`output_losses`.
        """
        net = self.network
        output = net.forward(x, training=True, logits=self.logits)
        if self.metrics:
            self.metrics.update(*_per_output(self.losses, output, y), sample_weight)
        if self.losses is None:
            value, grad = self.loss(output, y, sample_weight)
            if self.loss_scale != 1.0:
                value, grad = value * self.loss_scale, grad * self.loss_scale
        else:
            value, grad = self._combined_loss(output, y, sample_weight)
        net.backward(grad)
        if self.alpha:
            n = n_rows(x)
            weight = n if sample_weight is None else float(sample_weight.sum())
            value += self._add_penalty(self.alpha / weight)
        self.optimizer.step([net.flat_params], [net.flat_grads])
        return value

    def _combined_loss(self, outputs, targets, sample_weight):
        """``sum_k w_k * loss_k``, and each output's gradient scaled by its weight."""
        total, grads = 0.0, []
        for k, (loss, weight) in enumerate(zip(self.losses, self.loss_weights)):
            value, grad = loss(outputs[k], targets[k], sample_weight)
            self.output_losses[k] = value
            if weight != 1.0:
                grad *= weight
            total += weight * value
            grads.append(grad)
        return total, grads

    def _add_penalty(self, scale):
        """Add the L2 gradient ``scale * W`` to each penalised gradient; return its loss."""
        if self._penalty_buffers is None:   # one scratch array per weight, reused every step
            self._penalty_buffers = [np.empty_like(p) for p, _ in self.network.penalized]
        total = 0.0
        for (p, g), buf in zip(self.network.penalized, self._penalty_buffers):
            flat = p.ravel()
            total += float(flat @ flat)
            g += np.multiply(p, scale, out=buf)
        return 0.5 * scale * total

    def run_epoch(self, X, Y, sample_weight=None, callbacks=None):
        """One pass over the data in mini-batches; returns the epoch's loss.

        That is the mean of the batches' losses (each a mean weighted by
        ``sample_weight``), each batch counting by its number of rows, as
        scikit-learn's MLP averages an epoch. With several outputs, each
        output's mean loss is left in :attr:`epoch_output_losses`.
        ``callbacks`` (a ``CallbackList``) hear of each batch only if one of
        them listens.
        """
        n = n_rows(X)
        if not self.shuffle:
            order = None
        else:
            order = self.shuffle(n) if callable(self.shuffle) else self.rng.permutation(n)
        if order is not None and small_arrays(X, Y):
            # one gather for the epoch, then each batch is a slice: on small data the
            # per-batch gathers cost more than the arithmetic
            X, Y = take_rows(X, order), take_rows(Y, order)
            sample_weight = None if sample_weight is None else sample_weight[order]
            order = None
        total_loss = total_weight = 0.0
        per_output = None if self.losses is None else np.zeros(len(self.losses))
        if self.metrics:
            self.metrics.reset()
        listening = callbacks is not None and callbacks.batch_callbacks
        for batch, start in enumerate(range(0, n, self.batch_size)):
            stop = min(start + self.batch_size, n)
            # ascending rows: the same batch, gathered in memory order (a memmap
            # reads pages forward)
            idx = slice(start, stop) if order is None else np.sort(order[start:stop])
            w = None if sample_weight is None else sample_weight[idx]
            if w is not None and not w.sum() > 0:
                continue  # a batch of zero-weight samples carries no gradient
            if listening:
                callbacks.batch_begin(batch, {"batch": batch, "size": stop - start})
            value = self.train_batch(take_rows(X, idx), take_rows(Y, idx), w)
            # each batch's (weighted mean) loss counts by its rows, as scikit-learn's
            # MLP and Keras average an epoch
            weight = stop - start
            total_loss += value * weight
            total_weight += weight
            if per_output is not None:
                per_output += self.output_losses * weight
            if listening:
                callbacks.batch_end(batch, {"batch": batch, "size": stop - start, "loss": value})
                if self.network.stop_training:
                    break
        if per_output is not None:
            self.epoch_output_losses = per_output / (total_weight or 1.0)
        return total_loss / total_weight if total_weight else 0.0

    def fit(self, X, Y, sample_weight=None, *, max_epochs, state=None, evaluate=None,
            rollback=True):
        """Run up to ``max_epochs`` epochs, notifying the callbacks.

        Parameters
        ----------
        X, Y : ndarray, or tuple of ndarray
            Inputs and encoded targets, in the network's dtype (one array per
            input and per output for a model with several).
        sample_weight : ndarray of shape (n_samples,), optional
        max_epochs : int
        state : TrainingState, optional
            Continue from an earlier run (warm start, partial_fit).
        evaluate : callable, optional
            ``evaluate() -> dict`` after each epoch; its entries join the
            epoch's record before callbacks see it (``validation_score``,
            ``val_loss``, ...).
        rollback : bool, default=True
            Take a :class:`~skscratch.rollback.Snapshot` of what this fit may
            change (network, optimizer, ``state``, random generator,
            callbacks, the trainer) and put it back if the fit fails. False
            when the caller holds one snapshot of the whole call (the
            estimators, ``Network.fit`` and ``Model.fit`` do).

        Returns
        -------
        state : TrainingState
            ``state.stopped`` says why it stopped early: "converged" (plateau
            rule), "callback", or None.

        Raises
        ------
        FloatingPointError
            When the loss or a weight becomes non-finite, or blows up.
        ValueError
            When a callback leaves non-finite weights.

        Notes
        -----
        Any exception, Ctrl-C (``KeyboardInterrupt``) included, propagates
        after the ``on_train_end`` of every callback that began (an error
        there is added to it as a note, never raised in its place); with
        ``rollback``, everything the fit changed is put back first.
        """
        snapshot = (Snapshot(self, self.network, self.optimizer, self.rng, state,
                             callbacks=self.callbacks) if rollback else None)
        try:
            return self._fit(X, Y, sample_weight, max_epochs, state, evaluate)
        except BaseException:
            if snapshot is not None:
                snapshot.restore()
            raise

    def _fit(self, X, Y, sample_weight, max_epochs, state, evaluate):
        """:meth:`fit`'s work; a failure is rolled back by whoever holds the snapshot."""
        self.state = state = TrainingState() if state is None else state
        state.stopped = None
        self.n_samples, self.max_epochs = n_rows(X), max_epochs
        self.first_epoch = state.n_iter + 1
        network = self.network
        network.optimizer, network.stop_training = self.optimizer, False
        callbacks = CallbackList(self.callbacks, model=network, params=self._params(),
                                 trainer=self)
        if state.start_loss is None:
            state.start_loss = start_loss(self, X, Y, sample_weight)
        logs = None
        # small steps train on one thread (skscratch/threads.py)
        with training_threads(network, self.batch_size):
            try:
                callbacks.train_begin()
                for _ in range(max_epochs):
                    logs = self._epoch(X, Y, sample_weight, callbacks, evaluate)
                    if network.stop_training:
                        state.stopped = state.stopped or "callback"
                        break
            except BaseException as error:
                callbacks.train_end(logs, failure=error)
                raise
            callbacks.train_end(logs)
        check_weights_after_callbacks(network, "on_train_end")
        return state

    def _params(self):
        """Keras's ``callback.params`` of this fit (epochs counted as Keras counts them)."""
        initial = self.first_epoch - 1
        return {"epochs": initial + self.max_epochs, "initial_epoch": initial,
                "steps": -(-self.n_samples // self.batch_size), "samples": self.n_samples,
                "batch_size": self.batch_size, "verbose": self.verbose}

    def _epoch(self, X, Y, sample_weight, callbacks, evaluate):
        """One epoch and its callbacks; returns its record."""
        epoch = self.state.n_iter
        callbacks.epoch_begin(epoch, {})
        rate, started = self.optimizer.learning_rate, time.perf_counter()
        # overflow is caught below as a non-finite loss or weight and reported
        # once, clearly; no stream of RuntimeWarnings before it
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = self.run_epoch(X, Y, sample_weight, callbacks)
        check_finite(self, loss)
        record = self._record(loss, rate, time.perf_counter() - started, evaluate)
        callbacks.epoch_end(epoch, record)
        check_weights_after_callbacks(self.network, "on_epoch_end")
        return record

    def _record(self, loss, rate, seconds, evaluate):
        """Count the epoch in the state and return its history record."""
        state = self.state
        state.n_iter += 1
        state.t += self.n_samples
        state.loss_curve.append(loss)
        record = dict(zip(RECORD_KEYS, (state.n_iter, loss, None, rate, seconds)))
        if self.losses is not None:
            record.update({f"{name}_loss": float(value) for name, value in
                           zip(self.output_names, self.epoch_output_losses)})
        if self.metrics:
            record.update(self.metrics.results())
        if evaluate is not None:
            record.update(evaluate())
        if record["validation_score"] is not None:
            state.validation_scores.append(record["validation_score"])
        state.history.append(record)
        return record


def check_record_keys(output_names, metric_keys):
    """Refuse output names and metrics that would log two quantities under one history key.

    An epoch's record holds :data:`RECORD_KEYS`, ``<output>_loss`` for each
    output of a model with several, each metric's key, and ``val_`` and
    the same for validation data: an output named ``"val"`` would log its
    loss as ``val_loss``, the total validation loss, and ``"val_main"``
    would log its loss as output ``"main"``'s validation loss.

    Parameters
    ----------
    output_names : list of str
        The outputs whose losses are logged (none for a one-output network).
    metric_keys : list of str

    Raises
    ------
    ValueError
        Naming the key and the two quantities.
    """
    logged = [(key, f"the record's {key!r}") for key in RECORD_KEYS]
    losses = [("loss", "the total loss")] + [(f"{name}_loss", f"the loss of output {name!r}")
                                              for name in output_names]
    metrics = [(key, f"the metric {key!r}") for key in metric_keys]
    logged += losses[1:] + metrics + [(f"val_{key}", f"{what} on the validation data")
                                      for key, what in losses + metrics]
    seen = {}
    for key, what in logged:
        if key in seen:
            raise ValueError(f"The history would log {seen[key]} and {what} under the same "
                             f"key {key!r}: rename the output (the name= of its layer) or the "
                             "metric.")
        seen[key] = what


def _per_output(losses, outputs, targets):
    """Outputs and targets as lists with one array per output."""
    if losses is None:
        return [outputs], [targets]
    return list(outputs), list(targets)
