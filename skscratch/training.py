"""The training loop: epochs of shuffled mini-batches, stopping rules, history.

`Trainer` knows nothing of scikit-learn: it moves a network or model down
its loss(es) with an `Optimizer`. Its stopping rules follow scikit-learn's
MLP: stop when the training loss (or, with a validation score, that score)
has not improved by ``tol`` for more than ``n_iter_no_change`` consecutive
epochs, unless the optimizer reacts to the plateau by lowering its learning
rate. (:mod:`skscratch.fitting` holds the Keras-style ``fit`` of networks and
models, built on it.)

Inputs and targets are one array, or a tuple of arrays for models with
several inputs or outputs; batches take the same rows of each.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np


@dataclass
class TrainingState:
    """What a training run has learned about itself; passed back in to continue.

    Attributes
    ----------
    n_iter : int
        Epochs run.
    t : int
        Training samples seen (the step counter of scikit-learn's ``t_``).
    loss_curve : list of float
        Mean training loss (penalty included) of each epoch.
    validation_scores : list of float
        Validation score of each epoch, when a validation score is monitored.
    best_loss, best_validation_score : float
    no_improvement_count : int
    best_weights : list of ndarray or None
        Copy of the parameters at the best validation score.
    stopped : str or None
        Why the last run stopped early ("converged", "interrupted"), or None.
    """

    n_iter: int = 0
    t: int = 0
    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    no_improvement_count: int = 0
    best_weights: list = None
    stopped: str = None
    history: list = field(default_factory=list)


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
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    rng : numpy.random.Generator, optional
    tol : float or None, default=1e-4
        Minimum improvement; None disables stopping on plateaus.
    n_iter_no_change : int, default=10
    verbose : int, default=0
        1 prints one line per epoch; 2 also shows a progress line within
        epochs that run longer than a second.
    loss_weights : list of float, optional
        Weight of each output's loss in the total (several outputs).
    output_names : list of str, optional
        Names of the outputs: each one's loss is recorded as ``<name>_loss``.
    """

    def __init__(self, network, loss, optimizer, *, alpha=0.0, batch_size=200,
                 shuffle=True, rng=None, tol=1e-4, n_iter_no_change=10, verbose=0,
                 loss_weights=None, output_names=None):
        self.network = network
        self.loss = loss
        self.losses = list(loss) if isinstance(loss, (list, tuple)) else None
        if self.losses is not None:
            self.loss_weights = ([1.0] * len(self.losses) if loss_weights is None
                                 else [float(w) for w in loss_weights])
            self.output_names = output_names or [f"output_{i}" for i in range(len(self.losses))]
            self.output_losses = np.zeros(len(self.losses))
        self.optimizer = optimizer
        self.alpha = alpha
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rng = np.random.default_rng(rng)
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose
        self._penalty_buffers = None

    def train_batch(self, x, y, sample_weight=None):
        """One gradient step on one batch; returns the batch loss (penalty included).

        With several outputs the loss is the weighted sum of each output's,
        whose values are left in :attr:`output_losses`.
        """
        net = self.network
        output = net.forward(x, training=True)
        if self.losses is None:
            value, grad = self.loss(output, y, sample_weight)
        else:
            value, grad = self._combined_loss(output, y, sample_weight)
        net.backward(grad)
        if self.alpha:
            n = n_rows(x)
            weight = n if sample_weight is None else sample_weight.sum()
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

    def run_epoch(self, X, Y, sample_weight=None):
        """One pass over the data in mini-batches; returns the weighted mean loss.

        With several outputs, each output's mean loss is left in
        :attr:`epoch_output_losses`.
        """
        n = n_rows(X)
        order = self.rng.permutation(n) if self.shuffle else None
        total_loss = total_weight = 0.0
        per_output = None if self.losses is None else np.zeros(len(self.losses))
        progress = _Progress(n, self.batch_size) if self.verbose >= 2 else None
        for start in range(0, n, self.batch_size):
            if progress is not None:
                progress.update(start)
            stop = min(start + self.batch_size, n)
            # ascending rows: the same batch, gathered in memory order (a memmap
            # reads pages forward)
            idx = slice(start, stop) if order is None else np.sort(order[start:stop])
            w = None if sample_weight is None else sample_weight[idx]
            weight = stop - start if w is None else float(w.sum())
            if weight <= 0:
                continue  # a batch of zero-weight samples carries no gradient
            total_loss += self.train_batch(_rows(X, idx), _rows(Y, idx), w) * weight
            total_weight += weight
            if per_output is not None:
                per_output += self.output_losses * weight
        if progress is not None:
            progress.close()
        if per_output is not None:
            self.epoch_output_losses = per_output / (total_weight or 1.0)
        return total_loss / total_weight if total_weight else 0.0

    def fit(self, X, Y, sample_weight=None, *, max_epochs, state=None,
            validation_score=None, on_epoch_end=None, evaluate=None):
        """Run up to ``max_epochs`` epochs, stopping early on a plateau.

        Parameters
        ----------
        X, Y : ndarray, or tuple of ndarray
            Inputs and encoded targets, in the network's dtype (one array per
            input and per output for a model with several).
        sample_weight : ndarray of shape (n_samples,), optional
        max_epochs : int
        state : TrainingState, optional
            Continue from an earlier run (warm start, partial_fit).
        validation_score : callable, optional
            ``validation_score() -> float`` (higher is better), evaluated
            after each epoch; stopping then monitors it and the weights of
            the best epoch are kept in ``state.best_weights``.
        on_epoch_end : callable, optional
            ``on_epoch_end(state, record) -> bool`` after each epoch; True
            stops training (``state.stopped == "callback"``).
        evaluate : callable, optional
            ``evaluate() -> dict`` after each epoch; its entries join the
            epoch's record (``val_loss``, for example).

        Returns
        -------
        state : TrainingState

        Raises
        ------
        FloatingPointError
            When the loss becomes non-finite; the weights of the last finite
            epoch are restored first.
        """
        state = TrainingState() if state is None else state
        state.stopped = None
        n = n_rows(X)
        for _ in range(max_epochs):
            started = time.perf_counter()
            last_good = self.network.get_weights()
            try:
                # overflow is caught below as a non-finite loss or weight and
                # reported once, clearly; no stream of RuntimeWarnings before it
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    loss = self.run_epoch(X, Y, sample_weight)
            except KeyboardInterrupt:
                self.network.set_weights(last_good)
                warnings.warn("Training interrupted: keeping the weights of the last "
                              "complete epoch.", UserWarning, stacklevel=2)
                state.stopped = "interrupted"
                break
            if not np.isfinite(loss) or not np.isfinite(self.network.flat_params).all():
                self.network.set_weights(last_good)
                raise FloatingPointError(
                    f"Training diverged at epoch {state.n_iter + 1}: the loss became "
                    f"{loss}. Try a smaller learning rate (it was "
                    f"{self.optimizer.learning_rate:g}) or scale the inputs."
                )
            state.n_iter += 1
            state.t += n
            state.loss_curve.append(loss)
            score = None if validation_score is None else validation_score()
            self._track_improvement(state, loss, score)
            self.optimizer.epoch_end(state.t)
            record = {"epoch": state.n_iter, "loss": loss, "validation_score": score,
                      "learning_rate": self.optimizer.learning_rate,
                      "seconds": time.perf_counter() - started}
            if self.losses is not None:
                record.update({f"{name}_loss": float(value) for name, value in
                               zip(self.output_names, self.epoch_output_losses)})
            if evaluate is not None:
                record.update(evaluate())
            state.history.append(record)
            if self.verbose:
                self._print_epoch(record, max_epochs)
            if on_epoch_end is not None and on_epoch_end(state, record):
                state.stopped = "callback"
                break
            if self.tol is not None and state.no_improvement_count > self.n_iter_no_change:
                if self.optimizer.plateau():
                    state.stopped = "converged"
                    break
                state.no_improvement_count = 0
        return state

    def _track_improvement(self, state, loss, score):
        if score is not None:
            state.validation_scores.append(score)
            improved = score >= state.best_validation_score + (self.tol or 0.0)
            if score > state.best_validation_score:
                state.best_validation_score = score
                state.best_weights = self.network.get_weights()
        else:
            improved = loss <= state.best_loss - (self.tol or 0.0)
        state.best_loss = min(state.best_loss, loss)
        state.no_improvement_count = 0 if improved else state.no_improvement_count + 1

    @staticmethod
    def _print_epoch(record, max_epochs):
        val = record["validation_score"]
        val = "" if val is None else f" - validation score: {val:.6f}"
        more = "".join(f" - {k}: {v:.6f}" for k, v in record.items()
                       if k.endswith("_loss") and v is not None)
        print(f"Epoch {record['epoch']}/{max_epochs} - loss: {record['loss']:.6f}{more}{val}"
              f" - {record['seconds']:.2f}s", flush=True)


def n_rows(data):
    """Number of samples of one array or of a tuple of arrays."""
    return (data[0] if isinstance(data, tuple) else data).shape[0]


def _rows(data, idx):
    """The rows ``idx`` of one array, or of each array of a tuple."""
    if isinstance(data, tuple):
        return tuple(a[idx] for a in data)
    return data[idx]


PROGRESS_SECONDS = 1.0


class _Progress:
    """A ``batch i/n`` line redrawn in place at most once a second (verbose=2)."""

    def __init__(self, n_samples, batch_size):
        self.n_batches = -(-n_samples // batch_size)
        self.batch_size = batch_size
        self.started = self.shown = time.perf_counter()
        self.drawn = False

    def update(self, start):
        now = time.perf_counter()
        if now - self.shown >= PROGRESS_SECONDS:
            batch = start // self.batch_size
            rate = start / (now - self.started)
            print(f"\r  batch {batch}/{self.n_batches} - {rate:,.0f} samples/s",
                  end="", flush=True)
            self.shown, self.drawn = now, True

    def close(self):
        if self.drawn:
            print("\r" + " " * 60 + "\r", end="", flush=True)
