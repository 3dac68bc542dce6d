"""Checking a model file's untrusted header: format, declared sizes, shapes, records.

Everything in a file is untrusted data. The checks here read the header
alone, before anything is built: its format and version, the network it
declares (registered layers only, unbuilt) and what that network needs,
which bounds the weight and moment members before they are decompressed,
and the header's own records (shapes, the training record, the input
layout). Each refusal is a ValueError naming what was wrong.
"""

import math

import numpy as np

from ..archive import allowed, expect
from ..configs import layer_from_config
from ..container import Container
from ..estimators._inputs import sample_shape
from ..network import Network
from ..optimizers import OPTIMIZERS
from ..training import TrainingState
from .declared_sizes import MAX_FEATURES, check_declared_layers, check_declared_sizes
from .format import DTYPES, FORMAT, READABLE_VERSIONS, STATE_FIELDS

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
              "feature_names_in_": (estimator, sum(math.prod(s) for s in _shapes(input_shape)))}
    for name, (needed, most) in labels.items():
        if name not in sizes:
            continue
        if not needed:
            raise ValueError(f"it holds the array {name!r}, which its header has no use for")
        limit = NPY_HEADER_BYTES + most * MAX_LABEL_BYTES
        if sizes[name] > limit:
            raise ValueError(f"its array {name!r} would decompress to {sizes[name]:,} bytes; "
                             f"{most:,} labels of its header's network need at most {limit:,}")


def _shapes(shape):
    """A shape, or a list of shapes (several inputs or outputs), as a list of shapes."""
    return shape if isinstance(shape, list) else [shape]


def check_format(header):
    """Refuse a header of another format, or of a version this one cannot read."""
    if header.get("format") != FORMAT or header.get("version") not in READABLE_VERSIONS:
        raise ValueError("Not an skscratch model file (format/version mismatch).")


def training_state(spec):
    """The saved training record, each field of the type training reads it as."""
    values = {name: spec[name] for name in STATE_FIELDS}

    def number(v):
        """Whether ``v`` is a JSON number (not a bool)."""
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    counts = [values[k] for k in ("n_iter", "t", "no_improvement_count")]
    if not (all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**62
                for v in counts)
            and all(isinstance(values[k], list) and all(number(v) for v in values[k])
                    for k in ("loss_curve", "validation_scores"))
            and number(values["best_loss"]) and number(values["best_validation_score"])
            and isinstance(values["history"], list)
            and all(isinstance(r, dict) for r in values["history"])):
        raise ValueError("The model file's training record is malformed.")
    return TrainingState(**{k: float(v) if k.startswith("best_") else v
                            for k, v in values.items()})



def flag(value, what):
    """A JSON boolean of the header; ValueError for anything else (``"no"`` is not False)."""
    if not isinstance(value, bool):
        raise ValueError(f"The model file's {what} is {value!r}; expected true or false.")
    return value


def count(value, what, low=0, high=2**62):
    """A JSON integer of the header in ``[low, high]``; ValueError for 4.0, true, "4"..."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"The model file's {what} is {value!r}; expected an integer from "
                         f"{low:,} to {high:,}.")
    return value


def dims(value, what):
    """A JSON list of positive integers as a shape tuple: ``[8, 8, 1]`` -> ``(8, 8, 1)``."""
    if not isinstance(value, list):
        raise ValueError(f"The model file's {what} is {value!r}; expected a list of sizes.")
    return tuple(count(d, what, 1, 2**31 - 1) for d in value)


def check_finite(arrays, what):
    """Refuse arrays holding NaN or infinity: a model file holds finite numbers only."""
    if not all(np.isfinite(a).all() for a in arrays):
        raise ValueError(f"The model file holds non-finite {what} (NaN or infinity).")


def input_layout(fitted, arrays, network_estimator):
    """The fitted input attributes the header's ``fitted`` record declares, type-checked.

    Parameters
    ----------
    fitted : dict
        The header's ``fitted`` record.
    arrays : dict of str to ndarray
    network_estimator : bool
        Whether the record is a NetworkEstimator's (input columns and shapes).

    Returns
    -------
    attributes : dict
        ``n_features_in_``, and ``input_shape_``, ``input_columns_``,
        ``input_shapes_``, ``feature_names_in_`` where the file has them.
    """
    n = count(fitted["n_features_in_"], "n_features_in_", 1, MAX_FEATURES)
    layout = {"n_features_in_": n}
    if fitted["input_shape_"]:
        layout["input_shape_"] = dims(fitted["input_shape_"], "input_shape_")
    if network_estimator:
        columns, shapes = fitted.get("input_columns_"), fitted.get("input_shapes_")
        layout["input_columns_"] = (None if columns is None else
                                    [_columns(c, n) for c in _items(columns, "input_columns_")])
        layout["input_shapes_"] = (None if shapes is None else
                                   [dims(s, "input_shapes_") for s in _items(shapes,
                                                                             "input_shapes_")])
    if "feature_names_in_" in arrays:
        layout["feature_names_in_"] = expect(arrays, "feature_names_in_", kinds="U", shape=(n,))
    return layout


def _items(value, what):
    if not isinstance(value, list):
        raise ValueError(f"The model file's {what} is {value!r}; expected a list.")
    return value


def _columns(value, n_features):
    """One input's column indices: a JSON list of integers in ``[0, n_features)``."""
    columns = np.asarray(_items(value, "input_columns_"))
    if columns.size == 0:
        return columns.astype(np.int64)
    if (columns.ndim != 1 or columns.dtype.kind != "i" or columns.min() < 0
            or columns.max() >= n_features):
        raise ValueError(f"The model file's input layout does not fit its data: input_columns_ "
                         f"hold {value!r:.80}; expected column indices from 0 to "
                         f"{n_features - 1}.")
    return columns.astype(np.int64)


def check_input_layout(estimator, network):
    """``n_features_in_`` and the input layout must give exactly the network's inputs."""
    n = estimator.n_features_in_
    if not 0 < n <= MAX_FEATURES:
        raise ValueError(f"The model file declares n_features_in_={n}.")
    try:
        probe = estimator._shape_input(np.zeros((1, n), network.dtype), None, reset=False)
    except (ValueError, IndexError, TypeError) as exc:
        raise ValueError(f"The model file's input layout does not fit its data: {exc}") from exc
    if sample_shape(probe) != network.input_shape:
        raise ValueError(f"The model file's {n} features give inputs of shape "
                         f"{sample_shape(probe)}; its network takes {network.input_shape}.")


def unbuilt_network(spec):
    """``(network, input_shape, dtype)`` as the header describes them, nothing allocated."""
    dtype = allowed({d: d for d in DTYPES}, spec["dtype"], "dtype")
    if "model" in spec:
        check_declared_layers(spec["model"])
        network = layer_from_config(spec["model"])
    else:                                  # version 1: a flat list of layers
        check_declared_layers({"layers": spec["layers"]})
        network = Network.from_config({"layers": spec["layers"]})
    if not isinstance(network, Container):
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
