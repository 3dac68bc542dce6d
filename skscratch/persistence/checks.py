"""Checking a model file's untrusted header: format, the network it declares, its members.

Everything in a file is untrusted data. The checks here read the header
alone, before anything is built: its format and version, the network it
declares (registered layers only, unbuilt, within
:mod:`~skscratch.persistence.declared_sizes`) and what that network needs,
which bounds the weight, moment and label members before they are
decompressed; then what the rebuild compares against it (finite arrays, no
unknown ones). The header's own values are read by
:mod:`~skscratch.persistence.records`. Each refusal is a ValueError naming
what was wrong.
"""

import math

import numpy as np

from ..archive import allowed
from ..configs import layer_from_config
from ..layers.base import LAYERS
from ..optimizers import OPTIMIZERS
from .declared_sizes import MAX_FEATURES, check_declared_layers, check_declared_sizes
from .format import DTYPES, FORMAT, READABLE_VERSIONS

# parameters a header may declare beyond the weight values its file holds
BUILD_SLACK = 1_000_000
# the .npy header of one array member: a few hundred bytes at most
NPY_HEADER_BYTES = 4096
# one class label or feature name: 1,024 characters (or one number)
MAX_LABEL_BYTES = 4096


def check_member_sizes(header, sizes):
    """Refuse members the header does not need, or larger than it needs, before decompressing.

    The header's architecture gives its weight arrays and their sizes
    without building anything: the weight members may hold that many numbers
    (plus the build slack and each member's ``.npy`` header), in at most that
    many arrays; the optimizer moments as many per state slot, of the
    trainable ones. An extra member numbered in sequence (``weight.5`` of a
    five-array network) is thus refused from the zip directory, not after
    expanding. Labels are bounded the same way: ``classes_`` only in a
    classifier's file, one label per output (two for one output);
    ``feature_names_in_`` only in an estimator's, one name per input number;
    each label at most :data:`MAX_LABEL_BYTES`. A file of an unfitted
    estimator (skops' parameter state) holds no member but its header, and a
    header whose network cannot be read is refused here too (the full checks
    would refuse it after decompressing everything).

    Parameters
    ----------
    header : dict
    sizes : dict of str to int
        Each member's declared (uncompressed) size, by array name.
    """
    check_format(header)
    if header.get("kind") == "params":
        if set(sizes) - {"header"}:
            raise ValueError(f"the file of an unfitted estimator holds arrays "
                             f"{sorted(set(sizes) - {'header'})[:5]}; it has no weights, "
                             "moments or labels")
        return
    try:
        network, shape, dtype = unbuilt_network(header["network"])
        weights = network.count_weights(shape) + (network.count_params(shape),)
        outputs = network.compute_output_shape(shape)
    except (KeyError, TypeError, IndexError, AttributeError, RecursionError, OverflowError,
            ValueError) as exc:
        raise ValueError(f"it has a malformed header: its network cannot be read ({exc!r})"
                         ) from exc
    _check_weight_members(weights, np.dtype(dtype).itemsize, sizes)
    _check_label_members(header, shape, outputs, sizes)


def _check_weight_members(weights, itemsize, sizes):
    """Weight and moment members: no more arrays, nor bytes, than the network needs.

    ``weights`` is the network's ``(arrays, numbers, trainable numbers)``.
    """
    arrays, numbers, trainable = weights
    slots = max(len(cls.state_slots) for cls in OPTIMIZERS.values())
    for prefix, most_arrays, most_numbers in (("weight.", arrays, numbers),
                                              ("moment.", slots * arrays, slots * trainable)):
        found = [size for name, size in sizes.items() if name.startswith(prefix)]
        limit = ((most_numbers + BUILD_SLACK) * itemsize
                 + NPY_HEADER_BYTES * min(len(found), most_arrays))
        if sum(found) > limit:
            raise ValueError(f"its {prefix[:-1]} arrays would decompress to "
                             f"{sum(found):,} bytes; the {most_numbers:,} numbers its "
                             f"header declares need at most {limit:,}")
        if len(found) > most_arrays:
            raise ValueError(f"it holds {len(found)} {prefix[:-1]} arrays; the network "
                             f"its header declares has at most {most_arrays}")


