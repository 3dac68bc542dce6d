"""Recording an ONNX graph in plain Python: values, nodes and constants.

Converters never touch the ``onnx`` package: they add nodes to an
:class:`OnnxGraph`, which keeps them as plain records. :mod:`.emit` then
writes the records into an ``onnx.ModelProto`` (:func:`skscratch.onnx.to_onnx`)
or into skl2onnx's container (a model inside a scikit-learn ``Pipeline``).

Images are channels-last in skscratch and channels-first in ONNX's ``Conv``
and pooling operators. A :class:`Value` remembers which layout its tensor
is stored in, and the graph transposes a value only when a consumer needs
the other layout (once per value): a stack of convolutions and pooling runs
channels-first from the first convolution to the ``Flatten``.
"""

import numpy as np

# ONNX element types (TensorProto's enumeration, fixed by the ONNX standard)
FLOAT, INT64, STRING, BOOL, DOUBLE = 1, 7, 8, 9, 11
ELEMENT_TYPES = {np.dtype(np.float32): FLOAT, np.dtype(np.float64): DOUBLE,
                 np.dtype(np.int64): INT64, np.dtype(bool): BOOL}
# the first opset where every operator used here has its current signature
# (ReduceSum's axes as an input, Softmax over one axis)
MIN_OPSET = 13
# supported by every onnx>=1.14 and onnxruntime>=1.16
DEFAULT_OPSET = 17
# channels-last sample axes (h, w, c) -> ONNX axes of a channels-first tensor
_NCHW_AXIS = {0: 2, 1: 3, 2: 1}


def element_type(dtype):
    """The ONNX element type of a NumPy dtype (float32, float64, int64, bool or strings)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "OUS":
        return STRING
    if dtype not in ELEMENT_TYPES:
        raise ValueError(f"No ONNX element type is used here for dtype {dtype}.")
    return ELEMENT_TYPES[dtype]


def check_opset(opset):
    """``opset`` as an int, refused (ValueError) below :data:`MIN_OPSET`."""
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or opset < MIN_OPSET:
        raise ValueError(f"ONNX export needs target_opset >= {MIN_OPSET}; got {opset!r}.")
    return int(opset)


class Value:
    """A tensor of the graph being built.

    Parameters
    ----------
    name : str
        The tensor's name in the ONNX graph.
    shape : tuple of int
        Shape of one sample as skscratch sees it (channels-last, no batch axis).
    channels_first : bool, default=False
        Whether the ONNX tensor stores an image sample as ``(c, h, w)``.
    """

    def __init__(self, name, shape, channels_first=False):
        self.name = name
        self.shape = tuple(shape)
        self.channels_first = bool(channels_first) and len(self.shape) == 3

    def onnx_axis(self, sample_axis):
        """The ONNX axis (batch axis included) of skscratch's ``sample_axis``."""
        axis = sample_axis % len(self.shape)
        return _NCHW_AXIS[axis] if self.channels_first else 1 + axis

    def __repr__(self):
        layout = ", channels-first" if self.channels_first else ""
        return f"Value({self.name!r}, {self.shape}{layout})"


