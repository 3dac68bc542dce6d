"""The `Layer` contract every building block of a network follows."""

import numpy as np


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

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.state = {}
        self.input_shape = None
        self.output_shape = None
        self.dtype = None

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

    def forward(self, x, training=False):
        """Compute the output for a batch ``x`` of shape ``(batch, *input_shape)``.

        When ``training`` is true the layer caches what :meth:`backward` needs.
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
