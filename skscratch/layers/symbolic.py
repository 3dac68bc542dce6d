"""Symbolic tensors: what calling a layer in the functional API records.

``Input((5,))`` returns a :class:`SymbolicTensor`: a shape with no values.
Calling a layer on symbolic tensors records a :class:`Node` (this layer, on
these inputs) and returns the node's output tensor. A
:class:`~skscratch.Model` follows the nodes back from its outputs to its
inputs to know what to compute, in which order.
"""

import numpy as np

# NumPy's shapes are int64: a size (units, a dimension, a window, a stride) lies below this
MAX_SIZE = 2**63


def is_size(value):
    """Whether ``value`` is a positive integer below :data:`MAX_SIZE` (a bool is none)."""
    return (isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
            and 1 <= value < MAX_SIZE)


def checked_shape(shape, what="shape"):
    """One sample's shape given by a user (an int, or a list/tuple of them) as a tuple.

    ValueError unless every dimension is a positive integer (no batch axis)
    below ``2**63``, as NumPy's shapes are.
    """
    shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
    if not isinstance(shape, (list, tuple)) or not shape or not all(map(is_size, shape)):
        raise ValueError(f"{what} must be positive integers, one sample's shape without the "
                         f"batch axis; got {shape!r}.")
    return tuple(int(d) for d in shape)


class SymbolicTensor:
    """The shape of a value a model will compute, and the node computing it.

    Parameters
    ----------
    shape : tuple of int
        Shape of one sample (no batch axis).
    node : Node or None
        The layer call that produces it; None for a model input.
    name : str, optional

    Examples
    --------
    >>> from skscratch.layers import Dense, Input
    >>> x = Input((4,), name="features")
    >>> h = Dense(3)(x)
    >>> h.shape, type(h.node.layer).__name__
    ((3,), 'Dense')
    """

    def __init__(self, shape, node=None, name=None):
        self.shape = tuple(int(d) for d in shape)
        self.node = node
        self.name = name

    def __repr__(self):
        made_by = "Input" if self.node is None else type(self.node.layer).__name__
        return f"<SymbolicTensor shape={(None,) + self.shape} from {made_by}>"


class Node:
    """One call of a layer on symbolic tensors.

    Parameters
    ----------
    layer : Layer
    inputs : list of SymbolicTensor
    multi_input : bool
        Whether the layer was called on a list (``Concatenate()([a, b])``).

    Attributes
    ----------
    output : SymbolicTensor
    """

    def __init__(self, layer, inputs, multi_input):
        self.layer = layer
        self.inputs = list(inputs)
        self.multi_input = multi_input
        self.output = None


def Input(shape, name=None):
    """A model input: a symbolic tensor for samples of ``shape``.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of one sample (no batch axis): ``(n_features,)`` or
        ``(height, width, channels)``.
    name : str, optional
        Shown by ``summary()``.

    Returns
    -------
    tensor : SymbolicTensor

    Examples
    --------
    >>> from skscratch.layers import Input
    >>> Input((5,), name="wide")
    <SymbolicTensor shape=(None, 5) from Input>
    """
    if name is not None and not isinstance(name, str):
        raise TypeError(f"An Input name must be a string; got {name!r}.")
    return SymbolicTensor(checked_shape(shape, "Input shape"), None, name)


def InputLayer(input_shape=None, shape=None, name=None):
    """Keras's ``InputLayer``: the input of a ``Network`` built with ``add``.

    ``Network().add(InputLayer(input_shape=[8]))`` declares the network's
    input shape, as Keras's ``Sequential`` does; it is the same symbolic
    tensor as :func:`Input` gives.

    Parameters
    ----------
    input_shape : int or tuple of int, optional
        Keras 2's name of ``shape``.
    shape : int or tuple of int, optional
    name : str, optional

    Returns
    -------
    tensor : SymbolicTensor
    """
    if (input_shape is None) == (shape is None):
        raise TypeError("InputLayer takes the shape of one sample, as shape= (or input_shape=).")
    return Input(shape if shape is not None else input_shape, name=name)