def _check_label_members(header, input_shape, outputs, sizes):
    """``classes_`` and ``feature_names_in_``: only where needed, one label per output or input."""
    estimator = header.get("kind") != "model"           # version 1 files have no kind
    target = header.get("target")
    # a malformed target is refused by the full checks; the sizes are bounded all the same
    regressor = isinstance(target, dict) and target.get("task") == "regression"
    classifier = estimator and not regressor
    labels = {"classes_": (classifier, max(2, sum(math.prod(s) for s in _shapes(outputs)))),
              "feature_names_in_": (estimator, _declared_features(header, input_shape))}
    for name, (needed, most) in labels.items():
        if name not in sizes:
            continue
        if not needed:
            raise ValueError(f"it holds the array {name!r}, which its header has no use for")
        limit = NPY_HEADER_BYTES + most * MAX_LABEL_BYTES
        if sizes[name] > limit:
            raise ValueError(f"its array {name!r} would decompress to {sizes[name]:,} bytes; "
                             f"{most:,} labels of its header's network, each of at most "
                             f"{MAX_LABEL_BYTES // 4:,} characters, need at most {limit:,}")


def _declared_features(header, input_shape):
    """The columns of X: the header's ``n_features_in_`` if it is a sound count.

    An estimator given ``inputs=`` column lists may read fewer columns than X
    has, so the network's input numbers are only the fallback.
    """
    fitted = header.get("fitted")
    n = fitted.get("n_features_in_") if isinstance(fitted, dict) else None
    if isinstance(n, int) and not isinstance(n, bool) and 0 < n <= MAX_FEATURES:
        return n
    return sum(math.prod(s) for s in _shapes(input_shape))


def _shapes(shape):
    """A shape, or a list of shapes (several inputs or outputs), as a list of shapes."""
    return shape if isinstance(shape, list) else [shape]


def check_format(header):
    """Refuse a header of another format, or of a version this one cannot read."""
    if header.get("format") != FORMAT or header.get("version") not in READABLE_VERSIONS:
        raise ValueError("Not an skscratch model file (format/version mismatch).")


def check_finite(arrays, what):
    """Refuse arrays holding NaN or infinity: a model file holds finite numbers only."""
    if not all(np.isfinite(a).all() for a in arrays):
        raise ValueError(f"The model file holds non-finite {what} (NaN or infinity).")


def unbuilt_network(spec):
    """``(network, input_shape, dtype)`` as the header describes them, nothing allocated."""
    dtype = allowed({d: d for d in DTYPES}, spec["dtype"], "dtype")
    if "model" in spec:
        check_declared_layers(spec["model"])
        network = layer_from_config(spec["model"])
    else:                                  # version 1: a flat list of layers
        check_declared_layers({"layers": spec["layers"]})
        network = LAYERS["Network"].from_config({"layers": spec["layers"]})
    if not network.is_container:
        raise ValueError("The model file describes a single layer, not a network or model.")
    shape = _shape(spec["input_shape"])
    check_declared_sizes(network, shape)
    return network, shape, dtype


def _shape(value):
    """A JSON shape: ``[5]`` -> ``(5,)``; ``[[5], [6]]`` -> ``[(5,), (6,)]``."""
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return [_shape(v) for v in value]
    if not (isinstance(value, list) and all(isinstance(d, int) and not isinstance(d, bool)
                                            and 0 < d < 2**31 for d in value)):
        raise ValueError(f"The model file declares an input shape of {value!r}.")
    return tuple(value)


def refuse_unknown(arrays, n_weights, n_moments, *optional):
    """Refuse arrays other than the header, the expected weights and moments, and ``optional``."""
    known = {f"weight.{i}" for i in range(n_weights)} | {
        f"moment.{i}" for i in range(n_moments)} | {"header", *optional}
    if set(arrays) - known:
        raise ValueError(f"Unexpected arrays in the model file: {sorted(set(arrays) - known)}.")
