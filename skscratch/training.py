"""The training loop: epochs of shuffled mini-batches, stopping rules, history.

`Trainer` knows nothing of scikit-learn: it moves a network or model down
its loss(es) with an `Optimizer`, and notifies callbacks
(:mod:`skscratch.callbacks`) around epochs and batches. Everything optional
is a callback: printing, progress bars, stopping rules (scikit-learn's
plateau rule with ``tol``/``n_iter_no_change``, Keras's `EarlyStopping`),
learning-rate schedules, checkpoints and logs. The loop itself keeps only
what every fit needs, all here:

- the data: one array, or a tuple of arrays for models with several inputs
  or outputs (:func:`model_inputs` matches what a user gives to a model's
  inputs); every array of a tuple shares its rows, so a batch takes the same
  rows of each (:func:`take_rows`);
- the record of a run, :class:`TrainingState`, which a continued fit takes
  back (``warm_start``, ``partial_fit``) and model files store;
- the BLAS threads a step runs with (:func:`training_threads`);
- the divergence rules: :func:`check_finite` fails an epoch that left the
  network unusable (non-finite, blown up against the untrained network's
  loss, or with the optimizer's moments overflowed), and
  :func:`check_weights_after_callbacks` a call whose callbacks wrote
  non-finite weights. Either raises :class:`Divergence`.

A failed call is put back by one snapshot (:mod:`skscratch.rollback`).
:mod:`skscratch.fitting` holds the Keras-style ``fit`` of networks and
models, built on this loop.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import issparse

from .callbacks import CallbackList, EpochPrinter, PlateauStopping, ProgressBar, as_callbacks
from .callbacks.base import check_flag, check_rate, check_verbose
from .layers.base import as_list, leaf_layers
from .metrics import OutputMetrics
from .random_state import as_generator
from .rollback import Snapshot

# training data up to this size is gathered in shuffled order once per epoch
EPOCH_GATHER_BYTES = 2**22


def n_rows(data):
    """Number of samples of one array or of a tuple of arrays."""
    return as_list(data, tuple)[0][0].shape[0]


def small_arrays(*data):
    """Whether every array is an in-memory ndarray and all fit in EPOCH_GATHER_BYTES."""
    arrays = [a for d in data for a in as_list(d, tuple)[0]]
    return (all(type(a) is np.ndarray for a in arrays)
            and sum(a.nbytes for a in arrays) <= EPOCH_GATHER_BYTES)


def take_rows(data, idx):
    """The rows ``idx`` of one array, or of each array of a tuple."""
    if isinstance(data, tuple):
        return tuple(take_rows(a, idx) for a in data)
    if isinstance(data, np.ndarray) and not isinstance(idx, slice):
        return data.take(idx, axis=0)   # half the time of data[idx] for row gathers
    return data[idx]


def model_inputs(model, x):
    """One array per model input, checked, from an array, a tuple/list, or a dict by name.

    Parameters
    ----------
    model : Network or Model
    x : array-like, or tuple/list of them, or dict from input name to array

    Returns
    -------
    xs : list of ndarray
        In the order of the model's inputs; each checked for a numeric dtype,
        the same number of rows, and (once known) the input's sample shape.
    """
    names = [t.name for t in getattr(model, "inputs", [])]
    n_inputs = len(model.input_shape) if isinstance(model.input_shape, list) else 1
    if isinstance(x, dict):
        if not names or None in names or set(x) != set(names):
            raise ValueError(f"x is a dict with keys {sorted(map(str, x))}; a dict must name "
                             f"each of the model's inputs, which are named {names or 'not'}.")
        x = [x[n] for n in names]
    elif n_inputs == 1 and isinstance(x, (list, tuple)) and not (
            len(x) == 1 and isinstance(x[0], np.ndarray)):
        x = [x]                   # one input given as nested lists of numbers
    xs = [_as_array(a) for a in x] if isinstance(x, (list, tuple)) else [_as_array(x)]
    if len(xs) != n_inputs:
        raise ValueError(f"The model has {n_inputs} input(s); x holds {len(xs)} array(s).")
    for i, a in enumerate(xs):
        if a.dtype.kind not in "iubf" or a.ndim < 2:
            raise ValueError(f"Input {i} must be a numeric array of shape (n_samples, ...); got "
                             f"shape {a.shape} and dtype {a.dtype}.")
    if len({a.shape[0] for a in xs}) > 1:
        raise ValueError(f"The inputs have different numbers of samples: "
                         f"{[a.shape[0] for a in xs]}.")
    expected = model.input_shape if isinstance(model.input_shape, list) else [model.input_shape]
    for i, (a, shape) in enumerate(zip(xs, expected)):
        if shape is not None and a.shape[1:] != tuple(shape):
            raise ValueError(f"Input {i} has samples of shape {a.shape[1:]}; the model expects "
                             f"{tuple(shape)}.")
    return xs


def _as_array(a):
    """An input as an array; SciPy sparse matrices stay sparse (as CSR rows)."""
    return a.tocsr() if issparse(a) else np.asarray(a)


def rows_as(rows, dtype):
    """A chunk of rows in ``dtype``: sparse stays sparse, arrays are converted."""
    return rows.astype(dtype) if issparse(rows) else np.asarray(rows, dtype=dtype)


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
        Why the last run stopped early ("converged", "callback"), or None.
    start_loss : float or None
        Loss of the untrained network on the first batch: the scale a
        blow-up is measured against.
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
    start_loss: float = None


#: Multiply-adds of a step's largest matrix product below which training
#: uses one thread (see docs/performance.md for the measurements).
SMALL_PRODUCT = 2**22

_controller = None
_lock = threading.Lock()
_active = 0        # small fits running now, in any thread
_limiter = None    # their shared one-thread limit


def largest_product(network, batch_size):
    """Multiply-adds of the largest matrix product of one training step.

    For each layer with a weight matrix ``W``: the batch, times the output
    positions per sample (1 for ``Dense``, the output pixels for ``Conv2D``),
    times ``W.size``.
    """
    largest = 0
    for layer in leaf_layers(network):
        W = getattr(layer, "params", {}).get("W")
        if W is None or layer.output_shape is None:
            continue
        positions = int(np.prod(layer.output_shape[:-1], dtype=np.int64))
        largest = max(largest, batch_size * positions * W.size)
    return largest


@contextmanager
def training_threads(network, batch_size):
    """Run a fit with one BLAS thread if its steps are small.

    The limit is process-wide (BLAS has one setting): while any small fit
    runs, every fit does. Fits in several threads share it: the first to
    enter sets it, the last to leave restores the library's setting.

    Parameters
    ----------
    network : Network or Model
        A built network.
    batch_size : int
        Samples per training step.
    """
    if largest_product(network, batch_size) >= SMALL_PRODUCT:
        yield
        return
    global _active, _limiter
    with _lock:
        if _active == 0:
            blas = _blas_controller().select(user_api="blas")
            threads = max([lib.num_threads for lib in blas.lib_controllers], default=1)
            _limiter = blas.limit(limits=1) if threads > 1 else None
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None


def _blas_controller():
    """threadpoolctl's view of the loaded libraries, made once (it scans them)."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController
        _controller = ThreadpoolController()
    return _controller


