"""One rollback: everything a training call may change, taken before it and put back on failure.

Every training call (an estimator's ``fit`` and ``partial_fit``, a
network's or model's ``fit``, a bare :meth:`Trainer.fit
<skscratch.Trainer.fit>`) takes one :class:`Snapshot` before it changes
anything, and restores it on any exception, Ctrl-C (``KeyboardInterrupt``)
included: the network's layers (their attributes, so a network a callback
changed comes back as it was, and their weights' values), the optimizer's
state and learning rate, the training record, random generators, the
estimator's attributes and the callbacks' own state. The next call then
computes bit for bit what it would have without the failed one. One
snapshot per call, not per epoch, keeps the training loop free of copies.

:func:`check_finite` is what fails an epoch that did complete its batches
but left the network unusable: non-finite, blown up against the untrained
network's loss (:func:`start_loss`), or with the optimizer's moments
overflowed; :func:`check_weights_after_callbacks` fails a call whose
callbacks left non-finite weights.
"""

import copy
import types

import numpy as np

from .batches import n_rows, take_rows
from .layers.base import Layer, all_layers, leaf_layers
from .optimizers import Optimizer

# an epoch whose loss exceeds the untrained network's this many times (and this
# many times 1) is blowing up
BLOWUP_FACTOR = 1e8
# what a fit lends a callback (Keras's protocol): kept as references, never copied
LENT_TO_CALLBACKS = ("model", "params", "trainer")
# an optimizer's per-step scratch arrays: rewritten by every step, never copied
OPTIMIZER_SCRATCH = ("_buffers",)
# values a snapshot keeps as they are, told apart at once (a training record is
# thousands of them)
ATOMS = frozenset((float, int, str, bool, type(None), np.float64, np.float32, np.int64))


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


class Snapshot:
    """What a training call may change, as it was before the call; :meth:`restore` puts it back.

    Used as a context manager it restores itself when the body raises
    anything (``KeyboardInterrupt`` included), then lets the exception
    propagate.

    Parameters
    ----------
    *objects : object
        What the call may change, each kept by its kind: a layer, network
        or model (the attributes of every layer under it, and the values of
        its weights and state arrays); an optimizer (its attributes, moments
        copied); a random generator (its state); anything else (an
        estimator, a :class:`~skscratch.training.TrainingState`, a trainer)
        by its attributes, lists and dicts in them copied to any depth and
        generators by their state. ``None`` is skipped.
    callbacks : sequence of Callback, optional
        Each one's attributes are deep-copied, but for what a fit lends it
        (``model``, ``params``, ``trainer``) and the objects above, which
        stay the same objects; an attribute that cannot be copied (an open
        file) is kept as it is.

    Examples
    --------
    >>> from skscratch import Network
    >>> from skscratch.layers import Dense
    >>> from skscratch.rollback import Snapshot
    >>> net = Network([Dense(2)]).build((3,), random_state=0)
    >>> before = net.get_weights()
    >>> try:
    ...     with Snapshot(net):
    ...         _ = net.add(Dense(4))         # a call changes the network, then fails
    ...         raise RuntimeError("the call fails")
    ... except RuntimeError:
    ...     pass
    >>> len(net.layers), all((a == b).all() for a, b in zip(net.get_weights(), before))
    (1, True)
    """

    def __init__(self, *objects, callbacks=()):
        objects = [o for o in objects if o is not None]
        seen = {}           # a list held by two objects (loss_curve_) is kept once
        self._parts = [_part(o, seen) for o in objects]
        kept = {id(o): o for o in objects}
        for o in objects:
            if isinstance(o, Layer):
                kept.update((id(layer), layer) for layer in all_layers(o))
        callbacks = list({id(c): c for c in callbacks}.values())
        kept.update((id(c), c) for c in callbacks)
        self._parts += [_CallbackPart(c, kept) for c in callbacks]

    def restore(self):
        """Put back everything as it was when the snapshot was taken."""
        done = set()
        for part in reversed(self._parts):
            part.restore(done)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is not None:
            self.restore()
        return False


def _part(obj, seen):
    """How ``obj`` is kept: by the kind of thing it is (``seen``: what is kept so far)."""
    if isinstance(obj, Layer):
        return _LayersPart(obj, seen)
    if isinstance(obj, Optimizer):
        return _OptimizerPart(obj)
    if isinstance(obj, (np.random.Generator, np.random.RandomState)):
        return _GeneratorPart(obj, seen)
    return _AttributesPart(obj, seen)


