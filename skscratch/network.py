"""`Network`: an ordered list of layers, usable without scikit-learn."""

import numpy as np

from .layers.base import Layer
from .losses import get_loss
from .optimizers import SGD, get_optimizer
from .training import Trainer

# rows per prediction chunk are chosen so the widest layer's work holds at most
# this many numbers (4 MiB in float32): memory is bounded by the chunk, not by
# the dataset, and chunks stay big enough for efficient BLAS calls
PREDICT_ELEMENTS = 1 << 20
# refuse to build a network whose training would need more than this
MEMORY_LIMIT_BYTES = 8 << 30


def check_memory(network, input_shape, batch_size, dtype, limit=MEMORY_LIMIT_BYTES):
    """Raise ValueError when training ``network`` would clearly not fit in memory.

    The estimate counts each parameter four times (weight, gradient and two
    optimizer moments) and each layer's output three times per batch sample
    (activation, cache, gradient); it is computed from shapes alone, before
    anything is allocated, so absurd layer sizes fail fast instead of being
    killed by the operating system.
    """
    shape, params, activations = tuple(input_shape), 0, 0
    for layer in network.layers:
        params += layer.count_params(shape)
        shape = layer.compute_output_shape(shape)
        activations += int(np.prod(shape, dtype=np.float64))
    need = (4.0 * params + 3.0 * batch_size * activations) * np.dtype(dtype).itemsize
    if need > limit:
        raise ValueError(
            f"This network would need about {need / 2**30:,.1f} GiB to train "
            f"({params:,} parameters; batch of {batch_size}); the limit is "
            f"{limit / 2**30:.0f} GiB. Use smaller layers or batches.")


