"""`Network`: an ordered list of layers, usable without scikit-learn."""

import numpy as np

from .configs import layer_config, layer_from_config
from .container import Container
from .graph import unique_names
from .layers.base import LAYERS, Layer, all_layers, as_shape, dense_batch
from .layers.symbolic import SymbolicTensor
from .random_state import as_generator
from .summary import short_name, table


@LAYERS.register("Network")
class Network(Container):
    """A feed-forward network: layers applied in order.

    The sequential case of :class:`skscratch.Model`. A network is itself a
    layer: it can be called on a symbolic tensor inside a functional model.

    Parameters
    ----------
    layers : sequence of Layer, optional
        The layers, first to last. More can be appended with :meth:`add`.
    name : str, optional

    Attributes
    ----------
    params : list of ndarray
        Every trainable array of every layer, in layer order (after build).
        They are views into ``flat_params``.
    grads : list of ndarray
        The matching gradient arrays, views into ``flat_grads``.
    flat_params, flat_grads : ndarray of shape (n_params,)
        All parameters and all gradients as single arrays, for optimizers.
    history : list of dict
        Per-epoch records of the last :meth:`fit`.

    Examples
    --------
    The XOR network of the classic tutorial:

    >>> import numpy as np
    >>> from skscratch import Network
    >>> from skscratch.layers import Dense, Tanh
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> y = np.array([[0], [1], [1], [0]], dtype=float)
    >>> net = Network([Dense(3), Tanh(), Dense(1), Tanh()])
    >>> net = net.fit(X, y, loss="mse", learning_rate=0.1, epochs=1000,
    ...               batch_size=1, random_state=0)
    >>> np.round(net.predict(X).ravel()).astype(int)
    array([0, 1, 1, 0])
    """

    def __init__(self, layers=(), name=None):
        super().__init__(name)
        self.layers = []
        self._input = None
        for layer in layers:
            self.add(layer)

    @property
    def accepts_sparse(self):
        """Whether the first layer takes a sparse batch (a leading Dense does)."""
        return bool(self.layers) and self.layers[0].accepts_sparse

    def add(self, layer):
        """Append a layer (the network must be built again) and return self.

        Parameters
        ----------
        layer : Layer or SymbolicTensor
            A layer; or, first, an :func:`~skscratch.layers.Input` (Keras's
            ``Sequential.add(Input(shape=...))``), which declares the input
            shape so the network can be built before any data is seen.

        Returns
        -------
        self : Network
        """
        if isinstance(layer, SymbolicTensor) and layer.node is None:
            if self.layers or self._input is not None:
                raise ValueError("An Input goes first in a Network, before any layer.")
            self._input = layer.shape
            return self
        if not isinstance(layer, Layer):
            raise TypeError(f"Network layers must be Layer instances; got {type(layer).__name__}.")
        if layer.multi_input:
            raise TypeError(f"{type(layer).__name__} merges several inputs; a Network is a "
                            "chain of one-input layers. Use skscratch.Model for graphs.")
        if any(layer is other for other in self.layers):
            raise ValueError(f"{layer.describe()} is already in this Network; to use one layer "
                             "twice (shared weights) build a skscratch.Model.")
        if any(inner is self for inner in all_layers(layer)):
            raise ValueError(f"{layer.describe()} is or holds this Network: a network cannot "
                             "contain itself.")
        self.layers.append(layer)
        self.built = False
        return self

    def sublayers(self):
        """The layers, first to last."""
        return list(self.layers)

    def compute_output_shape(self, input_shape):
        shape = as_shape(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def _calls(self, input_shape, distinct=False):
        """``(layer, its input shape)`` along the chain."""
        calls, shape = [], as_shape(input_shape)
        for layer in self.layers:
            calls.append((layer, shape))
            shape = layer.compute_output_shape(shape)
        return calls

    def build(self, input_shape, random_state=None, dtype=np.float64):
        """Build every layer for samples of shape ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of one input sample (no batch axis).
        random_state : None, int or numpy.random.Generator
            Seed or generator for the initial weights (and dropout masks).
        dtype : numpy dtype, default=float64

        Layers already built for their input shape and dtype keep their
        weights.

        Returns
        -------
        self : Network
        """
        if not self.layers:
            raise ValueError("Cannot build a Network with no layers.")
        rng = as_generator(random_state)
        shape = as_shape(input_shape)
        declared = self._declared_input_shape()
        if declared is not None and shape != declared:
            raise ValueError(f"This Network was declared for inputs of shape {declared}; "
                             f"received samples of shape {shape}.")
        self.input_shape = shape
        widest = int(np.prod(shape))
        for layer in self.layers:
            shape = self._build_layer(layer, shape, rng, dtype)
            widest = max(widest, layer.elements_per_sample())
        self.output_shape = shape
        self._finish_build(dtype, widest)
        return self

    @property
    def output_activation(self):
        """The activation the last layer applies last (None if it has none)."""
        return self.layers[-1].output_activation if self.layers else None

    def forward(self, x, training=False, logits=False):
        """Run ``x`` of shape ``(batch, *input_shape)`` through every layer.

        Parameters
        ----------
        x : ndarray
        training : bool, default=False
        logits : bool, default=False
            Stop before the last layer's output activation (see
            :meth:`Layer.forward <skscratch.layers.Layer.forward>`).

        Returns
        -------
        output : ndarray of shape ``(batch, *output_shape)``
        """
        if not self.layers[0].accepts_sparse:
            x = dense_batch(x)
        if logits:
            for layer in self.layers[:-1]:
                x = layer.forward(x, training=training)
            return self.layers[-1].forward(x, training=training, logits=True)
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, grad_output, need_input_grad=False):
        """Back-propagate dE/doutput through every layer, last to first.

        Fills every layer's ``grads``. The first layer skips its input gradient
        unless ``need_input_grad`` is true, in which case dE/dinput is returned.

        Parameters
        ----------
        grad_output : ndarray of shape ``(batch, *output_shape)``
        need_input_grad : bool, default=False

        Returns
        -------
        grad_input : ndarray or None
        """
        grad = grad_output
        for i in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[i].backward(grad, need_input_grad=i > 0 or need_input_grad)
        return grad

    def layer_names(self):
        given = unique_names([layer.name for layer in self.layers if layer.name])
        kinds = unique_names(given + [type(layer).__name__.lower() for layer in self.layers
                                      if not layer.name])[len(given):]
        given, kinds = iter(given), iter(kinds)
        return [next(given) if layer.name else next(kinds) for layer in self.layers]

    def _declared_input_shape(self):
        """The input shape an Input or the first layer's ``input_shape=`` declared, or None."""
        if self._input is not None:
            return self._input
        return self.layers[0].declared_input_shape if self.layers else None

    def _known_input_shape(self):
        return self.input_shape if self.built else self._declared_input_shape()

    def summary(self, print_fn=None):
        """Print a table of layers, output shapes and parameter counts, with the total.

        As Keras's ``summary``; a network whose input shape is declared is
        built first (with fresh weights).

        Parameters
        ----------
        print_fn : callable, optional
            Called with the table's text instead of ``print``.
        """
        self._check_built()
        rows = [((f"{layer.name} " if layer.name else "") + short_name(layer),
                 str((None,) + layer.output_shape), f"{layer.n_params:,}")
                for layer in self.layers]
        (print_fn or print)(table(("Layer", "Output shape", "Params"), rows, self.n_params))

    def get_config(self):
        """The layers' types and settings (what :func:`skscratch.load` rebuilds)."""
        config = {"layers": [layer_config(layer) for layer in self.layers]}
        return {**config, **super().get_config()}

    @classmethod
    def from_config(cls, config, depth=0):
        """A new, unbuilt network from :meth:`get_config`'s output.

        Parameters
        ----------
        config : dict
        depth : int, default=0
            Nesting depth so far (bounded, for files from untrusted sources).

        Returns
        -------
        network : Network
        """
        return cls([layer_from_config(spec, depth + 1) for spec in config["layers"]],
                   name=config.get("name"))
