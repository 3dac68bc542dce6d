"""`Network`: an ordered list of layers, usable without scikit-learn."""

import inspect

import numpy as np

from .container import Container
from .layers.base import LAYERS, Layer, as_shape


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
            shape = layer.build(shape, rng, dtype)
            widest = max(widest, _widest(layer))
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


# nested networks deeper than this are refused when reading a configuration
MAX_NESTING = 32


def layer_config(layer):
    """``{"type": ..., "config": ...}``: a layer as JSON-ready data.

    Parameters
    ----------
    layer : Layer
        A layer whose class is registered in :data:`skscratch.layers.LAYERS`.

    Returns
    -------
    spec : dict
    """
    return {"type": LAYERS.name_of(layer), "config": layer.get_config()}


def layer_from_config(spec, depth=0):
    """The layer :func:`layer_config` describes; only registered types are made.

    Parameters
    ----------
    spec : dict
        ``{"type": name, "config": constructor arguments}``.
    depth : int, default=0

    Returns
    -------
    layer : Layer
    """
    if depth > MAX_NESTING:
        raise ValueError(f"Layers are nested more than {MAX_NESTING} deep.")
    cls = LAYERS.get_class(spec["type"])
    config = spec["config"]
    if not isinstance(config, dict):
        raise ValueError(f"The configuration of a {spec['type']} layer is not a mapping.")
    if hasattr(cls, "from_config"):
        return cls.from_config(config, depth)
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()})


def short_name(layer):
    """``Dense(64, relu)``: the layer's type and its settings that differ from the defaults."""
    if isinstance(layer, Container):
        return type(layer).__name__
    defaults = {name: p.default for name, p in
                inspect.signature(type(layer).__init__).parameters.items()}
    values = [str(v) for k, v in layer.get_config().items()
              if k != "name" and not _is_default(v, defaults.get(k, inspect.Parameter.empty))]
    return f"{type(layer).__name__}({', '.join(values)})" if values else type(layer).__name__


def _is_default(value, default):
    """Whether a configured value is what its default means (``(1, 1)`` for 1, ...)."""
    if value in ("identity", "auto"):
        return True
    return value == default or (isinstance(value, tuple) and value == (default, default))


def table(header, rows, total):
    """A plain-text table with a rule under the header and the parameter total."""
    rows = [tuple(header)] + [tuple(r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    rule = "-" * max(len(line) for line in lines)
    return "\n".join([lines[0], rule, *lines[1:], rule, f"Total params: {total:,}"])


def _widest(layer):
    """Numbers one sample occupies in the largest workspace of a (built) layer."""
    if isinstance(layer, Container):
        return layer._widest
    return layer.elements_per_sample()
