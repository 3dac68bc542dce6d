"""Full-batch training with SciPy's L-BFGS-B: the loss and gradient of the whole set.

:class:`LBFGSTrainer` minimises the same objective as the mini-batch
:class:`~skscratch.Trainer` — the (weighted) mean loss over every training
sample plus the L2 penalty ``alpha / 2 * sum(W ** 2) / sample_weight_sum`` —
but over the whole set at once, with ``scipy.optimize.minimize(method=
"L-BFGS-B")`` on the network's flat parameter vector. Each evaluation runs the
network's own ``forward``/``backward`` over the data in chunks of bounded
memory (one chunk for small data: a few large BLAS products) and sums the
chunks' gradients weighted by their share of the samples.

It continues the same :class:`~skscratch.training.TrainingState` (one entry
of ``loss_curve`` and ``history`` per L-BFGS iteration; ``t``, the samples
seen by mini-batch steps, is left alone) and notifies callbacks through the
same :class:`~skscratch.callbacks.CallbackList` calls as ``Trainer.fit``:
``on_train_begin``, ``on_epoch_end`` once per L-BFGS iteration with a record
like an epoch's (``learning_rate`` None), and ``on_train_end``. A callback
setting ``model.stop_training`` ends the optimisation there (SciPy's
``StopIteration``). L-BFGS has no
epochs, batches or learning rate: callbacks that need them (progress bars,
learning-rate schedules) are refused, and so are layers that would make the
loss change from one evaluation to the next (dropout, batch normalisation).
"""

import time

import numpy as np
from scipy import __version__ as scipy_version
from scipy.optimize import minimize

from .callbacks import CallbackList, ReduceLROnPlateau
from .callbacks.base import listens_to_batches, overrides
from .layers import BatchNorm, Dropout
from .layers.base import leaf_layers
from .training import Divergence, Trainer, TrainingState, n_rows, take_rows, training_threads

# the rows of one evaluation chunk hold at most this many numbers of training
# workspace (64 MiB in float64); small sets are one chunk
CHUNK_ELEMENTS = 1 << 23
# SciPy's default number of corrections L-BFGS-B keeps (its parameter-sized pairs)
CORRECTIONS = 10
# parameter-sized float64 arrays L-BFGS-B holds: 2 per correction, 5 of its own
# workspace, and its copies of x and of the gradient (the memory estimate's count)
LBFGS_PARAMETER_COPIES = 2 * CORRECTIONS + 9


def _scipy_takes_iprint():
    """Whether SciPy's L-BFGS-B still reads ``iprint`` (deprecated and ignored from 1.15)."""
    major, minor = (int(part) for part in scipy_version.split(".")[:2])
    return (major, minor) < (1, 15)


