"""`Model`: a graph of layers built with the functional API (Keras's ``Model``).

Calling layers on symbolic tensors records nodes; ``Model(inputs, outputs)``
follows them back from the outputs and orders them so every node comes
after the nodes it reads (a topological order). Values live in numbered
slots: the inputs first, then one slot per node output.

Forward runs the nodes in that order. Backward runs them in reverse and
**sums** gradients: where a tensor feeds several nodes (fan-out) its
gradient is the sum of what each consumer sends back, and a layer called at
several nodes (shared weights) adds up its parameter gradients over them.
A shared layer keeps one call context (caches, scratch buffers) per node,
so each backward pass reads its own call's values.
"""

import numpy as np

from .configs import MAX_NESTING, layer_config, layer_from_config
from .container import Container
from .graph import (
    GradientSums,
    check_sharing,
    checked_index,
    grads_so_far,
    topological_nodes,
    unique_names,
)
from .layers.base import LAYERS, as_list, dense_batch
from .layers.symbolic import Input, SymbolicTensor
from .random_state import as_generator
from .summary import short_name, table


@LAYERS.register("Model")
class Model(Container):
    """A network of layers joined by the functional API.

    Parameters
    ----------
    inputs : SymbolicTensor or list of SymbolicTensor
        From :func:`skscratch.layers.Input`.
    outputs : SymbolicTensor or list of SymbolicTensor
        Tensors computed from ``inputs`` by calling layers.
    name : str, optional

    Attributes
    ----------
    input_shape, output_shape : tuple of int, or list of them
        One per input (output) when the model has several.
    history : list of dict
        Per-epoch records of the last :meth:`fit`.

    Examples
    --------
    Wide & Deep with a main and an auxiliary output:

    >>> from skscratch import Model
    >>> from skscratch.layers import Concatenate, Dense, Input
    >>> wide, deep = Input((5,), name="wide"), Input((6,), name="deep")
    >>> h = Dense(30, "relu")(deep)
    >>> main = Dense(1, name="main")(Concatenate()([wide, h]))
    >>> aux = Dense(1, name="aux")(h)
    >>> model = Model(inputs=[wide, deep], outputs=[main, aux]).build(random_state=0)
    >>> model.output_shape, model.n_params
    ([(1,), (1,)], 277)
    """

    def __init__(self, inputs=None, outputs=None, name=None):
        if inputs is None or outputs is None:
            # Keras's subclassing API calls Model.__init__ without tensors
            raise TypeError(
                f"{type(self).__name__} needs inputs and outputs: Model(inputs, outputs) joins "
                "the tensors of a functional graph (skscratch.layers.Input and layer calls). "
                "Keras's subclassing API (a Model subclass with a call method) is not "
                "supported: build the same layers as a functional graph.")
        super().__init__(name)
        # a list of one is one input (output), as Keras unpacks it: ``Model([x], [y])``
        # predicts an array, not a list of one
        self._multi_in = isinstance(inputs, (list, tuple)) and len(inputs) != 1
        self._multi_out = isinstance(outputs, (list, tuple)) and len(outputs) != 1
        self.inputs, self.outputs = as_list(inputs)[0], as_list(outputs)[0]
        for t in self.inputs + self.outputs:
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"Model inputs and outputs must be symbolic tensors; got {t!r}.")
        if any(t.node is not None for t in self.inputs):
            raise ValueError("Model inputs must come from skscratch.layers.Input().")
        if len({id(t) for t in self.inputs}) < len(self.inputs):
            raise ValueError("The same Input is listed twice among the model's inputs.")
        names = [t.name for t in self.inputs if t.name is not None]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"Two of the model's inputs are named {twice[0]!r}: inputs are "
                             "fed by name (a dict x, inputs= columns), so each name must be "
                             f"unique; got the names {[t.name for t in self.inputs]}.")
        self.multi_input = self._multi_in
        self._nodes = topological_nodes(self.inputs, self.outputs)
        if not self._nodes:
            raise ValueError("A Model needs at least one layer call between its inputs and "
                             "its outputs.")
        check_sharing(self._nodes)
        self._plan()
        shapes = [t.shape for t in self.inputs]
        self.input_shape = shapes if self._multi_in else shapes[0]
        shapes = [t.shape for t in self.outputs]
        self.output_shape = shapes if self._multi_out else shapes[0]
        names = self._tensor_names()
        self._output_names = unique_names([names[id(t)] for t in self.outputs])

    @property
    def output_names(self):
        """Each output's name (as in ``summary()``), for per-output losses in the history."""
        return self._output_names

    def _plan(self):
        """Number the value slots and find each layer's nodes."""
        slots = {id(t): i for i, t in enumerate(self.inputs)}
        for node in self._nodes:
            slots[id(node.output)] = len(slots)
        self._n_slots = len(slots)
        self._in_slots = [[slots[id(t)] for t in node.inputs] for node in self._nodes]
        self._out_slots = [slots[id(node.output)] for node in self._nodes]
        self._output_slots = [slots[id(t)] for t in self.outputs]
        calls = {}
        for node in self._nodes:
            calls[id(node.layer)] = calls.get(id(node.layer), 0) + 1
        self._shared = [calls[id(node.layer)] > 1 for node in self._nodes]
        self._contexts = [None for _ in self._nodes]
        # a node needs its input gradient unless it reads model inputs only
        self._reads_inner = [any(s >= len(self.inputs) for s in ins) for ins in self._in_slots]
        # only model inputs can be sparse: nodes reading one may need it densified
        self._reads_input = [any(s < len(self.inputs) for s in ins) for ins in self._in_slots]

    @property
    def layers(self):
        """The distinct layers, in the order the model calls them first.

        Returns
        -------
        layers : list of Layer
        """
        return [layer for layer, _ in self._calls(self.input_shape, distinct=True)]

    def sublayers(self):
        """The distinct layers (see :attr:`layers`)."""
        return self.layers

    def __call__(self, inputs):
        """Use the model as a layer of another model (one output only).

        Parameters
        ----------
        inputs : SymbolicTensor or list of SymbolicTensor

        Returns
        -------
        output : SymbolicTensor
        """
        if self._multi_out:
            raise ValueError("A Model with several outputs cannot be called as a layer; "
                             "build the outer model from its layers' outputs instead.")
        return super().__call__(inputs)

    def __getstate__(self):
        state = super().__getstate__()
        state["_contexts"] = [None for _ in self._nodes]   # per-call caches are not the model
        return state

    def _fresh_call(self):
        # a model shared as a whole keeps, per call, its own shared layers' contexts
        return {"_contexts": [None] * len(self._nodes)}

    # --------------------------------------------------------------- shapes
    def compute_output_shape(self, input_shape):
        if input_shape != self.input_shape:
            raise ValueError(f"This Model takes inputs of shape {self.input_shape}; "
                             f"received {input_shape}.")
        return self.output_shape

    def _calls(self, input_shape, distinct=False):
        """``(layer, its input shape)`` for every node (each layer's first if ``distinct``)."""
        self.compute_output_shape(input_shape)
        seen, calls = set(), []
        for node in self._nodes:
            if distinct and id(node.layer) in seen:
                continue
            seen.add(id(node.layer))
            shapes = [t.shape for t in node.inputs]
            calls.append((node.layer, shapes if node.multi_input else shapes[0]))
        return calls

    def build(self, input_shape=None, random_state=None, dtype=np.float64):
        """Build every layer for the shapes of the model's inputs.

        Parameters
        ----------
        input_shape : tuple of int or list of them, optional
            Checked against the inputs' shapes when given (by an outer model).
        random_state : None, int or numpy.random.Generator
            Seed or generator for the initial weights (and dropout masks).
        dtype : numpy dtype, default=float64

        Layers already built for their input shape and dtype keep their
        weights: a trained network used in a new model is not reset.

        Returns
        -------
        self : Model
        """
        if input_shape is not None:
            self.compute_output_shape(input_shape)
        rng = as_generator(random_state)
        widest = max(int(np.prod(t.shape)) for t in self.inputs)
        for layer, shape in self._calls(self.input_shape, distinct=True):
            self._build_layer(layer, shape, rng, dtype)
            widest = max(widest, layer.elements_per_sample())
        self._finish_build(dtype, widest)
        return self

    # ------------------------------------------------------ forward/backward
    @property
    def output_activations(self):
        """The activation each output's layer applies last (None where it has none)."""
        producers = {slot: node for slot, node in zip(self._out_slots, self._nodes)}
        return [producers[s].layer.output_activation if s in producers else None
                for s in self._output_slots]

    @property
    def output_activation(self):
        """The activation of the model's one output (None for several outputs)."""
        return None if self._multi_out else self.output_activations[0]

    def logits_nodes(self, logits):
        """Indices of the nodes that stop before their activation for ``logits`` (per output).

        Raises ValueError when such an output also feeds other layers: they
        need its activated values while the loss takes its logits.
        """
        flags = logits if isinstance(logits, (list, tuple)) else [logits] * len(self.outputs)
        nodes = set()
        for slot, flag in zip(self._output_slots, flags):
            if not flag or slot not in self._out_slots:
                continue
            k = self._out_slots.index(slot)
            if any(slot in ins for ins in self._in_slots) or self._output_slots.count(slot) > 1:
                raise ValueError(
                    f"The output computed by {self._nodes[k].layer.describe()} also feeds other "
                    "layers (or is listed twice), so its activation cannot be fused with the "
                    "cross-entropy loss that follows it: end that output with a linear layer "
                    "(its logits) and apply the activation where the other layers read it.")
            nodes.add(k)
        return nodes

    def _fused_nodes(self, logits):
        """:meth:`logits_nodes`, worked out once per flag pattern (it runs every step)."""
        key = tuple(logits) if isinstance(logits, (list, tuple)) else logits
        cache = self.__dict__.setdefault("_fused_cache", {})
        if key not in cache:
            cache[key] = self.logits_nodes(logits)
        return cache[key]

    def forward(self, x, training=False, logits=False):
        """Run the graph on ``x``: one array, or a list with one per input.

        Parameters
        ----------
        x : ndarray or list of ndarray
        training : bool, default=False
        logits : bool or list of bool, default=False
            Stop the outputs (each flagged one) before their layer's output
            activation (see :meth:`Layer.forward <skscratch.layers.Layer.forward>`).

        Returns
        -------
        output : ndarray, or a list with one per output
        """
        xs = list(x) if self._multi_in else [x]
        if len(xs) != len(self.inputs):
            raise ValueError(f"This Model takes {len(self.inputs)} inputs; got {len(xs)}.")
        fused = self._fused_nodes(logits) if logits else ()
        values = xs + [None] * (self._n_slots - len(xs))
        for k, node in enumerate(self._nodes):
            layer, switch = node.layer, training and self._shared[k]
            args = [values[s] for s in self._in_slots[k]]
            if not layer.accepts_sparse and self._reads_input[k]:
                args = [dense_batch(a) for a in args]
            arg = args if node.multi_input else args[0]
            shared = layer.enter_call(self._contexts[k]) if switch else None
            try:
                values[self._out_slots[k]] = (
                    layer.forward(arg, training=training, logits=True) if k in fused
                    else layer.forward(arg, training=training))
            finally:
                if switch:
                    self._contexts[k] = layer.leave_call(shared)
        outs = [values[s] for s in self._output_slots]
        return outs if self._multi_out else outs[0]

    def backward(self, grad_output, need_input_grad=False):
        """Back-propagate dE/doutput through the graph, summing at fan-outs.

        Parameters
        ----------
        grad_output : ndarray, or a list with one per output
        need_input_grad : bool, default=False
            Whether to return dE/dinput (one array per input).

        Returns
        -------
        grad_input : ndarray, list of ndarray, or None
        """
        grads = GradientSums(self._n_slots)
        grads.add_all(self._output_slots, grad_output if self._multi_out else [grad_output])
        touched = set()
        for k in range(len(self._nodes) - 1, -1, -1):
            node, g = self._nodes[k], grads.get(self._out_slots[k])
            if g is None:
                continue
            need = need_input_grad or self._reads_inner[k]
            earlier, shared = (), None
            if self._shared[k]:
                earlier = grads_so_far(node.layer, touched)
                shared = node.layer.enter_call(self._contexts[k])
            try:
                result = node.layer.backward(g, need_input_grad=need)
            finally:
                if shared is not None:
                    self._contexts[k] = node.layer.leave_call(shared)
            for grad, saved in earlier:
                grad += saved
            if need:
                grads.add_all(self._in_slots[k], result if node.multi_input else [result])
        if not need_input_grad:
            return None
        result = [grads.get(i) for i in range(len(self.inputs))]
        return result if self._multi_in else result[0]

    # -------------------------------------------------------------- summary
    def summary(self, print_fn=None):
        """Print the layers, output shapes, parameter counts, and what each layer is connected to.

        As Keras's ``summary``; an unbuilt model is built first (with fresh
        weights).

        Parameters
        ----------
        print_fn : callable, optional
            Called with the table's text instead of ``print``.
        """
        self._check_built()
        names = self._tensor_names()
        rows = [(f"{names[id(t)]} (Input)", str((None,) + t.shape), "0", "")
                for t in self.inputs]
        counted = set()
        for node in self._nodes:
            params = 0 if id(node.layer) in counted else node.layer.n_params
            counted.add(id(node.layer))
            rows.append((f"{names[id(node.output)]} ({short_name(node.layer)})",
                         str((None,) + node.output.shape), f"{params:,}",
                         ", ".join(names[id(t)] for t in node.inputs)))
        (print_fn or print)(table(("Layer", "Output shape", "Params", "Connected to"), rows,
                                  self.n_params))

    def layer_names(self):
        names, first = self._tensor_names(), {}
        for node in self._nodes:
            first.setdefault(id(node.layer), names[id(node.output)])
        return [first[id(layer)] for layer in self.layers]

    def _tensor_names(self):
        """A unique readable name per tensor: the given names, then ``dense_1``-style ones."""
        tensors = self.inputs + [node.output for node in self._nodes]
        kinds = ["input"] * len(self.inputs) + [type(n.layer).__name__.lower()
                                                 for n in self._nodes]
        given = unique_names([t.name for t in tensors if t.name])
        names = iter(unique_names(given + [kind for t, kind in zip(tensors, kinds)
                                           if not t.name])[len(given):])
        given = iter(given)
        return {id(t): next(given) if t.name else next(names) for t in tensors}

    # --------------------------------------------------------------- config
    def get_config(self):
        """Inputs, layers and the nodes joining them, as JSON-ready data."""
        layers = self.layers
        index = {id(layer): i for i, layer in enumerate(layers)}
        return {
            "inputs": [{"shape": list(t.shape), "name": t.name} for t in self.inputs],
            "layers": [layer_config(layer) for layer in layers],
            "nodes": [{"layer": index[id(node.layer)], "inputs": slots}
                      for node, slots in zip(self._nodes, self._in_slots)],
            "outputs": self._output_slots,
            "multi_input": self._multi_in, "multi_output": self._multi_out,
            **super().get_config()}

    @classmethod
    def from_config(cls, config, depth=0):
        """A new, unbuilt model from :meth:`get_config`'s output.

        Parameters
        ----------
        config : dict
        depth : int, default=0
            Nesting depth so far (bounded, for files from untrusted sources).

        Returns
        -------
        model : Model
        """
        if depth > MAX_NESTING:
            raise ValueError(f"Models are nested more than {MAX_NESTING} deep.")
        layers = [layer_from_config(spec, depth + 1) for spec in config["layers"]]
        tensors = [Input(tuple(spec["shape"]), name=spec.get("name"))
                   for spec in config["inputs"]]
        for node in config["nodes"]:
            args = [tensors[checked_index(s, len(tensors))] for s in node["inputs"]]
            layer = layers[checked_index(node["layer"], len(layers))]
            tensors.append(layer(args if layer.multi_input else args[0]))
        n_in = len(config["inputs"])
        inputs = tensors[:n_in] if config["multi_input"] else tensors[0]
        outputs = [tensors[checked_index(s, len(tensors))] for s in config["outputs"]]
        return cls(inputs, outputs if config["multi_output"] else outputs[0],
                   name=config.get("name"))
