"""`Container`: what a `Network` and a `Model` share, as layers made of layers.

A container owns no weights of its own: it reads its leaf layers through
:func:`~skscratch.layers.base.leaf_layers` and packs their parameters into
one flat array (each leaf keeps views), so an optimizer updates the whole
model in a few whole-array operations. Whoever trains a container packs it:
a network nested in a model has its leaves packed by the model, and packs
them back if it is later trained on its own.

What a container costs is counted from shapes alone, before anything is
built: its parameters, workspace and widest layer, the rows of a prediction
chunk, and :func:`training_memory`, an upper bound of what a fit allocates
(measured in ``tests/test_memory.py``), with which :func:`check_memory`
refuses absurd sizes up front (the estimators call it before building a
network).
"""

import math

import numpy as np

from .archive import check_not_hdf5
from .callbacks.base import check_keras_verbose
from .fitting import compile_model, evaluate_model, fit_model
from .layers.base import Layer, as_list, check_positive_int, leaf_layers
from .persistence import load_weights, save, save_weights
from .range_test import find_learning_rate
from .training import model_inputs, rows_as

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

    def check_training_memory(self, input_shape, batch_size, dtype, n_samples):
        """Raise ValueError when a ``fit`` on ``n_samples`` samples would clearly not fit in memory.

        :func:`check_memory` for Keras's ``fit``, called before the model is
        built: absurd layer sizes fail with the estimate, as in the
        estimators, not with a ``MemoryError`` (or the operating system's
        kill) while the weights are drawn.

        Parameters
        ----------
        input_shape : tuple of int, or list of them
        batch_size : int
        dtype : numpy dtype
        n_samples : int
        """
        check_memory(self, input_shape, max(1, min(batch_size, n_samples)), dtype,
                     n_samples=n_samples, continued=self.built)

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

    @property
    def grads(self):
        """Every gradient array, aligned with :attr:`params`."""
        return self._packing()["grads"] if self.built else []

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
    def enter_call(self, context):
        """Switch the container and each leaf to one call's own attributes (see Layer's)."""
        leaves = self.leaf_layers()
        context = context or {"own": self._fresh_call(), "leaves": [None] * len(leaves)}
        return {"own": Layer.enter_call(self, context["own"]),
                "leaves": [leaf.enter_call(part) for leaf, part in zip(leaves, context["leaves"])]}

    def leave_call(self, shared):
        """Keep what this call bound, for the container and each leaf; put the rest back."""
        leaves = [leaf.leave_call(part)
                  for leaf, part in zip(self.leaf_layers(), shared["leaves"])]
        return {"own": Layer.leave_call(self, shared["own"]), "leaves": leaves}

    def _fresh_call(self):
        """The container's own attributes a first call starts from."""
        return {}

    def layer_names(self):
        """A unique name per layer (:attr:`layers` order): its own, or Keras's ``dense_1`` style."""
        raise NotImplementedError

    def get_layer(self, name=None, index=None):
        """A layer by name (as :meth:`layer_names` gives it) or by index, as in Keras.

        Parameters
        ----------
        name : str, optional
        index : int, optional

        Returns
        -------
        layer : Layer
        """
        layers = self.layers
        if (name is None) == (index is None):
            raise TypeError("get_layer takes a name or an index.")
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int) or not (
                    -len(layers) <= index < len(layers)):
                raise ValueError(f"index must be an integer below {len(layers)}; got {index!r}.")
            return layers[index]
        names = self.layer_names()
        if name not in names:
            raise ValueError(f"No layer named {name!r}; the layers are {names}.")
        return layers[names.index(name)]

    @property
    def output_names(self):
        """Names of the outputs, for per-output losses (``["output_0"]`` for one)."""
        return ["output_0"]

    @property
    def output_activations(self):
        """The activation each output's last layer applies last (None where it has none)."""
        return [self.output_activation]

    # ------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, logits=False, *, verbose=0):
        """Forward pass in inference mode, in chunks of bounded memory.

        Parameters
        ----------
        x : ndarray of shape ``(n_samples, *input_shape)``, or a tuple/list/dict of them
            One array per input for a model with several inputs (a dict is
            keyed by input name).
        batch_size : int, optional
            Rows per chunk; by default sized so the largest layer workspace of
            a chunk holds about a million numbers.
        logits : bool or list of bool, default=False
            Stop (each flagged output) before its layer's output activation:
            the logits behind a softmax or sigmoid output.
        verbose : {0, 1, 2, "auto"}, default=0
            Taken for Keras's signature (``predict(X, verbose=0)``); nothing
            is printed whatever its value, as there is no progress to show.

        Returns
        -------
        output : ndarray of shape ``(n_samples, *output_shape)``, or a list of them
            One array per output for a model with several outputs.
        """
        check_keras_verbose(verbose, "predict's verbose")
        self._check_built()
        xs = model_inputs(self, x)
        multi_in = isinstance(self.input_shape, list)
        if batch_size is None:          # the input chunk counts too (wider than any layer?)
            inputs = sum(int(np.prod(a.shape[1:], dtype=np.int64)) for a in xs)
            batch_size = max(1, PREDICT_ELEMENTS // max(self._widest, inputs))
        batch_size = check_positive_int(batch_size, "batch_size")
        n = xs[0].shape[0]
        shapes, multi_out = as_list(self.output_shape, list)
        outs = [np.empty((n,) + shape, dtype=self.dtype) for shape in shapes]
        for start in range(0, n, batch_size):
            chunk = [rows_as(a[start:start + batch_size], self.dtype) for a in xs]
            result, _ = as_list(self.forward(chunk if multi_in else chunk[0], training=False,
                                              logits=logits))
            for out, part in zip(outs, result):
                out[start:start + batch_size] = part
        return outs if multi_out else outs[0]

    # ------------------------------------------------- Keras's training faces
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None):
        """Set what :meth:`fit` trains with and :meth:`evaluate` reports, as Keras's ``compile``.

        Parameters
        ----------
        optimizer : str or Optimizer, default="rmsprop"
            A name with Keras's defaults (``"sgd"``: learning rate 0.01, no
            momentum; ``"adam"``; ``"rmsprop"``), or an instance
            (``SGD(learning_rate=1e-3)``). Its state carries on from one
            ``fit`` to the next.
        loss : str or Loss, or a list/dict of them
            One loss for every output, or one per output: names as in
            :data:`skscratch.losses.LOSSES` and Keras's (``"mse"``,
            ``"sparse_categorical_crossentropy"``, ...). A cross-entropy after
            a softmax (sigmoid) output reads that output through its logits,
            fused and exact; after a linear output it takes the output as
            logits.
        loss_weights : list or dict of float, optional
            Weight of each output's loss in the total (all 1 by default).
        metrics : list of str, or a list/dict per output, optional
            Logged beside the loss (:mod:`skscratch.metrics`): ``"accuracy"``,
            ``"mae"``, ``"mse"``, ``"RootMeanSquaredError"``, ...

        Raises
        ------
        ValueError
            For an unknown loss, optimizer or metric, or (once the model's
            outputs are known) a loss or metric that does not fit an output.
        """
        compile_model(self, optimizer=optimizer, loss=loss, loss_weights=loss_weights,
                      metrics=metrics)

    def fit(self, x, y, *, batch_size=32, epochs=100, verbose=0, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, sample_weight=None,
            loss=None, loss_weights=None, optimizer=None, learning_rate=None, metrics=None,
            alpha=0.0, random_state=None):
        """Train for a number of epochs: Keras's ``fit``, and the tutorials'.

        Parameters
        ----------
        x : ndarray of shape ``(n_samples, *input_shape)``, or a tuple/list/dict of them
            One array per model input (a dict is keyed by input name).
        y : ndarray, or a tuple/list/dict of them
            One target per output: ``(n_samples, n_outputs)`` values, ``(n_samples,)``
            for a one-value output, or integer class labels with a softmax
            cross-entropy. Anything that does not fit its output raises
            ``ValueError``.
        batch_size : int, default=32
            Samples per update; 1 is the tutorials' per-sample SGD.
        epochs : int, default=100
        verbose : {0, 1, 2, "auto"}, default=0
            As in Keras: 1 (or "auto") draws a progress bar within each epoch
            and ends the epoch with a line of its losses and metrics; 2 prints
            that line alone; 0 is silent (Keras's default is "auto").
        callbacks : list of Callback, optional
            Notified around epochs and batches (:mod:`skscratch.callbacks`,
            Keras's protocol).
        validation_split : float, default=0.0
            Hold out this fraction of the samples (the last ones, before
            shuffling) as validation data, as Keras does.
        validation_data : tuple ``(x_val, y_val)``, optional
            Or ``(x_val, y_val, sample_weight_val)``. Evaluated after every
            epoch: ``val_loss`` (each output's too) and the validation metrics
            join the history.
        shuffle : bool, default=True
        sample_weight : array-like of shape (n_samples,), optional
        loss, loss_weights, optimizer, metrics : optional
            As :meth:`compile` takes them; given here they replace the
            compiled ones (and stay the model's for :meth:`evaluate`). With
            neither, the tutorials' setup: squared error, plain gradient
            descent at ``learning_rate``.
        learning_rate : float, optional
            With ``optimizer`` given by name (or alone: plain SGD; 0.1 when
            nothing names a rate).
        alpha : float, default=0.0
            L2 penalty on the weights (not the biases).
        random_state : None, int or numpy.random.Generator
            Seeds initialisation (if the model is not built yet) and shuffling.

        Returns
        -------
        self
            With ``history``: a :class:`~skscratch.callbacks.History`, the dict of
            each logged quantity's values per epoch (``self.history.history``
            too, as Keras spells it), ready for ``pandas.DataFrame``.
        """
        return fit_model(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                         callbacks=callbacks, validation_split=validation_split,
                         validation_data=validation_data, shuffle=shuffle,
                         sample_weight=sample_weight, loss=loss, loss_weights=loss_weights,
                         optimizer=optimizer, learning_rate=learning_rate, metrics=metrics,
                         alpha=alpha, random_state=random_state)

    def find_learning_rate(self, x, y, *, min_lr=1e-6, max_lr=10.0, steps=100,
                           smoothing=0.98, divergence=4.0, batch_size=32, loss=None,
                           loss_weights=None, optimizer=None, alpha=0.0, sample_weight=None,
                           shuffle=True, random_state=None):
        """The learning-rate range test on a copy of this model; the model is not changed.

        A copy trains as :meth:`fit` would while the rate grows exponentially
        from ``min_lr`` to ``max_lr`` over at most ``steps`` steps, stopping
        when the loss diverges (:func:`skscratch.range_test.find_learning_rate`).

        Parameters
        ----------
        x, y :
            As :meth:`fit` takes them.
        min_lr, max_lr : float, default=1e-6, 10.0
        steps : int, default=100
        smoothing : float, default=0.98
            Decay of the losses' moving average.
        divergence : float, default=4.0
            Stop once the smoothed loss exceeds this many times its lowest.
        batch_size, loss, loss_weights, optimizer, alpha, sample_weight, shuffle, \
random_state :
            As :meth:`fit` takes them; ``optimizer=None`` is a fresh copy of the
            compiled one (plain SGD when not compiled).

        Returns
        -------
        found : skscratch.range_test.LearningRateRange
            ``learning_rates_``, ``losses_`` (smoothed), ``raw_losses_``,
            ``suggestion_`` and ``plot()``.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skscratch import Network
        >>> from skscratch.layers import Dense
        >>> X, y = load_digits(return_X_y=True)
        >>> net = Network([Dense(64, "relu"), Dense(10)])
        >>> net.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        >>> found = net.find_learning_rate(X / 16, y, batch_size=200, random_state=0)
        >>> 1e-4 < found.suggestion_ < 1e-1
        True
        """
        return find_learning_rate(
            self, x, y, min_lr=min_lr, max_lr=max_lr, steps=steps, smoothing=smoothing,
            divergence=divergence, batch_size=batch_size, loss=loss, loss_weights=loss_weights,
            optimizer=optimizer, alpha=alpha, sample_weight=sample_weight, shuffle=shuffle,
            random_state=random_state)

    def evaluate(self, x, y, *, batch_size=None, verbose=0, sample_weight=None,
                 return_dict=False):
        """The compiled loss and metrics on ``(x, y)``, as Keras's ``evaluate``.

        Parameters
        ----------
        x, y :
            As :meth:`fit` takes them.
        batch_size : int, optional
            Rows per prediction chunk (memory only: the results do not depend on it).
        verbose : {0, 1, 2, "auto"}, default=0
            Anything but 0 prints the results.
        sample_weight : array-like of shape (n_samples,), optional
        return_dict : bool, default=False

        Returns
        -------
        result : float, list of float, or dict
            The loss when nothing else is compiled; otherwise ``[loss,
            *each output's loss, *metrics]`` (the loss being the weighted sum
            of the outputs'), or a dict by the history's keys.

        Raises
        ------
        RuntimeError
            Before :meth:`compile` (or :meth:`fit`): there is no loss.
        """
        return evaluate_model(self, x, y, batch_size=batch_size, verbose=verbose,
                              sample_weight=sample_weight, return_dict=return_dict)

    # --------------------------------------------------------------- files
    def save(self, filepath, save_format=None):
        """Write the architecture and weights to ``filepath`` (Keras's ``model.save``).

        Read it back with :func:`skscratch.load`. skscratch writes its own
        safe format (an ``.npz`` archive of arrays and a JSON header), never
        pickle and never HDF5: a path ending in ``.h5`` is refused.

        Parameters
        ----------
        filepath : str or path-like
        save_format : None, default=None
            Accepted for Keras's signature; any other format is refused.
        """
        check_not_hdf5(filepath, save_format)
        save(self, filepath)

    def save_weights(self, filepath):
        """Write the weights alone (Keras's ``save_weights``); :meth:`load_weights` reads them.

        Parameters
        ----------
        filepath : str or path-like
            Any suffix but ``.h5`` (skscratch does not write HDF5).
        """
        self._check_built()
        save_weights(self, filepath)

    def load_weights(self, filepath):
        """Copy weights written by :meth:`save_weights` into this (built) model.

        Parameters
        ----------
        filepath : str or path-like

        Raises
        ------
        ValueError
            When the file's arrays do not fit this model; it is then unchanged.
        """
        self._check_built()
        load_weights(self, filepath)

    def _known_input_shape(self):
        """The input shape declared before any data was seen (None if not declared)."""
        return self.input_shape

    def _check_built(self):
        """Build with fresh weights when the input shape is known, as Keras does on first
        use (``summary()``, ``get_weights()``, ``predict``); RuntimeError otherwise."""
        if self.built:
            return
        if self._known_input_shape() is not None:
            self.build(self._known_input_shape())
            return
        raise RuntimeError(f"This {type(self).__name__} is not built yet: call build() or "
                           "fit(), or declare its input (Input, or input_shape= on its first "
                           "layer).")



