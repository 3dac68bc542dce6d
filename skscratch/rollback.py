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

"""

import copy
import types

import numpy as np

from .callbacks.base import Callback
from .layers.base import Layer, all_layers, leaf_layers
from .optimizers import Optimizer

# what a fit lends a callback (Keras's protocol): kept as references, never copied
LENT_TO_CALLBACKS = ("model", "params", "trainer")
# an optimizer's per-step scratch arrays: rewritten by every step, never copied
OPTIMIZER_SCRATCH = ("_buffers",)
# values a snapshot keeps as they are, told apart at once (a training record is
# thousands of them)
ATOMS = frozenset((float, int, str, bool, type(None), np.float64, np.float32, np.int64))


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
    callbacks : sequence, optional
        The callbacks a call was given. Each one's attributes are
        deep-copied, but for what a fit lends it (``model``, ``params``,
        ``trainer``), its :attr:`~skscratch.callbacks.Callback.reports` and
        the objects above, which stay the same objects; an attribute that
        cannot be copied (an open file) is kept as it is. Items that are not
        callbacks are passed over: the call's own checks refuse them.

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
        callbacks = list({id(c): c for c in callbacks if isinstance(c, Callback)}.values())
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
        """Put the contents back once per object (ids in ``done``); return the value."""
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
        """Put the kept values back; ``done`` holds the ids of objects already restored."""
        attributes = vars(self.obj)
        attributes.clear()
        attributes.update({name: kept.restore(done) for name, kept in self.kept.items()})


class _GeneratorPart:
    """A random generator's state."""

    def __init__(self, generator, seen):
        self.kept = seen.get(id(generator)) or _Kept(generator, seen)

    def restore(self, done):
        """Put the kept values back; ``done`` holds the ids of objects already restored."""
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
        """Put the kept values back; ``done`` holds the ids of objects already restored."""
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
        """Put the kept values back; ``done`` holds the ids of objects already restored."""
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
        """Put the kept values back; ``done`` holds the ids of objects already restored."""
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


