"""The `Layer` contract every building block of a network follows."""

import numpy as np


def check_positive_int(value, name):
    """``value`` as an int when it is a positive integer (not a bool); else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


def sum_over_rows(a, out=None):
    """``a.sum(axis=0)`` for a 2-D array, as one BLAS product ``ones @ a``.

    For the tall, narrow gradient matrices of a batch (say 50,000 x 8) this is
    about 20 times faster than NumPy's axis-0 reduction.
    """
    return np.matmul(np.ones(a.shape[0], dtype=a.dtype), a, out=out)


class Layer:
    """Base class of all layers: a forward pass and its chain-rule backward pass.

    A layer is created with its hyper-parameters only. Its weights are made
    lazily in :meth:`build`, once the shape of its input is known (as in Keras).
    Shapes exclude the batch axis: a batch of ``n`` rows of 784 features has
    ``input_shape == (784,)``.

    The backward pass never changes the weights. It fills :attr:`grads` with the
    gradient of the loss with respect to each entry of :attr:`params` and returns
    the gradient with respect to the layer's input; an optimizer applies updates.

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
    input_shape, output_shape : tuple of int or None
        Set by :meth:`build`.
    """

    penalized = ()
    # per-step caches and scratch arrays: never pickled, rebuilt by the next step
    _transient = ("_x", "_y", "_cols", "_cache", "_mask")

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.state = {}
        self.input_shape = None
        self.output_shape = None
        self.dtype = None
        self._buffers = {}

    def __getstate__(self):
        state = self.__dict__.copy()
        state.update({name: None for name in self._transient if name in state})
        state["_buffers"] = {}
        return state

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
        self.input_shape = tuple(int(d) for d in input_shape)
        self.dtype = np.dtype(dtype)
        self.output_shape = self.compute_output_shape(self.input_shape)
        self._build_params(np.random.default_rng(rng) if not isinstance(
            rng, np.random.Generator) else rng)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        return self.output_shape

    def compute_output_shape(self, input_shape):
        """Shape of one output sample for one input sample of ``input_shape``."""
        return tuple(input_shape)

    def _build_params(self, rng):
        """Create :attr:`params`; layers without weights keep the default."""

    def elements_per_sample(self):
        """Numbers one sample occupies in this layer's forward pass (after build).

        Used to size prediction chunks; layers with a bigger workspace than
        their output (Conv2D's im2col rows) say so.
        """
        return int(np.prod(self.output_shape, dtype=np.int64))

    def count_params(self, input_shape):
        """Number of trainable scalars for inputs of ``input_shape``, without building."""
        return 0

    def forward(self, x, training=False):
        """Compute the output for a batch ``x`` of shape ``(batch, *input_shape)``.

        When ``training`` is true the layer caches what :meth:`backward` needs,
        and may write its output into a scratch array it reuses: a training-mode
        output is valid until the same layer's next training-mode forward
        (copy it to keep it). Inference (``training=False``) always returns
        fresh arrays.
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

    @property
    def n_params(self):
        """Number of trainable scalars in the layer."""
        return sum(p.size for p in self.params.values())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def get_config(self):
        """The constructor arguments of the layer, as a dict."""
        return {}
