"""Save and load estimators and engine models as plain arrays + JSON: no pickle.

A model file is one ``.npz`` archive: a JSON header (the architecture as
layer configurations; for a compiled model its losses, metrics and
optimizer; for an estimator also its class and parameters, fitted metadata
and random-generator state) stored as bytes, and the arrays (weights,
batch-norm statistics, optimizer moments, class labels). :func:`load` reads
it with ``allow_pickle=False`` and instantiates only what the registries hold
(:data:`skscratch.registry.ESTIMATORS`, :data:`skscratch.layers.LAYERS`,
:data:`skscratch.losses.LOSSES`, :data:`skscratch.optimizers.OPTIMIZERS`);
it rebuilds the model from the header and checks every key, shape and dtype
against it, so a malformed or tampered file fails with a ValueError. Any
registered layer, loss or optimizer is saved and loaded with no change here.
Files of format version 1 (skscratch 0.1) still load.

Persistence sits below the containers and the estimators and imports
neither: a ``Network`` saves itself through it, and an estimator gives and
reads its own header and arrays (``_file_contents``, ``_from_file``) with the
helpers of :mod:`~skscratch.persistence.writing` and
:mod:`~skscratch.persistence.loading`.

Modules: :mod:`~skscratch.persistence.format` (what a file names),
:mod:`~skscratch.persistence.writing` (:func:`save`),
:mod:`~skscratch.persistence.checks` (the untrusted header: its format, its
network, the members' sizes), :mod:`~skscratch.persistence.declared_sizes`
(what that network would cost to build and run),
:mod:`~skscratch.persistence.records` (the header's values, read as the
types they were written as), :mod:`~skscratch.persistence.loading`
(:func:`load`: the rebuild) and :mod:`~skscratch.persistence.weights` (a
model's weights alone); the archive itself is :mod:`skscratch.archive`.
"""

from .format import FORMAT, READABLE_VERSIONS, VERSION
from .loading import load, rebuild_checked
from .weights import load_weights, save_weights
from .writing import save

__all__ = ["FORMAT", "READABLE_VERSIONS", "VERSION", "load", "load_weights", "rebuild_checked",
           "save", "save_weights"]
