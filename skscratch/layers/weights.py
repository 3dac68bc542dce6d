"""`WeightSpec`: how a layer declares each of its weights, once."""

import math
from collections import namedtuple


class WeightSpec(namedtuple("WeightSpec",
                             "name shape initializer penalized trainable nonnegative")):
    """One weight array of a layer, declared once.

    ``build`` creates it, ``count_params`` counts it, the L2 penalty reads
    ``penalized``, the memory estimate reads ``shape`` and ``set_weights``
    (so ``load`` too) refuses values ``nonnegative`` forbids.

    Parameters
    ----------
    name : str
        Key in the layer's ``params`` (trainable) or ``state`` (not trainable).
    shape : tuple of int
    initializer : str
        A key of :data:`skscratch.layers.initializers.INITIALIZERS`.
    penalized : bool
        Whether the L2 penalty applies (weights yes, biases no).
    trainable : bool
        False for arrays that are part of the model but not trained by
        gradients (BatchNorm's running statistics).
    nonnegative : bool
        Whether a negative value is invalid (BatchNorm's running variance:
        its square root would make every prediction NaN).
    """

    __slots__ = ()

    def __new__(cls, name, shape, initializer, penalized=False, trainable=True,
                nonnegative=False):
        return super().__new__(cls, name, tuple(int(d) for d in shape), initializer,
                               bool(penalized), bool(trainable), bool(nonnegative))

    @property
    def size(self):
        """Number of scalars (a Python int: no overflow for absurd declared shapes)."""
        return math.prod(self.shape)