# an epoch whose loss exceeds the untrained network's this many times (and this
# many times 1) is blowing up
BLOWUP_FACTOR = 1e8


class Divergence(ValueError, FloatingPointError):
    """Training diverged: where, what went wrong, and the learning rate of the moment.

    The message names them for the engine's user; an estimator, whose user
    sets other parameters, words its own from the attributes. A
    ``ValueError`` too, as every refusal of a bad setting is (a learning
    rate of 1e300 given to ``Network.fit``), and a ``FloatingPointError``
    for what it is.

    Parameters
    ----------
    step : str
        Where it diverged: ``"epoch 3"``, ``"L-BFGS iteration 12"``.
    problem : str
        What happened: ``"the loss became nan"``.
    learning_rate : float or None
        The optimizer's rate at the time; None for a solver without one.
    """

    def __init__(self, step, problem, learning_rate=None):
        self.step, self.problem, self.learning_rate = step, problem, learning_rate
        advice = ("Scale the inputs." if learning_rate is None else
                  f"Try a smaller learning rate (it was {learning_rate:g}) or scale the inputs.")
        super().__init__(f"Training diverged at {step}: {problem}. {advice}")


def start_loss(trainer, X, Y, sample_weight):
    """Loss of the network as it is (penalty included) on the first batch, in inference mode.

    The scale a blow-up is measured against; None when it is not finite.

    Parameters
    ----------
    trainer : Trainer
        Its network, loss(es), loss weights, ``alpha`` and batch size.
    X, Y : ndarray, or tuple of ndarray
    sample_weight : ndarray or None
    """
    rows = slice(0, trainer.batch_size)
    w = None if sample_weight is None else sample_weight[rows]
    if w is not None and not w.sum() > 0:
        w = None
    network = trainer.network
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        output = network.forward(take_rows(X, rows), training=False, logits=trainer.logits)
        target = take_rows(Y, rows)
        if trainer.losses is None:
            value = trainer.loss(output, target, w)[0]
        else:
            value = sum(weight * loss(out, y, w)[0] for loss, weight, out, y in
                        zip(trainer.losses, trainer.loss_weights, output, target))
        if trainer.alpha:
            n = n_rows(target) if w is None else w.sum()
            value += 0.5 * trainer.alpha / n * sum(float(p.ravel() @ p.ravel())
                                                   for p, _ in network.penalized)
    return float(value) if np.isfinite(value) else None


