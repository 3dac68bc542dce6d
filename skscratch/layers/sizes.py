"""`LayerSizes`: what a layer holds, counted from shapes alone (no weights built).

The counts behind ``summary()``, the memory estimate
(:func:`skscratch.memory.training_memory`), prediction chunk widths and the
size checks of model files. :class:`~skscratch.layers.Layer` inherits them;
a layer whose forward pass keeps more than its output overrides
:meth:`LayerSizes.count_activations`, and containers add up their layers'.
"""

import math

from .arrays import as_shape

# input- and output-sized arrays a layer's training step may hold per sample, besides
# what its forward keeps: measured on the built-in layers, dropout and batch norm
# (several fresh temporaries per step) need the most (tests/test_memory.py)
WORKSPACE_FACTOR = 3


class LayerSizes:
    """The counting methods of a layer, read from :meth:`weight_specs` and output shapes.

    A mixin of :class:`~skscratch.layers.Layer`, which provides
    ``weight_specs``, ``compute_output_shape``, ``input_shape`` and ``params``.
    """

    def elements_per_sample(self):
        """Numbers one sample occupies in this layer's forward pass (after build).

        Used to size prediction chunks: :meth:`count_activations` for the
        layer's own input shape, so layers with a bigger workspace than their
        output (Conv2D's im2col rows, MaxPool2D's stack of windows) say so once.
        """
        return self.count_activations(self.input_shape)

    def count_params(self, input_shape):
        """Number of trainable scalars for inputs of ``input_shape``, without building."""
        return sum(s.size for s in self.weight_specs(as_shape(input_shape)) if s.trainable)

    def count_weights(self, input_shape):
        """``(arrays, scalars)`` of every weight, trainable or not, without building.

        What a model file's weight members hold for inputs of ``input_shape``
        (BatchNorm's running statistics included, unlike :meth:`count_params`).
        """
        specs = self.weight_specs(as_shape(input_shape))
        return len(specs), sum(s.size for s in specs)

    def count_activations(self, input_shape):
        """Numbers one sample's forward pass keeps, for inputs of ``input_shape``.

        Read by the memory estimate; containers add up their layers'.
        """
        return math.prod(self.compute_output_shape(as_shape(input_shape)))

    def count_workspace(self, input_shape):
        """Numbers one sample's training step may hold at once in this layer, at most.

        What its forward keeps (:meth:`count_activations`), plus
        :data:`WORKSPACE_FACTOR` times its input and output sizes: scratch
        buffers, the gradient it passes back, temporaries (dropout masks,
        batch norm's centred copies), and the arrays of the previous step
        still referenced while the next is computed. Read by the memory
        estimate (:func:`skscratch.memory.training_memory`).

        Parameters
        ----------
        input_shape : tuple of int, or list of them (several inputs)

        Returns
        -------
        int
        """
        shape = as_shape(input_shape)
        shapes = shape if isinstance(shape, list) else [shape]
        inputs = sum(math.prod(s) for s in shapes)
        outputs = math.prod(self.compute_output_shape(shape))
        return WORKSPACE_FACTOR * (inputs + outputs) + self.count_activations(shape)

    @property
    def n_params(self):
        """Number of trainable scalars in the layer."""
        return sum(p.size for p in self.params.values())
