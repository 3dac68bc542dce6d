"""Undoing a failed epoch: the rules that call training diverged, and the state put back.

An epoch that does not complete (a divergence, any error, Ctrl-C) puts back
the weights *and* the optimizer's state it started from (:func:`snapshot`,
:func:`restore`). :func:`check_finite` is what fails an epoch that did
complete its batches but left the network unusable: non-finite, blown up
against the untrained network's loss (:func:`start_loss`), or with the
optimizer's moments overflowed.
"""

import numpy as np

from .batches import n_rows, take_rows

# an epoch whose loss exceeds the untrained network's this many times (and this
# many times 1) is blowing up
BLOWUP_FACTOR = 1e8


class Divergence(FloatingPointError):
    """Training diverged: where, what went wrong, and the learning rate of the moment.

    The message names them for the engine's user; an estimator, whose user
    sets other parameters, words its own from the attributes.

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


def snapshot(network, optimizer):
    """Copies of the network's weights and the optimizer's state, for :func:`restore`.

    ``optimizer`` may be None (a full-batch L-BFGS fit keeps no optimizer).
    """
    scalars, moments = ({}, []) if optimizer is None else optimizer.get_state()
    return network.get_weights(), scalars, [m.copy() for m in moments]


def restore(network, optimizer, saved):
    """Put back the weights and optimizer state of a :func:`snapshot`."""
    weights, scalars, moments = saved
    network.set_weights(weights)
    if optimizer is not None:
        optimizer.set_state(scalars, moments, [network.flat_params])


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
