"""`Container`: what a `Network` and a `Model` share, as layers made of layers.

A container owns no weights of its own: it reads its leaf layers through
:func:`~skscratch.layers.base.leaf_layers` and packs their parameters into
one flat array (each leaf keeps views), so an optimizer updates the whole
model in a few whole-array operations. Whoever trains a container packs it:
a network nested in a model has its leaves packed by the model, and packs
them back if it is later trained on its own.
"""

import numpy as np

from .layers.base import Layer, check_positive_int, leaf_layers
from .model_inputs import model_inputs, rows_as

# rows per prediction chunk are chosen so the widest layer's work holds at most
# this many numbers (4 MiB in float32): memory is bounded by the chunk, not by
# the dataset, and chunks stay big enough for efficient BLAS calls
PREDICT_ELEMENTS = 1 << 20


class Container(Layer):
    """Base class of layers made of layers (:class:`Network`, :class:`Model`).

    Attributes
    ----------
    built : bool
    params : list of ndarray
        Every trainable array of every leaf layer, in walk order (after
        build); views into ``flat_params``.
    grads : list of ndarray
        The matching gradient arrays, views into ``flat_grads``.
    flat_params, flat_grads : ndarray of shape (n_params,)
        All parameters and all gradients as single arrays, for optimizers.
    penalized : list of (ndarray, ndarray)
        ``(weight, gradient)`` pairs the L2 penalty applies to.
    """

    is_container = True

    def __init__(self, name=None):
        super().__init__(name)
        self._packed = None

    def _build_layer(self, layer, input_shape, rng, dtype):
        """Build ``layer`` for ``input_shape`` unless it already is; return its output shape.

        A layer already built for this shape and dtype keeps its weights (as
        in Keras): a trained network used inside a new model is not reset.
        """
        if not (layer.built and layer.input_shape == input_shape
                and layer.dtype == np.dtype(dtype)):
            layer.build(input_shape, rng, dtype)
        return layer.output_shape

    def elements_per_sample(self):
        """Numbers one sample occupies in the largest workspace of any of its layers."""
        return self._widest

    def __repr__(self):
        shape = self.input_shape if self.input_shape is not None else "?"
        return (f"{type(self).__name__}({len(self.sublayers())} layers, input_shape={shape}"
                + (f", name={self.name!r}" if self.name else "") + ")")

    def _calls(self, input_shape, distinct=False):
        """``(layer, input shape)`` of each layer call; each layer once if ``distinct``."""
        raise NotImplementedError

    def count_params(self, input_shape):
        """Trainable scalars of every layer (a shared one once), from shapes alone."""
        return sum(layer.count_params(shape)
                   for layer, shape in self._calls(input_shape, distinct=True))

    def count_weights(self, input_shape):
        """``(arrays, scalars)`` of every layer's weights, trainable or not (a shared one once)."""
        counts = [layer.count_weights(shape)
                  for layer, shape in self._calls(input_shape, distinct=True)]
        return sum(a for a, _ in counts), sum(n for _, n in counts)

    def count_activations(self, input_shape):
        """Numbers one sample's forward pass keeps, summed over every layer call."""
        return sum(layer.count_activations(shape) for layer, shape in self._calls(input_shape))

    def count_workspace(self, input_shape):
        """Numbers one sample's training step may hold, summed over every layer call."""
        return sum(layer.count_workspace(shape) for layer, shape in self._calls(input_shape))

    def count_widest(self, input_shape):
        """The largest :meth:`count_activations` of any layer call: a prediction chunk's width."""
        return max((layer.count_activations(shape) for layer, shape in self._calls(input_shape)),
                   default=0)

    # --------------------------------------------------------------- the walk
    def leaf_layers(self):
        """The leaf layers, once each, in order (see :func:`~skscratch.layers.base.leaf_layers`)."""
        return leaf_layers(self)

    def _finish_build(self, dtype, widest):
        """Record the dtype and prediction chunk width, and pack the parameters."""
        self.dtype = np.dtype(dtype)
        self._widest = widest
        self.built = True
        self._pack()

    def _pack(self):
        """Gather every leaf parameter (and gradient) into one flat array."""
        leaves = [leaf for leaf in self.leaf_layers() if leaf.params]
        total = sum(leaf.n_params for leaf in leaves)
        flat_params = np.empty(total, dtype=self.dtype)
        flat_grads = np.zeros(total, dtype=self.dtype)
        offset = 0
        for leaf in leaves:
            size = leaf.n_params
            leaf.bind(flat_params[offset:offset + size], flat_grads[offset:offset + size])
            leaf._owner = self
            offset += size
        self._packed = {
            "leaves": leaves, "flat_params": flat_params, "flat_grads": flat_grads,
            "params": [p for leaf in leaves for p in leaf.params.values()],
            "grads": [g for leaf in leaves for g in leaf.grads.values()],
            "penalized": [(leaf.params[k], leaf.grads[k]) for leaf in leaves
                          for k in leaf.penalized]}

    def _packing(self):
        """The packed arrays, packing again if another container took the leaves."""
        self._check_built()
        packed = self._packed
        if packed is None or any(getattr(leaf, "_owner", None) is not self
                                 for leaf in packed["leaves"]):
            self._pack()
        return self._packed

    @property
    def flat_params(self):
        """All parameters as one array; the layers hold views of it."""
        return self._packing()["flat_params"]

    @property
    def flat_grads(self):
        """All gradients as one array, aligned with :attr:`flat_params`."""
        return self._packing()["flat_grads"]

    @property
    def params(self):
        """Every parameter array of every leaf, in walk order."""
        return self._packing()["params"] if self.built else []

    @params.setter
    def params(self, value):
        # Layer.__init__ sets an empty dict; a container's params are its leaves'
        pass

    @property
    def grads(self):
        """Every gradient array, aligned with :attr:`params`."""
        return self._packing()["grads"] if self.built else []

    @grads.setter
    def grads(self, value):
        pass

    @property
    def penalized(self):
        """``(weight, gradient)`` pairs of every penalised parameter."""
        return self._packing()["penalized"] if self.built else []

    @property
    def n_params(self):
        """Number of trainable scalars."""
        return sum(leaf.n_params for leaf in self.leaf_layers())

    def __getstate__(self):
        state = super().__getstate__()
        state["_packed"] = None         # leaves are re-packed on first use
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    # ------------------------------------------------------------- weights
    def _model_arrays(self):
        """Parameters, then non-trainable state (BatchNorm running statistics)."""
        self._packing()                 # the leaves hold views of this model's arrays
        return [(leaf.params if name in leaf.params else leaf.state)[name]
                for leaf, name in self._model_keys()]

    def get_weights(self):
        """Copies of every parameter array, then of every state array.

        Returns
        -------
        weights : list of ndarray
        """
        self._check_built()
        return [p.copy() for p in self._model_arrays()]

    def set_weights(self, weights):
        """Copy ``weights`` (as from :meth:`get_weights`) into the model's arrays in place.

        Parameters
        ----------
        weights : list of ndarray

        Raises
        ------
        ValueError
            When the number or a shape of the arrays does not fit, or an array
            holds values its layer forbids (a negative running variance); the
            model is then left as it was.
        """
        self._check_built()
        arrays = self._model_arrays()
        if len(weights) != len(arrays):
            raise ValueError(f"Expected {len(arrays)} arrays; got {len(weights)}.")
        for p, w in zip(arrays, weights):
            if np.shape(w) != p.shape:
                raise ValueError(f"Weight of shape {np.shape(w)} does not fit parameter {p.shape}.")
        for (leaf, name), w in zip(self._model_keys(), weights):
            if name in leaf.nonnegative and np.any(np.asarray(w) < 0):
                raise ValueError(f"{leaf.describe()}'s {name} may not be negative; got values "
                                 f"down to {np.min(w):g}.")
        for p, w in zip(arrays, weights):
            np.copyto(p, w)

    def _model_keys(self):
        """``(leaf, name)`` of each model array: parameters in packing order, then state."""
        leaves = self.leaf_layers()
        return ([(leaf, name) for leaf in leaves if leaf.params for name in leaf.params]
                + [(leaf, name) for leaf in leaves for name in leaf.state])

    # ---------------------------------------------------------- shared calls
    def call_context(self):
        """The call contexts of every leaf (a container shared by several nodes)."""
        return {"leaves": [leaf.call_context() for leaf in self.leaf_layers()]}

    def restore_call_context(self, context):
        """Switch every leaf to its part of a :meth:`call_context` (``{}``: fresh)."""
        parts = context.get("leaves") or [{}] * len(self.leaf_layers())
        for leaf, part in zip(self.leaf_layers(), parts):
            leaf.restore_call_context(part)

    @property
    def output_names(self):
        """Names of the outputs, for per-output losses (``["output_0"]`` for one)."""
        return ["output_0"]

    # ------------------------------------------------------------ predict
    def predict(self, x, batch_size=None):
        """Forward pass in inference mode, in chunks of bounded memory.

        Parameters
        ----------
        x : ndarray of shape ``(n_samples, *input_shape)``, or a tuple/list/dict of them
            One array per input for a model with several inputs (a dict is
            keyed by input name).
        batch_size : int, optional
            Rows per chunk; by default sized so the largest layer workspace of
            a chunk holds about a million numbers.

        Returns
        -------
        output : ndarray of shape ``(n_samples, *output_shape)``, or a list of them
            One array per output for a model with several outputs.
        """
        self._check_built()
        xs = model_inputs(self, x)
        multi_in = isinstance(self.input_shape, list)
        if batch_size is None:          # the input chunk counts too (wider than any layer?)
            inputs = sum(int(np.prod(a.shape[1:], dtype=np.int64)) for a in xs)
            batch_size = max(1, PREDICT_ELEMENTS // max(self._widest, inputs))
        batch_size = check_positive_int(batch_size, "batch_size")
        n = xs[0].shape[0]
        shapes, multi_out = _as_list(self.output_shape, is_shape=True)
        outs = [np.empty((n,) + shape, dtype=self.dtype) for shape in shapes]
        for start in range(0, n, batch_size):
            chunk = [rows_as(a[start:start + batch_size], self.dtype) for a in xs]
            result, _ = _as_list(self.forward(chunk if multi_in else chunk[0], training=False))
            for out, part in zip(outs, result):
                out[start:start + batch_size] = part
        return outs if multi_out else outs[0]

    # ----------------------------------------------------------------- fit
    def fit(self, x, y, *, loss="squared_error", loss_weights=None, optimizer="sgd",
            learning_rate=0.1, epochs=100, batch_size=32, shuffle=True, alpha=0.0,
            validation_data=None, callbacks=None, random_state=None, verbose=0):
        """Train for a fixed number of epochs: the tutorials' and Keras's ``fit``.

        Parameters
        ----------
        x : ndarray of shape ``(n_samples, *input_shape)``, or a tuple/list/dict of them
            One array per model input (a dict is keyed by input name).
        y : ndarray, or a tuple/list/dict of them
            One target per output: ``(n_samples, n_outputs)`` values, ``(n_samples,)``
            for a one-value output, or integer class labels with a softmax
            loss (``"log_loss"`` with several outputs). Anything that does not
            fit its output raises ``ValueError``.
        loss : str or Loss, or a list/dict of them, default="squared_error"
            One loss for every output, or one per output; names as in
            :data:`skscratch.losses.LOSSES` (``"log_loss"``, ``"huber"``, ...).
        loss_weights : list or dict of float, optional
            Weight of each output's loss in the total (all 1 by default).
        optimizer : str or Optimizer, default="sgd"
            "sgd" here is plain gradient descent (no momentum), as in the tutorials.
        learning_rate : float, default=0.1
        epochs : int, default=100
        batch_size : int, default=32
            Samples per update; 1 is the tutorials' per-sample SGD.
        shuffle : bool, default=True
        alpha : float, default=0.0
            L2 penalty.
        validation_data : tuple (x_val, y_val), optional
            Evaluated after every epoch: ``val_loss`` (and each output's) in
            :attr:`history`.
        callbacks : list of Callback, optional
            Notified around epochs and batches (:mod:`skscratch.callbacks`);
            ``trainer.owner`` is this model.
        random_state : None, int or numpy.random.Generator
            Seeds initialisation (if the model is not built yet) and shuffling.
        verbose : int, default=0

        Returns
        -------
        self
            With ``history``: one dict per epoch (``loss``, each output's
            ``<name>_loss``, ``val_loss``, ``learning_rate``, ``seconds``).
        """
        # the loop sits one floor above: loaded when training starts, so this
        # module never depends on it at import time
        from .fitting import fit_model
        return fit_model(self, x, y, loss=loss, loss_weights=loss_weights,
                         optimizer=optimizer, learning_rate=learning_rate, epochs=epochs,
                         batch_size=batch_size, shuffle=shuffle, alpha=alpha,
                         validation_data=validation_data, callbacks=callbacks,
                         random_state=random_state, verbose=verbose)

    def _check_built(self):
        if not self.built:
            raise RuntimeError(f"This {type(self).__name__} is not built yet: call build() "
                               "or fit().")


def _as_list(value, is_shape=False):
    """``(list, was_a_list)``: one array (or one shape) becomes a list of one."""
    if is_shape:
        multi = isinstance(value, list)
    else:
        multi = isinstance(value, (list, tuple))
    return (list(value) if multi else [value]), multi