class OnnxGraph:
    """Nodes and constants of an ONNX graph, recorded before any ``onnx`` import.

    Parameters
    ----------
    dtype : {numpy.float32, numpy.float64}
        The network's dtype: every floating constant is stored in it.
    opset : int, default=DEFAULT_OPSET
        Version of the default ONNX operator set the graph targets (>= 13).
    unique_name : callable, optional
        ``unique_name(hint) -> str`` making each tensor name unique (skl2onnx
        passes its scope's); by default names are ``hint``, ``hint_1``, ...

    Attributes
    ----------
    nodes : list of tuple
        ``(op_type, inputs, outputs, attributes, domain)`` in order.
    initializers : dict of str to ndarray
        The constants, by name.
    native : bool
        Whether onnxruntime has kernels for every standard operator in this
        dtype: true for float32. In float64 it lacks ``Conv``, ``AveragePool``,
        ``LeakyRelu`` and ``Elu``, which converters then build from
        operators it has (see :mod:`skscratch.onnx.windows`).
    """

    def __init__(self, dtype, opset=DEFAULT_OPSET, unique_name=None):
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"ONNX export supports float32 and float64 models; this one "
                             f"computes in {self.dtype}.")
        self.opset = check_opset(opset)
        self.nodes = []
        self.initializers = {}
        self._unique_name = unique_name or self._counted_name
        self._taken = set()
        self._cache = {}

    @property
    def native(self):
        """Whether onnxruntime has kernels for every standard operator in this dtype."""
        return self.dtype == np.dtype(np.float32)

    @property
    def element_type(self):
        """The ONNX element type of the graph's floating tensors."""
        return ELEMENT_TYPES[self.dtype]

    # ------------------------------------------------------------- names
    def _counted_name(self, hint):
        name, k = hint, 0
        while name in self._taken:
            k += 1
            name = f"{hint}_{k}"
        return name

    def name(self, hint):
        """A new tensor name built from ``hint``."""
        name = self._unique_name(str(hint))
        self._taken.add(name)
        return name

    def reserve(self, name):
        """Keep ``name`` (a graph input or output) from being given to anything else."""
        self._taken.add(name)
        return name

    # ------------------------------------------------------------- nodes
    def add(self, op_type, inputs, hint=None, outputs=None, domain="", **attributes):
        """Record one node and return its output name.

        Parameters
        ----------
        op_type : str
            An ONNX operator (``"MatMul"``, ``"Conv"``, ...).
        inputs : list of str
            Names of its inputs.
        hint : str, optional
            Base of the output's name (the operator's name by default).
        outputs : list of str, optional
            Names for the outputs, when the caller chose them.
        domain : str, default=""
            The operator set's domain ("" is the standard one).
        **attributes
            The node's attributes.

        Returns
        -------
        output : str
            The name of its (first) output.
        """
        outputs = list(outputs) if outputs else [self.name(hint or op_type.lower())]
        self.nodes.append((op_type, list(inputs), outputs, attributes, domain))
        return outputs[0]

    # --------------------------------------------------------- constants
    def constant(self, array, hint, key=None):
        """Add a constant (an initializer) and return its name.

        Floating arrays are stored in the graph's dtype, integers as int64,
        strings as strings. With ``key``, a second request for the same key
        returns the first constant (a shared layer's weights are stored once).
        """
        if key is not None and ("const", key) in self._cache:
            return self._cache[("const", key)]
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(self.dtype)
        elif array.dtype.kind in "iub":
            array = array.astype(np.int64)
        name = self.name(hint)
        self.initializers[name] = np.ascontiguousarray(array)
        if key is not None:
            self._cache[("const", key)] = name
        return name

    def scalar(self, value, hint="constant"):
        """A scalar constant of the graph's dtype (one per value)."""
        return self.constant(np.array(value, dtype=self.dtype), hint,
                             key=("scalar", float(value)))

    def ints(self, values, hint="shape"):
        """A 1-D int64 constant (shapes, axes, pads), one per distinct list."""
        values = tuple(int(v) for v in values)
        return self.constant(np.array(values, dtype=np.int64), hint, key=("ints", values))

    def weight(self, layer, key, make, hint=None):
        """A layer's weight, made once per layer: ``make()`` returns the array."""
        cache_key = ("weight", id(layer), key)
        if ("const", cache_key) in self._cache:
            return self._cache[("const", cache_key)]
        base = layer.name or type(layer).__name__.lower()
        return self.constant(make(), f"{base}_{hint or key}", key=cache_key)

    # ------------------------------------------------------------ layouts
    def channels_first(self, value):
        """``value`` stored channels-first (transposed once, then reused)."""
        if value.channels_first or len(value.shape) != 3:
            return value
        return self._transposed(value, (0, 3, 1, 2), True)

    def channels_last(self, value):
        """``value`` stored channels-last, as skscratch computes it."""
        if not value.channels_first:
            return value
        return self._transposed(value, (0, 2, 3, 1), False)

    def like(self, value, reference):
        """``value`` in the layout of ``reference``."""
        if reference.channels_first:
            return self.channels_first(value)
        return self.channels_last(value)

    def _transposed(self, value, perm, channels_first):
        key = ("transpose", value.name, perm)
        if key not in self._cache:
            name = self.add("Transpose", [value.name], hint=f"{value.name}_t", perm=list(perm))
            self._cache[key] = Value(name, value.shape, channels_first)
        return self._cache[key]