class _Kept:
    """A value as it was: lists and dicts with their items, generators with their state.

    Restoring puts the contents back *into the same objects*, so whatever
    else holds them (an estimator's ``loss_curve_`` is its training record's
    list) sees them restored too.
    """

    __slots__ = ("value", "contents", "children")

    def __init__(self, value, seen):
        self.value, self.contents, self.children = value, None, ()
        kind = type(value)
        if _mutable(value):
            seen[id(value)] = self
        if kind is list or kind is dict:
            self.contents = value.copy()
            items = value.values() if kind is dict else value
            self.children = [seen.get(id(item)) or _Kept(item, seen) for item in items
                             if type(item) not in ATOMS and _mutable(item)]
        elif isinstance(value, np.random.Generator):
            self.contents = value.bit_generator.state
        elif isinstance(value, np.random.RandomState):
            self.contents = value.get_state(legacy=False)

    def restore(self, done):
        """Put the contents back (once per object); return the value."""
        value = self.value
        if self.contents is None or id(value) in done:
            return value
        done.add(id(value))
        if type(value) is list:
            value[:] = self.contents
        elif type(value) is dict:
            value.clear()
            value.update(self.contents)
        elif isinstance(value, np.random.Generator):
            value.bit_generator.state = self.contents
        else:
            value.set_state(self.contents)
        for child in self.children:
            child.restore(done)
        return value


def _mutable(value):
    return type(value) in (list, dict) or isinstance(
        value, (np.random.Generator, np.random.RandomState))


class _AttributesPart:
    """An object's attributes: the same values, their contents put back in place."""

    def __init__(self, obj, seen):
        self.obj = obj
        self.kept = {name: seen.get(id(value)) or _Kept(value, seen)
                     for name, value in vars(obj).items()}

    def restore(self, done):
        attributes = vars(self.obj)
        attributes.clear()
        attributes.update({name: kept.restore(done) for name, kept in self.kept.items()})


class _GeneratorPart:
    """A random generator's state."""

    def __init__(self, generator, seen):
        self.kept = seen.get(id(generator)) or _Kept(generator, seen)

    def restore(self, done):
        self.kept.restore(done)


class _LayersPart:
    """Every layer under a network: its attributes (the structure) and its arrays' values.

    The attributes bring back the layer lists, build flags, packing and
    the arrays themselves (a layer a callback rebuilt gets its old arrays);
    the values are then copied into those arrays. An unbuilt network has no
    values to copy and comes back unbuilt.
    """

    def __init__(self, network, seen):
        self.layers = [_AttributesPart(layer, seen) for layer in all_layers(network)]
        self.values = [(leaf, name, array.copy()) for leaf in leaf_layers(network)
                       for name, array in _arrays(leaf)]

    def restore(self, done):
        for layer in self.layers:
            layer.restore(done)
        for leaf, name, value in self.values:
            np.copyto(dict(_arrays(leaf))[name], value)


def _arrays(leaf):
    """``(name, array)`` of a leaf's parameters, then of its state (BatchNorm's statistics)."""
    return list(leaf.params.items()) + list(leaf.state.items())


class _OptimizerPart:
    """An optimizer's attributes, with copies of its moment arrays (updated in place)."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.attributes = {name: _copied_arrays(value) if name not in OPTIMIZER_SCRATCH
                           else value for name, value in vars(optimizer).items()}

    def restore(self, done):
        attributes = vars(self.optimizer)
        attributes.clear()
        attributes.update({name: _copied_arrays(value) if name not in OPTIMIZER_SCRATCH
                           else value for name, value in self.attributes.items()})


def _copied_arrays(value):
    """A list of arrays as a list of copies; anything else as it is."""
    if isinstance(value, list) and all(isinstance(a, np.ndarray) for a in value):
        return [a.copy() for a in value]
    return value


class _CallbackPart:
    """A callback's own state: deep copies of its attributes but for what is lent to it.

    Parameters
    ----------
    callback : Callback
    kept : dict
        ``id -> object`` of what stays the same object (the network, its
        layers, the optimizer, the estimator, the other callbacks): the
        deep copies refer to these instead of copying them.
    """

    def __init__(self, callback, kept):
        self.callback, memo = callback, dict(kept)
        self.attributes = {}
        for name, value in vars(callback).items():
            if name in callback.reports:     # the call's own report: left as the call leaves it
                continue
            # a bound method's object is not the callback's: copying it would make the
            # callback call a copy
            if name in LENT_TO_CALLBACKS or isinstance(value, types.MethodType):
                self.attributes[name] = (value, value)
                continue
            try:
                self.attributes[name] = (value, copy.deepcopy(value, memo))
            except Exception:   # noqa: BLE001 - what cannot be copied (a file) is kept as is
                self.attributes[name] = (value, value)

    def restore(self, done):
        attributes = vars(self.callback)
        reported = {name: attributes[name] for name in self.callback.reports
                    if name in attributes}
        attributes.clear()
        attributes.update(reported)
        for name, (value, saved) in self.attributes.items():
            if name in reported:
                continue
            # a list or dict comes back as the same object, holding what it held
            if saved is not value and type(value) is list:
                value[:] = saved
                saved = value
            elif saved is not value and type(value) is dict:
                value.clear()
                value.update(saved)
                saved = value
            attributes[name] = saved


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
