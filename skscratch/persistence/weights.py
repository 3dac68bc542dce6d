"""A model's weights alone in a file: Keras's ``save_weights`` / ``load_weights``.

The file is the same checked archive as a model file (:mod:`skscratch.archive`)
holding only the weight arrays and a header naming their shapes; loading it
into a model whose arrays have other shapes is refused before anything
changes.
"""

import numpy as np

from ..archive import check_not_hdf5, expect, read_archive, write_archive
from .writing import weight_arrays

FORMAT, VERSION = "skscratch-weights", 1


def save_weights(model, path):
    """Write the weights of a built ``model`` (a Network or Model) to ``path``.

    Parameters
    ----------
    model : Network or Model
    path : str or path-like
        Any suffix but HDF5's (``.h5``), which skscratch does not write.
    """
    path = check_not_hdf5(path)
    weights = model.get_weights()
    header = {"format": FORMAT, "version": VERSION, "dtype": model.dtype.name,
              "shapes": [list(w.shape) for w in weights]}
    write_archive(path, header, weight_arrays(model))


def load_weights(model, path):
    """Copy the weights :func:`save_weights` wrote into the built ``model``.

    Parameters
    ----------
    model : Network or Model
    path : str or path-like

    Raises
    ------
    ValueError
        When the file is not a weights file, or its arrays do not fit the
        model (number, shapes), or hold non-finite values; the model is
        then left as it was.
    """
    path = check_not_hdf5(path)
    expected = [list(w.shape) for w in model.get_weights()]

    def check_sizes(header, sizes):
        """Refuse a header that is not a weights file of this model's shapes."""
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise ValueError(f"it is not a weights file (format {header.get('format')!r}); "
                             "a whole model file is read by skscratch.load")
        if header.get("shapes") != expected:
            raise ValueError(f"its arrays have shapes {header.get('shapes')}; this model's "
                             f"have {expected}")
        if sorted(sizes) != sorted(["header"] + [f"weight.{i}" for i in range(len(expected))]):
            raise ValueError(f"it holds the arrays {sorted(sizes)}")

    _, arrays = read_archive(path, check_sizes)
    weights = [expect(arrays, f"weight.{i}", shape=tuple(shape), kinds="f")
               for i, shape in enumerate(expected)]
    if not all(np.isfinite(w).all() for w in weights):
        raise ValueError(f"{path} holds non-finite weights.")
    model.set_weights(weights)