class LBFGSTrainer(Trainer):
    """Train a built `Network` or `Model` with full-batch L-BFGS-B (SciPy).

    Parameters
    ----------
    network : Network or Model
        A built network or model, without dropout or batch normalisation.
    loss : Loss, or list of Loss
        One per output for a model with several outputs.
    alpha : float, default=0.0
        L2 penalty, as the :class:`~skscratch.Trainer` applies it to a batch,
        here to the whole set.
    max_fun : int, default=15000
        Most loss evaluations (SciPy's ``maxfun``; checked after each
        iteration, so an iteration's line search may pass it).
    tol : float, default=1e-4
        SciPy's ``gtol``: stop when every component of the projected
        gradient is at most ``tol``.
    verbose : int, default=0
        Prints one line per iteration (:class:`~skscratch.callbacks.EpochPrinter`).
    loss_weights : list of float, optional
    output_names : list of str, optional
    callbacks : list of Callback or callable, optional
        Notified as ``Trainer.fit`` notifies them, each iteration being an
        epoch; a true ``on_epoch_end`` stops the optimisation.
    owner : object, optional
        What is being fitted, for callbacks (``trainer.owner``).
    chunk_rows : int, optional
        Rows per evaluation chunk; by default as many as fit in
        :data:`CHUNK_ELEMENTS` numbers of training workspace.

    Attributes
    ----------
    state : TrainingState
        Of the current (or last) fit.
    result : scipy.optimize.OptimizeResult
        SciPy's result of the last fit: ``status`` 0 when it converged,
        ``nit``, ``nfev``, ``message``.
    optimizer : None
        No step-based optimizer (callbacks read ``trainer.optimizer``).
    """

    def __init__(self, network, loss, *, alpha=0.0, max_fun=15000, tol=1e-4, verbose=0,
                 loss_weights=None, output_names=None, callbacks=None, owner=None,
                 chunk_rows=None):
        # L-BFGS shuffles nothing: a fixed generator, so that building the trainer
        # draws nothing from NumPy's global stream (scikit-learn's lbfgs fit draws
        # only the weights, and random_state=None must leave that stream as it does)
        super().__init__(network, loss, None, alpha=alpha, shuffle=False, tol=None,
                         rng=np.random.default_rng(0),
                         verbose=min(int(verbose), 1), loss_weights=loss_weights,
                         output_names=output_names, callbacks=callbacks, owner=owner)
        self.max_fun, self.tol, self.verbose = max_fun, tol, verbose
        self.chunk_rows = chunk_rows
        self.result = None

    # ------------------------------------------------------------ the objective
    def loss_and_gradient(self, X, Y, sample_weight=None):
        """The loss of every sample (penalty included) and its gradient, at the current weights.

        Parameters
        ----------
        X, Y : ndarray, or tuple of ndarray
        sample_weight : ndarray of shape (n_samples,), optional

        Returns
        -------
        loss : float
        gradient : ndarray of shape (n_params,)
            In ``network.flat_grads`` (overwritten by the next call).
        """
        net, n = self.network, n_rows(X)
        total = n if sample_weight is None else float(sample_weight.sum())
        rows = self.batch_size
        value, gathered = 0.0, None
        if self.losses is not None:
            self.epoch_output_losses = np.zeros(len(self.losses))
        for start in range(0, n, rows):
            idx = slice(start, min(start + rows, n))
            w = None if sample_weight is None else sample_weight[idx]
            share = (idx.stop - start if w is None else float(w.sum())) / total
            if share == 0:
                continue           # zero-weight rows carry no loss and no gradient
            value += share * self._chunk(take_rows(X, idx), take_rows(Y, idx), w, share)
            if rows >= n:
                break
            if gathered is None:
                gathered = net.flat_grads.copy()
            else:
                gathered += net.flat_grads
        if gathered is not None:
            np.copyto(net.flat_grads, gathered)
        if self.alpha:
            value += self._add_penalty(self.alpha / total)
        return value, net.flat_grads

    def _chunk(self, x, y, w, share):
        """Forward and backward one chunk, its gradient scaled by its share; its mean loss."""
        output = self.network.forward(x, training=True)
        if self.losses is None:
            value, grad = self.loss(output, y, w)
            grads = grad
            value, scale = value * self.loss_scale, share * self.loss_scale
            if scale != 1.0:
                grad *= scale
        else:
            value, grads = self._combined_loss(output, y, w)
            self.epoch_output_losses += share * self.output_losses
            if share != 1.0:
                for grad in grads:
                    grad *= share
        self.network.backward(grads)
        return value

    def _objective(self, X, Y, sample_weight):
        """``f(x) -> (loss, gradient)`` for SciPy, on float64 parameter vectors."""
        flat = self.network.flat_params

        def objective(x):
            """The loss and its float64 gradient at parameters ``x``."""
            np.copyto(flat, x, casting="same_kind")
            # overflow at a trial point shows as a non-finite loss, which the line
            # search backs away from; no stream of RuntimeWarnings
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                value, grad = self.loss_and_gradient(X, Y, sample_weight)
            return value, grad.astype(np.float64)

        return objective

    # ------------------------------------------------------------------- fit
    def fit(self, X, Y, sample_weight=None, *, max_iter, state=None):
        """Minimise the loss with L-BFGS-B for up to ``max_iter`` iterations.

        Parameters
        ----------
        X, Y : ndarray, or tuple of ndarray
            Inputs and encoded targets, in the network's dtype.
        sample_weight : ndarray of shape (n_samples,), optional
        max_iter : int
            SciPy's ``maxiter``.
        state : TrainingState, optional
            Continue from an earlier run (its weights are the starting point).

        Returns
        -------
        state : TrainingState
            ``state.stopped``: "converged" (SciPy's status 0), "callback", or
            None (the iteration or evaluation budget ran out, or the line
            search failed: ``result.status`` and ``result.message`` say which).

        Raises
        ------
        Divergence
            When the loss at the final weights is not finite (the weights of
            the last finite iterate are kept).
        TypeError, ValueError
            For callbacks or layers L-BFGS cannot serve (before anything runs).
        """
        check_deterministic(self.network)
        check_callbacks(self.callbacks)
        self.state = state = TrainingState() if state is None else state
        state.stopped = None
        self.n_samples, self.max_epochs = n_rows(X), max_iter
        self.batch_size = self.chunk_rows or chunk_rows(self.network, self.network.input_shape,
                                                        self.n_samples)
        self.first_epoch = state.n_iter + 1
        network = self.network
        network.optimizer, network.stop_training = None, False
        callbacks = CallbackList(self.callbacks, model=network, params=self._params(),
                                 trainer=self)
        x0 = network.flat_params.astype(np.float64)
        self._last, self._record = x0.copy(), None    # the last complete iterate
        with training_threads(network, self.batch_size):
            try:
                callbacks.train_begin()
                self.result = self._minimize(X, Y, sample_weight, x0, max_iter, callbacks)
                self._finish()
            except BaseException:
                np.copyto(network.flat_params, self._last, casting="same_kind")
                raise
            finally:
                callbacks.train_end(self._record)
        return state

    def _minimize(self, X, Y, sample_weight, x0, max_iter, callbacks):
        """SciPy's L-BFGS-B with scikit-learn's options; each iteration notifies the callbacks."""
        self._clock = time.perf_counter()

        def iteration(intermediate_result):
            """Notify the callbacks; a stop request ends SciPy's loop."""
            if self._on_iteration(intermediate_result, callbacks):
                raise StopIteration          # SciPy ends the optimisation there

        options = {"maxfun": self.max_fun, "maxiter": max_iter, "gtol": self.tol}
        if _scipy_takes_iprint():
            options["iprint"] = 1 if self.verbose else -1
        return minimize(self._objective(X, Y, sample_weight), x0, method="L-BFGS-B",
                        jac=True, callback=iteration, options=options)

    def _on_iteration(self, intermediate_result, callbacks):
        """Record an iteration, put the network at its weights, notify; True to stop."""
        x, loss = intermediate_result.x, float(intermediate_result.fun)
        np.copyto(self._last, x)
        np.copyto(self.network.flat_params, x, casting="same_kind")
        now = time.perf_counter()
        record = self._record = self._iteration_record(loss, now - self._clock)
        self._clock = now
        callbacks.epoch_end(record["epoch"] - 1, record)
        if self.network.stop_training:
            self.state.stopped = self.state.stopped or "callback"
        return self.network.stop_training

    def _iteration_record(self, loss, seconds):
        """Count the iteration in the state and return its history record."""
        state = self.state
        state.n_iter += 1
        state.loss_curve.append(loss)
        state.best_loss = min(state.best_loss, loss)
        record = {"epoch": state.n_iter, "loss": loss, "validation_score": None,
                  "learning_rate": None, "seconds": seconds}
        if self.losses is not None:
            record.update({f"{name}_loss": float(value) for name, value in
                           zip(self.output_names, self.epoch_output_losses)})
        state.history.append(record)
        return record

    def _finish(self):
        """Put the network at SciPy's answer; refuse a non-finite one."""
        result, state = self.result, self.state
        if not (np.isfinite(result.fun) and np.isfinite(result.x).all()):
            raise Divergence(f"L-BFGS iteration {state.n_iter + 1}",
                             f"the loss became {float(result.fun)}")
        np.copyto(self.network.flat_params, result.x, casting="same_kind")
        np.copyto(self._last, result.x)
        # a start that already meets gtol makes no iteration: its loss is still the best seen
        state.best_loss = min(state.best_loss, float(result.fun))
        if result.status == 0:
            state.stopped = "converged"