# refuse to build a model whose training would need more than this
MEMORY_LIMIT_BYTES = 8 << 30
# parameter-sized arrays any fit may hold at once, besides the optimizer's slots: the
# weights and their gradients, the optimizer's scratch, the best weights (early
# stopping), the L2 penalty's scratch and one temporary of the divergence check. A
# continued fit adds the call's snapshot (skscratch/rollback.py): a copy of the weights
# and of each optimizer slot, and the previous best weights it keeps
PARAMETER_COPIES = 6
# bytes per sample a fit holds besides X, per output (encoded and raw targets, their
# label encodings, the validation predictions) and per sample (the shuffled index)
BYTES_PER_OUTPUT, BYTES_PER_SAMPLE = 48, 32
PREDICTION_CHUNKS = 4


def training_memory(model, input_shape, batch_size, dtype, *, n_samples=0,
                    optimizer_slots=2, continued=False, copies_of_x=0):
    """Bytes that training ``model`` may allocate at its peak, at most.

    An upper bound of what ``fit`` or ``partial_fit`` allocate beyond X
    itself (tracemalloc's peak; ``tests/test_memory.py`` measures it on
    MLPs and ConvNets, both dtypes, with dropout, batch norm, early stopping
    and prediction), from shapes alone: nothing is allocated. It adds up

    - the parameters, ``PARAMETER_COPIES + optimizer_slots`` times, and
      ``2 + optimizer_slots`` more in a continued fit (its snapshot);
    - each layer's training workspace (:meth:`Layer.count_workspace`) for a
      full batch and for the epoch's last, smaller one (layers keep a buffer
      of each shape), and the gathered batch;
    - what grows with the data: targets, the shuffled index, predictions, and
      ``copies_of_x`` copies of the inputs (1 for the split of ``early_stopping``);
    - prediction chunks (a few times :data:`PREDICT_ELEMENTS` numbers).

    Parameters
    ----------
    model : Layer
        A layer, network or model (built or not).
    input_shape : tuple of int, or list of them
    batch_size : int
    dtype : numpy dtype
    n_samples : int, default=0
        Training samples (0: the data terms are left out).
    optimizer_slots : int, default=2
        Parameter-sized arrays of the optimizer's state (Adam 2, SGD 1).
    continued : bool, default=False
        A continued fit (``partial_fit``, ``warm_start``) also keeps a copy
        of the weights and optimizer state to roll back to (a fresh fit
        builds a new network: a failure discards it).
    copies_of_x : int, default=0

    Returns
    -------
    float
    """
    itemsize = np.dtype(dtype).itemsize
    params = model.count_params(input_shape)
    copies = PARAMETER_COPIES + optimizer_slots + continued * (2 + optimizer_slots)
    last = n_samples % batch_size if n_samples > batch_size else 0
    inputs = sum(math.prod(s) for s in as_list(input_shape, list)[0])
    outputs = sum(math.prod(s) for s in as_list(model.compute_output_shape(input_shape), list)[0])
    workspace = model.count_workspace(input_shape) + inputs + outputs
    # prediction in chunks of rows sized as Container.predict sizes them: the input
    # chunk in the model's dtype, the previous layer's output, the current layer's
    # workspace and a temporary
    widest = model.count_widest(input_shape) if hasattr(model, "count_widest") else outputs
    rows = min(n_samples, max(1, PREDICT_ELEMENTS // max(widest, inputs)))
    predicting = rows * (inputs + (PREDICTION_CHUNKS - 1) * widest)
    numbers = (copies * params + (batch_size + last) * workspace + predicting
               + n_samples * (copies_of_x * inputs + outputs))
    return numbers * itemsize + n_samples * (BYTES_PER_OUTPUT * outputs + BYTES_PER_SAMPLE)


def check_memory(model, input_shape, batch_size, dtype, limit=MEMORY_LIMIT_BYTES, **data):
    """Raise ValueError when training ``model`` would clearly not fit in memory.

    The estimate is :func:`training_memory`'s upper bound, from the layers'
    weight declarations and shapes alone, before anything is allocated:
    absurd layer sizes fail fast instead of being killed by the operating
    system.

    Parameters
    ----------
    model : Layer
        A layer, network or model (built or not).
    input_shape : tuple of int, or list of them
    batch_size : int
    dtype : numpy dtype
    limit : int, default=8 GiB
    **data
        ``n_samples``, ``optimizer_slots``, ``continued``, ``copies_of_x``:
        as in :func:`training_memory`.
    """
    need = training_memory(model, input_shape, batch_size, dtype, **data)
    if need > limit:
        params = model.count_params(input_shape)
        raise ValueError(
            f"This network would need about {need / 2**30:,.1f} GiB to train "
            f"({params:,} parameters; batch of {batch_size}); the limit is "
            f"{limit / 2**30:.0f} GiB. Use smaller layers or batches.")