def check_finite(trainer, loss):
    """Raise :class:`Divergence` when the epoch diverged, blew up, or poisoned the optimizer.

    Non-finite losses or weights diverged; a loss a hundred million
    times the untrained network's (and above 1e8), or weights whose
    squares overflow the dtype
    (beyond what it can train with: the penalty and Adam's moments square
    them), are a finite blow-up that would otherwise "converge" silently;
    an optimizer whose moments overflowed (a batch of huge values) would
    freeze every later step.

    Parameters
    ----------
    trainer : Trainer
        Its state (the epoch, the start loss), network and optimizer.
    loss : float
        The epoch's loss.
    """
    state, optimizer = trainer.state, trainer.optimizer
    epoch, flat = state.n_iter + 1, trainer.network.flat_params
    problem = None
    if not np.isfinite(loss) or not np.isfinite(flat).all():
        problem = f"the loss became {loss}"
    elif flat.size and np.abs(flat).max() > np.sqrt(np.finfo(flat.dtype).max):
        problem = f"the weights grew to {np.abs(flat).max():.3g}"
    elif loss > BLOWUP_FACTOR * max(state.start_loss or 0.0, 1.0):
        start = state.start_loss
        problem = f"the loss grew to {loss:.3g}" + (
            "" if start is None else f" from {start:.3g} before training")
    elif not all(np.isfinite(m).all() for m in optimizer.get_state()[1]):
        problem = "the optimizer's moments overflowed (a batch of huge values?)"
    if problem is not None:
        raise Divergence(f"epoch {epoch}", problem, optimizer.learning_rate)


def check_weights_after_callbacks(network, hooks):
    """Raise ValueError when callbacks left non-finite weights after the epoch's checks.

    The divergence rules run before the epoch's callbacks; a callback that
    then writes NaN or infinite weights (``on_epoch_end``, or
    ``on_train_end`` after the last epoch) would otherwise leave a model
    that only fails at ``predict``, blaming its input.

    Parameters
    ----------
    network : Network or Model
    hooks : str
        The hooks that just ran, for the message.
    """
    flat = network.flat_params
    if not np.isfinite(flat).all():
        raise ValueError(f"The weights are not finite after the callbacks' {hooks}: a "
                         "callback wrote them (training itself had left them finite). The "
                         "call is undone.")


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
        # a float, not a NumPy scalar, which would make float32 passes float64
        self.alpha = check_rate(alpha, "alpha")
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
        # small steps train on one thread (training_threads)
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
