"""The `Layer` contract every building block of a network follows.

A layer declares its weights once (:class:`~skscratch.layers.initializers.WeightSpec`),
builds them as views into one flat array, and runs a batched ``forward`` and a
chain-rule ``backward``; what backward needs is kept in one per-call dict,
``self._call``. What a layer holds is counted from shapes alone (``count_params``,
``count_workspace``: the counts behind ``summary()``, the memory estimate and
the size checks of model files), and the arrays its hot paths compute into are
made here too: a fit repeats the same few batch shapes every step, so the
constant arrays a step needs (ones for row sums, zeros for ReLU's maximum) are
made once, kept read-only and shared.
"""

import functools
import math

import numpy as np
from scipy.sparse import issparse

from ..random_state import as_generator
from ..registry import Registry
from .initializers import INITIALIZERS
from .symbolic import MAX_SIZE, Node, SymbolicTensor, checked_shape


def sum_over_rows(a, out=None):
    """``a.sum(axis=0)`` for a 2-D array, as one BLAS product ``ones @ a``.

    For the tall, narrow gradient matrices of a batch (say 50,000 x 8) this is
    about 20 times faster than NumPy's axis-0 reduction.
    """
    return np.matmul(ones_vector(a.shape[0], a.dtype), a, out=out)


@functools.lru_cache(maxsize=16)
def ones_vector(n, dtype):
    """A read-only vector of ``n`` ones (the batch sizes of a fit repeat every step)."""
    ones = np.ones(n, dtype=dtype)
    ones.flags.writeable = False
    return ones


# the largest array zeros_array returns (512 KiB of float64): training batches,
# not data sets; one block of this many zeros is kept per dtype
ZEROS_LIMIT = 2**16


@functools.lru_cache(maxsize=None)
def _zeros_block(dtype):
    block = np.zeros(ZEROS_LIMIT, dtype=dtype)
    block.flags.writeable = False
    return block


def zeros_array(shape, dtype):
    """A read-only array of zeros of ``shape``, or the scalar 0 beyond ZEROS_LIMIT numbers.

    NumPy's element-wise maximum runs its SIMD loop only when both operands
    are arrays: ``np.maximum(z, zeros)`` takes a third to half the time of
    ``np.maximum(z, 0)`` on a training batch. The array is a view of one
    cached block of zeros per dtype, so any number of shapes share it;
    larger arrays get the scalar, so nothing the size of a data set is kept.
    """
    size = math.prod(shape)
    if size > ZEROS_LIMIT:
        return 0
    return _zeros_block(np.dtype(dtype))[:size].reshape(shape)


def as_list(value, several=(list, tuple)):
    """``(items, was_several)``: one value as a list of one, several as a list of them.

    The one "one array or many" rule of the package: a model with several
    inputs or outputs takes a list or tuple of arrays (``several``); its
    training data is a tuple (``several=tuple``); its shapes are a list of
    tuples (``several=list``, since one shape is itself a tuple).
    """
    if isinstance(value, several):
        return list(value), True
    return [value], False


def as_shape(shape):
    """One sample shape as a tuple of ints, or a list of them (several inputs)."""
    if isinstance(shape, list):
        return [as_shape(s) for s in shape]
    return tuple(int(d) for d in shape)


def dense_batch(x):
    """A sparse batch densified (nothing larger than a batch ever is); arrays as they are."""
    return x.toarray() if issparse(x) else x


# input- and output-sized arrays a layer's training step may hold per sample, besides
# what its forward keeps: measured on the built-in layers, dropout and batch norm
# (several fresh temporaries per step) need the most (tests/test_memory.py)
WORKSPACE_FACTOR = 3


# every built-in layer, by class name: what skscratch.load may instantiate
LAYERS = Registry("layer")
# an attribute a call added, not one it changed
_UNSET = object()