def chunk_rows(network, input_shape, n_samples):
    """Rows per evaluation chunk: the whole set, or as many as :data:`CHUNK_ELEMENTS` allows.

    Parameters
    ----------
    network : Network or Model
        Built or not (counted from shapes).
    input_shape : tuple of int, or list of them
    n_samples : int

    Returns
    -------
    rows : int
    """
    per_sample = network.count_workspace(input_shape)
    return max(1, min(n_samples, CHUNK_ELEMENTS // max(1, per_sample)))


def check_deterministic(network):
    """Refuse layers that make the full-batch loss change from one evaluation to the next.

    L-BFGS compares losses at different weights: a loss that also changes
    with new dropout masks, or with per-chunk batch statistics, breaks its
    line search.

    Parameters
    ----------
    network : Network or Model

    Raises
    ------
    ValueError
        Naming the layer.
    """
    for layer in leaf_layers(network):
        if isinstance(layer, Dropout) and layer.rate > 0:
            reason = f"draws new dropout masks (rate {layer.rate:g}) at every evaluation"
        elif isinstance(layer, BatchNorm):
            reason = "normalises each chunk by its own statistics and moves its running ones"
        else:
            continue
        raise ValueError(f"L-BFGS minimises one loss over the whole training set, and "
                         f"{layer.describe()} {reason}. Train this network with a mini-batch "
                         "solver (adam or sgd), or without that layer (dropout=0, "
                         "batch_norm=False).")


def check_callbacks(callbacks):
    """Refuse callbacks that need epochs, batches or a learning rate, which L-BFGS has not.

    Parameters
    ----------
    callbacks : list of Callback

    Raises
    ------
    TypeError
        Naming the callback and what it needs.
    """
    for c in callbacks:
        if isinstance(c, ReduceLROnPlateau):
            need = "sets a learning rate"
        elif listens_to_batches(c):
            need = "listens to batches"
        elif overrides(c, "on_epoch_begin"):
            need = "overrides on_epoch_begin"
        else:
            continue
        raise TypeError(f"{c!r} {need}, which full-batch L-BFGS has none of: it calls "
                        "on_train_begin, on_epoch_end once per iteration and on_train_end. "
                        "Use it with a mini-batch solver (adam or sgd).")
