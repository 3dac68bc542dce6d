"""`Network`: an ordered list of layers, usable without scikit-learn."""

import numpy as np

from .configs import layer_config, layer_from_config
from .container import Container
from .layers.arrays import as_shape, dense_batch
from .layers.base import LAYERS, Layer
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
        layer : Layer

        Returns
        -------
        self : Network
        """
        if not isinstance(layer, Layer):
            raise TypeError(f"Network layers must be Layer instances; got {type(layer).__name__}.")
        if layer.multi_input:
            raise TypeError(f"{type(layer).__name__} merges several inputs; a Network is a "
                            "chain of one-input layers. Use skscratch.Model for graphs.")
        if any(layer is other for other in self.layers):
            raise ValueError(f"{layer.describe()} is already in this Network; to use one layer "
                             "twice (shared weights) build a skscratch.Model.")
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
        rng = np.random.default_rng(random_state)
        shape = as_shape(input_shape)
        self.input_shape = shape
        widest = int(np.prod(shape))
        for layer in self.layers:
            shape = self._build_layer(layer, shape, rng, dtype)
            widest = max(widest, layer.elements_per_sample())
        self.output_shape = shape
        self._finish_build(dtype, widest)
        return self

    def forward(self, x, training=False):
        """Run ``x`` of shape ``(batch, *input_shape)`` through every layer.

        Parameters
        ----------
        x : ndarray
        training : bool, default=False

        Returns
        -------
        output : ndarray of shape ``(batch, *output_shape)``
        """
        if not self.layers[0].accepts_sparse:
            x = dense_batch(x)
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

    def summary(self):
        """A table of layers, output shapes and parameter counts, with the total.

        Returns
        -------
        text : str
        """
        self._check_built()
        rows = [((f"{layer.name} " if layer.name else "") + short_name(layer),
                 str((None,) + layer.output_shape), f"{layer.n_params:,}")
                for layer in self.layers]
        return table(("Layer", "Output shape", "Params"), rows, self.n_params)

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
