"""Layers that merge several inputs: `Concatenate` (Wide & Deep) and `Add` (residuals).

They take a list of arrays in ``forward`` and return a list of gradients,
one per input, from ``backward``. The returned gradients may be views of
(or the same array as) ``grad_output``: callers never modify them in place.
"""

import numpy as np

from .base import LAYERS, Layer


def _check_inputs(layer, input_shape):
    if not isinstance(input_shape, list) or len(input_shape) < 2:
        raise ValueError(f"{type(layer).__name__} merges a list of at least 2 inputs; "
                         f"received input_shape={input_shape}.")


@LAYERS.register("Concatenate")
class Concatenate(Layer):
    """Join inputs along an axis: ``y = [x_1, x_2, ...]``.

    Every input has the same shape except along ``axis``. Backward hands
    each input its own slice of ``dE/dy``.

    Parameters
    ----------
    axis : int, default=-1
        Axis of one sample to join along (the features, or the channels of
        an image); 0 is the first axis of a sample, never the batch.
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.

    Examples
    --------
    >>> from skscratch.layers import Concatenate, Dense, Input
    >>> wide, deep = Input((5,)), Input((6,))
    >>> Concatenate()([wide, Dense(30)(deep)]).shape
    (35,)
    """

    multi_input = True

    def __init__(self, axis=-1, name=None, input_shape=None):
        super().__init__(name, input_shape)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"axis must be an integer; got {axis!r}.")
        self.axis = int(axis)

    def _sample_axis(self, ndim):
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"Concatenate axis={self.axis} is out of range for samples with "
                             f"{ndim} axes.")
        return self.axis % ndim

    def compute_output_shape(self, input_shape):
        _check_inputs(self, input_shape)
        ndim = len(input_shape[0])
        axis = self._sample_axis(ndim)
        rest = {tuple(s[:axis]) + tuple(s[axis + 1:]) if len(s) == ndim else None
                for s in input_shape}
        if len(rest) != 1 or None in rest:
            raise ValueError("Concatenate needs inputs of the same shape except along axis "
                             f"{self.axis}; received input_shape={input_shape}.")
        out = list(input_shape[0])
        out[axis] = sum(s[axis] for s in input_shape)
        return tuple(out)

    def forward(self, x, training=False):
        axis = 1 + self._sample_axis(x[0].ndim - 1)
        out = self._buffer("y", (x[0].shape[0], *self.output_shape)) if training else None
        return np.concatenate(x, axis=axis, out=out)

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        axis = 1 + self._sample_axis(grad_output.ndim - 1)
        edges = np.cumsum([s[axis - 1] for s in self.input_shape])[:-1]
        return np.split(grad_output, edges, axis=axis)

    def get_config(self):
        return {"axis": self.axis, **super().get_config()}


@LAYERS.register("Add")
class Add(Layer):
    """Sum inputs of one shape: ``y = x_1 + x_2 + ...`` (residual connections).

    Backward: ``dE/dx_i = dE/dy`` for every input.

    Parameters
    ----------
    name : str, optional
    input_shape : tuple of int, optional
        Keras's ``input_shape=``, for the first layer of a network.

    Examples
    --------
    >>> from skscratch.layers import Add, Dense, Input
    >>> x = Input((8,))
    >>> Add()([x, Dense(8, "relu")(x)]).shape
    (8,)
    """

    multi_input = True

    def compute_output_shape(self, input_shape):
        _check_inputs(self, input_shape)
        if any(s != input_shape[0] for s in input_shape):
            raise ValueError(f"Add needs inputs of one shape; received input_shape={input_shape}.")
        return tuple(input_shape[0])

    def forward(self, x, training=False):
        y = np.add(x[0], x[1], out=self._buffer("y", x[0].shape) if training else None)
        for more in x[2:]:
            y += more
        return y

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        return [grad_output] * len(self.input_shape)


def concatenate(inputs, axis=-1, name=None):
    """Keras's function form of :class:`Concatenate`: ``Concatenate(axis)(inputs)``.

    Parameters
    ----------
    inputs : list of SymbolicTensor
    axis : int, default=-1
    name : str, optional

    Returns
    -------
    output : SymbolicTensor
    """
    return Concatenate(axis=axis, name=name)(inputs)


def add(inputs, name=None):
    """Keras's function form of :class:`Add`: ``Add()(inputs)``.

    Parameters
    ----------
    inputs : list of SymbolicTensor
    name : str, optional

    Returns
    -------
    output : SymbolicTensor
    """
    return Add(name=name)(inputs)