class Network:
    """A feed-forward network: layers applied in order.

    Parameters
    ----------
    layers : sequence of Layer, optional
        The layers, first to last. More can be appended with :meth:`add`.

    Attributes
    ----------
    params : list of ndarray
        Every trainable array of every layer, in layer order (after build).
        They are views into ``flat_params``.
    grads : list of ndarray
        The matching gradient arrays, views into ``flat_grads``.
    flat_params, flat_grads : ndarray of shape (n_params,)
        All parameters and all gradients as single arrays, for optimizers.

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

    def __init__(self, layers=()):
        self.layers = []
        for layer in layers:
            self.add(layer)
        self.built = False

    def add(self, layer):
        """Append a layer (the network must be built again) and return self."""
        if not isinstance(layer, Layer):
            raise TypeError(f"Network layers must be Layer instances; got {type(layer).__name__}.")
        self.layers.append(layer)
        self.built = False
        return self

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
        shape = tuple(input_shape)
        self.input_shape = shape
        widest = int(np.prod(shape))
        for layer in self.layers:
            shape = layer.build(shape, rng, dtype)
            widest = max(widest, layer.elements_per_sample())
        self.output_shape = shape
        self.dtype = np.dtype(dtype)
        self._widest = widest
        self._pack()
        self.built = True
        return self

    def _pack(self):
        """Gather every parameter (and gradient) into one flat array; layers keep views.

        An optimizer then updates the whole network with a handful of
        whole-array operations instead of a handful per parameter array: on
        small networks, where per-call overhead dominates, that is most of a
        step's optimizer time.
        """
        pairs = [(layer, name) for layer in self.layers for name in layer.params]
        total = sum(layer.params[name].size for layer, name in pairs)
        self.flat_params = np.empty(total, dtype=self.dtype)
        self.flat_grads = np.zeros(total, dtype=self.dtype)
        offset = 0
        for layer, name in pairs:
            value = layer.params[name]
            view = slice(offset, offset + value.size)
            self.flat_params[view] = value.ravel()
            layer.params[name] = self.flat_params[view].reshape(value.shape)
            layer.grads[name] = self.flat_grads[view].reshape(value.shape)
            offset += value.size
        self.params = [layer.params[name] for layer, name in pairs]
        self.grads = [layer.grads[name] for layer, name in pairs]
        self.penalized = [(layer.params[k], layer.grads[k])
                          for layer in self.layers for k in layer.penalized]

    def __getstate__(self):
        # pickle keeps no view relations: store the layers' own arrays only and
        # pack them into fresh flat arrays when unpickling
        state = self.__dict__.copy()
        for name in ("flat_params", "flat_grads", "params", "grads", "penalized"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self.built:
            self._pack()

    def forward(self, x, training=False):
        """Run ``x`` of shape ``(batch, *input_shape)`` through every layer."""
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, grad_output, need_input_grad=False):
        """Back-propagate dE/doutput through every layer, last to first.

        Fills every layer's ``grads``. The first layer skips its input gradient
        unless ``need_input_grad`` is true, in which case dE/dinput is returned.
        """
        grad = grad_output
        for i in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[i].backward(grad, need_input_grad=i > 0 or need_input_grad)
        return grad

    def predict(self, x, batch_size=None):
        """Forward pass in inference mode, in chunks of bounded memory.

        Parameters
        ----------
        x : ndarray of shape ``(n_samples, *input_shape)``
        batch_size : int, optional
            Rows per chunk; by default sized so the largest layer workspace of
            a chunk holds about a million numbers.

        Returns
        -------
        output : ndarray of shape ``(n_samples, *output_shape)``
        """
        self._check_built()
        if batch_size is None:
            batch_size = max(1, PREDICT_ELEMENTS // self._widest)
        n = x.shape[0]
        out = np.empty((n,) + self.output_shape, dtype=self.dtype)
        for start in range(0, n, batch_size):
            chunk = np.asarray(x[start:start + batch_size], dtype=self.dtype)
            out[start:start + batch_size] = self.forward(chunk, training=False)
        return out

    def _model_arrays(self):
        """Parameters, then non-trainable state (BatchNorm running statistics)."""
        return self.params + [s for layer in self.layers for s in layer.state.values()]

    def get_weights(self):
        """Copies of every parameter array, then of every state array."""
        self._check_built()
        return [p.copy() for p in self._model_arrays()]

    def set_weights(self, weights):
        """Copy ``weights`` (as from :meth:`get_weights`) into the model's arrays in place."""
        self._check_built()
        arrays = self._model_arrays()
        if len(weights) != len(arrays):
            raise ValueError(f"Expected {len(arrays)} arrays; got {len(weights)}.")
        for p, w in zip(arrays, weights):
            if np.shape(w) != p.shape:
                raise ValueError(f"Weight of shape {np.shape(w)} does not fit parameter {p.shape}.")
            np.copyto(p, w)

    def summary(self):
        """A table of layers, output shapes and parameter counts, with the total.

        Returns
        -------
        text : str
        """
        self._check_built()
        rows = [("Layer", "Output shape", "Params")]
        rows += [(_short_name(layer), str((None,) + layer.output_shape), f"{layer.n_params:,}")
                 for layer in self.layers]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
        rule = "-" * len(lines[0])
        total = sum(layer.n_params for layer in self.layers)
        return "\n".join([lines[0], rule, *lines[1:], rule, f"Total params: {total:,}"])

    def fit(self, x, y, *, loss="squared_error", optimizer="sgd", learning_rate=0.1,
            epochs=100, batch_size=32, shuffle=True, alpha=0.0, random_state=None,
            verbose=0):
        """Train for a fixed number of epochs: the tutorials' ``fit`` loop.

        Parameters
        ----------
        x : ndarray of shape ``(n_samples, *input_shape)``
        y : ndarray of shape (n_samples, n_outputs)
            Targets in the form the loss expects (one-hot for cross-entropy).
        loss : str or Loss, default="squared_error"
            See :func:`skscratch.losses.get_loss`.
        optimizer : {"sgd", "adam"} or Optimizer, default="sgd"
            "sgd" here is plain gradient descent (no momentum), as in the tutorials.
        learning_rate : float, default=0.1
        epochs : int, default=100
        batch_size : int, default=32
            Samples per update; 1 is the tutorials' per-sample SGD.
        shuffle : bool, default=True
        alpha : float, default=0.0
            L2 penalty.
        random_state : None, int or numpy.random.Generator
            Seeds initialisation (if the network is not built yet) and shuffling.
        verbose : int, default=0

        Returns
        -------
        self : Network
        """
        x = np.asarray(x)
        y = np.asarray(y)
        y = y.reshape(len(y), -1) if y.ndim == 1 else y
        rng = np.random.default_rng(random_state)
        if not self.built:
            self.build(x.shape[1:], rng, np.float64 if x.dtype != np.float32 else np.float32)
        if optimizer == "sgd":
            opt = SGD(learning_rate, momentum=0.0)
        else:
            opt = get_optimizer(optimizer, learning_rate)
        trainer = Trainer(self, get_loss(loss), opt, alpha=alpha, batch_size=batch_size,
                          shuffle=shuffle, rng=rng, tol=None, verbose=verbose)
        trainer.fit(x.astype(self.dtype, copy=False), y.astype(self.dtype, copy=False),
                    max_epochs=epochs)
        return self

    def _check_built(self):
        if not self.built:
            raise RuntimeError("This Network is not built yet: call build(input_shape) or fit().")


def _short_name(layer):
    """``Dense(64, relu)``: the layer's type and its non-default settings."""
    values = [str(v) for v in layer.get_config().values() if v not in ("identity", "auto")]
    return f"{type(layer).__name__}({', '.join(values)})" if values else type(layer).__name__