def check_positive_int(value, name):
    """``value`` as an int when it is a positive integer (not a bool); else ValueError.

    Beyond ``2**63`` no array could have that many entries along an axis (and
    the initializers' ``float(fan_in)`` would raise a bare OverflowError).
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    if value >= MAX_SIZE:
        raise ValueError(f"{name} must be a positive integer below 2**63; got an integer of "
                         f"{len(str(value))} digits.")
    return int(value)


class Layer:
    """Base class of all layers: a forward pass and its chain-rule backward pass.

    A layer is created with its hyper-parameters only. Its weights are
    declared in :meth:`weight_specs` and made lazily in :meth:`build`, once
    the shape of its input is known (as in Keras). Shapes exclude the batch
    axis: a batch of ``n`` rows of 784 features has ``input_shape == (784,)``.

    The backward pass never changes the weights. It fills :attr:`grads` with the
    gradient of the loss with respect to each entry of :attr:`params` and returns
    the gradient with respect to the layer's input; an optimizer applies updates.

    What a layer holds is counted from shapes alone (``count_params``,
    ``count_workspace``, ...), before anything is built.

    Calling a layer on a symbolic tensor (``Dense(3)(Input((4,)))``) records
    it in a functional model instead of computing anything; see
    :class:`skscratch.Model`.

    Parameters
    ----------
    name : str, optional
        Shown by ``summary()``; names a model's output in its history.
    input_shape : tuple of int, optional
        Keras's ``input_shape=`` (one sample's shape, no batch axis): on the
        first layer of a :class:`~skscratch.Network` it declares the
        network's input, which is then built on first use (``summary()``,
        ``get_weights()``) instead of at its first ``fit``.

    Attributes
    ----------
    params : dict of str to ndarray
        Trainable arrays, updated in place by optimizers.
    grads : dict of str to ndarray
        Gradients of the loss with respect to ``params``, same keys and shapes.
    state : dict of str to ndarray
        Non-trainable arrays that are part of the model (BatchNorm's running
        statistics); saved and restored with the weights.
    penalized : tuple of str
        Names of the parameters the L2 penalty applies to (weights, not biases).
    nonnegative : tuple of str
        Names of the arrays that may not hold negative values.
    input_shape, output_shape : tuple of int or None
        Set by :meth:`build` (a list of shapes for layers with several inputs).
    built : bool
        Whether :meth:`build` has made the weights.
    """

    penalized = ()
    nonnegative = ()
    # the element-wise activation a layer applies last, if any (Dense's, Activation's):
    # a cross-entropy loss takes the logits before it (see forward's ``logits``)
    output_activation = None
    multi_input = False
    is_container = False
    # whether forward/backward take a SciPy sparse batch (others get it densified)
    accepts_sparse = False
    # scratch a layer remakes at its next step: never pickled (its per-call cache
    # ``_call``, its reused buffers, and what a subclass adds)
    _scratch = ("_call", "_buffers")
    # views made by bind(): rebuilt on unpickling, not stored
    _views = ()

    def __init__(self, name=None, input_shape=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"A layer name must be a string; got {name!r}.")
        self.name = name
        self.declared_input_shape = (None if input_shape is None
                                     else checked_shape(input_shape, "input_shape"))
        if not self.is_container:   # a container's arrays are its leaves' (Container.params)
            self.params, self.grads, self.state = {}, {}, {}
        self.input_shape = None
        self.output_shape = None
        self.dtype = None
        self.built = False
        self._buffers = {}
        self._call = {}
        self._called_on = None

    def __call__(self, inputs):
        """Record this layer in a functional model: ``y = layer(x)``.

        Parameters
        ----------
        inputs : SymbolicTensor or list of SymbolicTensor
            From :func:`skscratch.layers.Input` or another layer call; a list
            for layers with several inputs (``Concatenate``, ``Add``).

        Returns
        -------
        output : SymbolicTensor
        """
        multi = isinstance(inputs, (list, tuple))
        tensors = list(inputs) if multi else [inputs]
        if not tensors or not all(isinstance(t, SymbolicTensor) for t in tensors):
            raise TypeError(f"{type(self).__name__} can be called on symbolic tensors (from "
                            "skscratch.layers.Input or another layer call) only; use forward() "
                            f"for arrays. Received {inputs!r}.")
        if multi != self.multi_input:
            raise TypeError(f"{type(self).__name__} takes "
                            f"{'a list of tensors' if self.multi_input else 'one tensor'}; "
                            f"received {inputs!r}.")
        shape = [t.shape for t in tensors] if multi else tensors[0].shape
        expected = self.input_shape if self.input_shape is not None else self._called_on
        if expected is not None and expected != shape:
            raise ValueError(f"{self.describe()} was built for inputs of shape {expected}; a "
                             f"shared layer needs the same shape at every call, got {shape}.")
        output_shape = self.compute_output_shape(shape)     # a shape it refuses changes nothing
        self._called_on = shape
        node = Node(self, tensors, multi)
        node.output = SymbolicTensor(output_shape, node, self.name)
        return node.output

    def describe(self):
        """``Dense 'main'``: the layer's type, and its name when it has one."""
        return type(self).__name__ + (f" {self.name!r}" if self.name else "")

    def sublayers(self):
        """The layers this one is made of (none for a leaf layer)."""
        return []

    def weight_specs(self, input_shape):
        """Declare the layer's weights for inputs of ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int

        Returns
        -------
        specs : list of WeightSpec
            Trainable parameters first, in the order the optimizer sees them.
        """
        return []

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in self._scratch:
            if name in state:
                state[name] = {} if name in ("_call", "_buffers") else None
        for name in self._views + ("_owner",):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        # pickle keeps no view relations: bind the parameters to fresh flat arrays
        self.__dict__.update(state)
        if self.params:
            size = sum(p.size for p in self.params.values())
            self.bind(np.empty(size, self.dtype), np.zeros(size, self.dtype))

    def _buffer(self, name, shape, fill=None):
        """A scratch array of this layer's dtype, reused from one training step to the next.

        Allocating fresh multi-megabyte arrays every step is slow (each new
        allocation page-faults; measured up to 3x the arithmetic), so training
        mode keeps one array per ``(name, shape)``. ``fill`` initialises it only
        when it is first created (e.g. the constant border of a padded copy).
        """
        key = (name, tuple(shape))
        buf = self._buffers.get(key)
        if buf is None:
            # two shapes per name at most (the full batch and an epoch's last one):
            # partial_fit on chunks of ever-new sizes must not pile up buffers
            same_name = [k for k in self._buffers if k[0] == name]
            if len(same_name) >= 2:
                del self._buffers[same_name[0]]
            buf = self._buffers[key] = np.empty(shape, dtype=self.dtype)
            if fill is not None:
                buf.fill(fill)
        return buf

    def build(self, input_shape, rng=None, dtype=np.float64):
        """Create the weights for inputs of shape ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of one sample (no batch axis).
        rng : numpy.random.Generator, optional
            Source of randomness for initialisation (and dropout masks).
        dtype : numpy dtype, default=float64
            Dtype of every array the layer creates.

        Returns
        -------
        output_shape : tuple of int
            Shape of one sample of the layer's output.
        """
        self.input_shape = as_shape(input_shape)
        self.dtype = np.dtype(dtype)
        self.output_shape = self.compute_output_shape(self.input_shape)
        rng = as_generator(rng)
        specs = self.weight_specs(self.input_shape)
        values = {s.name: INITIALIZERS.get_class(s.initializer)(rng, s.shape, self.dtype)
                  for s in specs}
        self.penalized = tuple(s.name for s in specs if s.penalized)
        self.nonnegative = tuple(s.name for s in specs if s.nonnegative)
        self.state = {s.name: values[s.name] for s in specs if not s.trainable}
        trainable = [s for s in specs if s.trainable]
        size = sum(s.size for s in trainable)
        flat_params, flat_grads = np.empty(size, self.dtype), np.zeros(size, self.dtype)
        self.bind(flat_params, flat_grads, {s.name: values[s.name] for s in trainable})
        self._build_params(rng)
        self.built = True
        return self.output_shape

    def bind(self, flat_params, flat_grads, values=None):
        """Make the parameters and gradients views of two flat arrays.

        A network packs every layer's parameters into one array so an
        optimizer updates them all in a few whole-array operations; each
        layer then holds views, in the order of :meth:`weight_specs`.

        Parameters
        ----------
        flat_params, flat_grads : ndarray of shape (n_params,)
            This layer's slice of the network's arrays.
        values : dict of str to ndarray, optional
            Initial values; by default the current parameters (and gradients:
            a re-pack between backward and the optimizer step loses nothing)
            are copied in.
        """
        old_grads = self.grads if values is None else {}
        values = self.params if values is None else values
        params, grads, offset = {}, {}, 0
        for name, value in values.items():
            view = slice(offset, offset + value.size)
            flat_params[view] = value.ravel()
            params[name] = flat_params[view].reshape(value.shape)
            grads[name] = flat_grads[view].reshape(value.shape)
            if name in old_grads:
                grads[name][...] = old_grads[name]
            offset += value.size
        self.params, self.grads = params, grads

    def compute_output_shape(self, input_shape):
        """Shape of one output sample for one input sample of ``input_shape``."""
        return tuple(input_shape)

    def _build_params(self, rng):
        """Set up what the layer needs besides its declared weights (after build)."""

    def forward(self, x, training=False):
        """Compute the output for a batch ``x`` of shape ``(batch, *input_shape)``.

        When ``training`` is true the layer caches what :meth:`backward` needs,
        and may write its output into a scratch array it reuses: a training-mode
        output is valid until the same layer's next training-mode forward
        (copy it to keep it). Inference (``training=False``) always returns
        fresh arrays and changes nothing on the layer, so ``predict`` can run
        while another thread trains.
        """
        raise NotImplementedError

    def backward(self, grad_output, need_input_grad=True):
        """Back-propagate ``grad_output`` = dE/dY through the layer.

        Parameters
        ----------
        grad_output : ndarray of shape ``(batch, *output_shape)``
            Gradient of the loss with respect to the last forward output.
            It is not modified.
        need_input_grad : bool, default=True
            When false the gradient with respect to the input is skipped
            (the first layer of a network never needs it) and None is returned.

        Returns
        -------
        grad_input : ndarray of shape ``(batch, *input_shape)`` or None
            dE/dX, the gradient with respect to the last forward input.
        """
        raise NotImplementedError

    def enter_call(self, context):
        """Switch to one call's own attributes; return the shared ones, for :meth:`leave_call`.

        A layer called at several nodes of a model (shared weights) runs each
        node's forward and backward between ``enter_call`` and ``leave_call``:
        every attribute a call (re)binds, under any name (built-in layers keep
        their cache in the one dict ``self._call``; a custom layer may write
        ``self._inp``), belongs to that call, so each backward pass reads its own
        call's values. Arrays changed in place (weights, gradients, running
        statistics) stay shared, as they must; so does a dict or list made in
        ``__init__`` and filled in place, which is why a cache is bound, not
        filled.

        Parameters
        ----------
        context : dict or None
            What :meth:`leave_call` returned for this node last time; None for a
            first call (a fresh cache and fresh scratch buffers).

        Returns
        -------
        shared : dict
        """
        shared = self.__dict__.copy()
        self.__dict__.update({"_call": {}, "_buffers": {}} if context is None else context)
        return shared

    def leave_call(self, shared):
        """Keep what this call bound as its context; put the shared attributes back.

        Parameters
        ----------
        shared : dict
            What :meth:`enter_call` returned.

        Returns
        -------
        context : dict
            For the node's next :meth:`enter_call`.
        """
        context = {key: value for key, value in self.__dict__.items()
                   if shared.get(key, _UNSET) is not value}
        self.__dict__.clear()
        self.__dict__.update(shared)
        return context

    def get_weights(self):
        """Copies of the layer's arrays, Keras's ``get_weights``: ``[W, b]`` for a Dense layer.

        Trainable parameters in declaration order, then the non-trainable
        state (BatchNorm's running statistics).

        Returns
        -------
        weights : list of ndarray
        """
        self._check_weights_built()
        return [a.copy() for a in list(self.params.values()) + list(self.state.values())]

    def set_weights(self, weights):
        """Copy ``weights`` (as :meth:`get_weights` gives them) into the layer's arrays.

        Parameters
        ----------
        weights : list of array-like

        Raises
        ------
        ValueError
            When their number or a shape does not fit, or a value is one the
            layer forbids; the layer is then left as it was.
        """
        self._check_weights_built()
        names = list(self.params) + list(self.state)
        arrays = [self.params[n] if n in self.params else self.state[n] for n in names]
        if len(weights) != len(arrays):
            raise ValueError(f"{self.describe()} has {len(arrays)} weight arrays; got "
                             f"{len(weights)}.")
        for name, array, w in zip(names, arrays, weights):
            if np.shape(w) != array.shape:
                raise ValueError(f"{self.describe()}'s {name} has shape {array.shape}; got "
                                 f"{np.shape(w)}.")
            if name in self.nonnegative and np.any(np.asarray(w) < 0):
                raise ValueError(f"{self.describe()}'s {name} may not be negative.")
        for array, w in zip(arrays, weights):
            np.copyto(array, w)             # in place: the network's flat arrays hold views

    def _check_weights_built(self):
        if not self.built:
            raise RuntimeError(f"{self.describe()} has no weights yet: build its model first "
                               "(model.summary(), build() or fit()).")

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def get_config(self):
        """The constructor arguments, as a dict (``name`` and ``input_shape`` when set)."""
        config = {} if self.name is None else {"name": self.name}
        if getattr(self, "declared_input_shape", None) is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    def elements_per_sample(self):
        """Numbers one sample occupies in this layer's forward pass (after build).

        Used to size prediction chunks: :meth:`count_activations` for the
        layer's own input shape, so layers with a bigger workspace than their
        output (Conv2D's im2col rows, MaxPool2D's stack of windows) say so once.
        """
        return self.count_activations(self.input_shape)

    def count_params(self, input_shape):
        """Number of trainable scalars for inputs of ``input_shape``, without building."""
        return sum(s.size for s in self.weight_specs(as_shape(input_shape)) if s.trainable)

    def count_weights(self, input_shape):
        """``(arrays, scalars)`` of every weight, trainable or not, without building.

        What a model file's weight members hold for inputs of ``input_shape``
        (BatchNorm's running statistics included, unlike :meth:`count_params`).
        """
        specs = self.weight_specs(as_shape(input_shape))
        return len(specs), sum(s.size for s in specs)

    def count_activations(self, input_shape):
        """Numbers one sample's forward pass keeps, for inputs of ``input_shape``.

        Read by the memory estimate; containers add up their layers'.
        """
        return math.prod(self.compute_output_shape(as_shape(input_shape)))

    def count_workspace(self, input_shape):
        """Numbers one sample's training step may hold at once in this layer, at most.

        What its forward keeps (:meth:`count_activations`), plus
        :data:`WORKSPACE_FACTOR` times its input and output sizes: scratch
        buffers, the gradient it passes back, temporaries (dropout masks,
        batch norm's centred copies), and the arrays of the previous step
        still referenced while the next is computed. Read by the memory
        estimate (:func:`skscratch.container.training_memory`).

        Parameters
        ----------
        input_shape : tuple of int, or list of them (several inputs)

        Returns
        -------
        int
        """
        shape = as_shape(input_shape)
        shapes = shape if isinstance(shape, list) else [shape]
        inputs = sum(math.prod(s) for s in shapes)
        outputs = math.prod(self.compute_output_shape(shape))
        return WORKSPACE_FACTOR * (inputs + outputs) + self.count_activations(shape)

    @property
    def n_params(self):
        """Number of trainable scalars in the layer."""
        return sum(p.size for p in self.params.values())


def leaf_layers(layer):
    """Every leaf layer under ``layer`` (itself if it is a leaf), once each, in order.

    The one walk over how layers are arranged: parameter packing, weights,
    persistence, gradient checks and ``coefs_`` all read layers through it.
    A layer used in several places (shared weights) is listed at its first
    place only.

    Parameters
    ----------
    layer : Layer

    Returns
    -------
    leaves : list of Layer
    """
    return [current for current in all_layers(layer) if not current.is_container]


def all_layers(layer):
    """``layer`` and every layer under it, containers included, once each, in order.

    The walk :func:`leaf_layers` filters; whole, for what concerns a
    network's structure (a network may not hold itself; a training call's
    snapshot keeps every layer's attributes). Each container comes before
    its layers, in their order.

    Parameters
    ----------
    layer : Layer

    Returns
    -------
    layers : list of Layer
    """
    layers, seen, stack = [], set(), [layer]
    while stack:
        current = stack.pop()
        if id(current) not in seen:
            seen.add(id(current))
            layers.append(current)
            stack.extend(reversed(current.sublayers()))
    return layers
