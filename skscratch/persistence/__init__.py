"""Save and load fitted estimators and engine models as plain arrays + JSON: no pickle.

A model file is one ``.npz`` archive: a JSON header (the architecture as
layer configurations; for an estimator also its class and parameters,
fitted metadata, optimizer and random-generator state) stored as bytes, and
the arrays (weights, batch-norm statistics, optimizer moments, class labels).
:func:`load` reads it with ``allow_pickle=False`` and instantiates only what
the registries hold (estimator classes, :data:`skscratch.layers.LAYERS`,
:data:`skscratch.losses.LOSSES`, :data:`skscratch.optimizers.OPTIMIZERS`);
it rebuilds the model from the header and checks every key, shape and dtype
against it, so a malformed or tampered file fails with a ValueError. Any
registered layer, loss or optimizer is saved and loaded with no change here.
Files of format version 1 (skscratch 0.1) still load.

Modules: :mod:`~skscratch.persistence.format` (what a file names),
:mod:`~skscratch.persistence.writing` (:func:`save`),
:mod:`~skscratch.persistence.checks` (the untrusted header: its format, its
network, the members' sizes), :mod:`~skscratch.persistence.declared_sizes`
(what that network would cost to build and run),
:mod:`~skscratch.persistence.records` (the header's values, read as the
types they were written as) and :mod:`~skscratch.persistence.loading`
(:func:`load`: the rebuild); the archive itself is :mod:`skscratch.archive`.
"""

from .format import ESTIMATORS, FORMAT, READABLE_VERSIONS, VERSION
from .loading import load, rebuild_checked
from .writing import estimator_contents, save, saved_params

# the names the estimators' skops state (skscratch.estimators._state) reads
_estimator_contents, _saved_params, _rebuild_checked = (estimator_contents, saved_params,
                                                        rebuild_checked)

__all__ = ["ESTIMATORS", "FORMAT", "READABLE_VERSIONS", "VERSION", "load", "save"]
