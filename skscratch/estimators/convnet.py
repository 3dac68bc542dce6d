"""ConvNetFromScratch: a small convolutional network for images and signals."""

from numbers import Integral

import numpy as np

from ..callbacks.base import warn
from ..layers import Activation, BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D
from ..layers.windows import pair
from ..registry import ESTIMATORS
from ._base import BaseNeuralEstimator, canonical, sizes
from ._sklearn_private import Interval, StrOptions
from .mlp import _hidden_sizes


@ESTIMATORS.register("ConvNetFromScratch")
class ConvNetFromScratch(BaseNeuralEstimator):
    """Convolutional network built from the skscratch layer engine.

    For each entry of ``filters``: ``Conv2D`` (+ ``BatchNorm``) + ``MaxPool2D`` +
    activation (pooling first is exact for these non-decreasing activations and
    cheaper); then ``Flatten``, a ``Dense`` layer per hidden size (+
    ``Dropout``), and a ``Dense`` output of logits or values. Pooling is
    skipped along an axis where the feature map is already smaller than
    ``pool_size`` (so 1xN signals are pooled along their length only).

    Training, tasks, targets, fitted attributes and methods are those of
    :class:`MLPFromScratch` (same base class, same parameter names).

    The defaults are the shape of Keras's MNIST convnet example: 32 then 64
    filters, a dense layer of 128 units with dropout 0.5, mini-batches of 32
    (Keras's default; the MLP's "auto" batch of 200 leaves small image sets
    with a handful of steps per epoch). With them, 30 epochs reach about 0.97
    accuracy on digits in 5-fold cross-validation (inputs scaled to [0, 1]),
    where ``filters=(8, 16)``, no dropout and batches of 200 reached 0.92.

    Images are channels-last. ``X`` may be ``(n, height, width, channels)``,
    ``(n, height, width)``, or scikit-learn's flat rows ``(n, n_features)``,
    which are reshaped with ``input_shape``; this is what makes the estimator
    work after a ``StandardScaler`` in a ``Pipeline``. A 4-D ``X`` that looks
    channels-first (NCHW: a second axis of 1 or 3, then two equal, larger
    ones, such as ``(n, 1, 8, 8)``) is read as channels-last all the same,
    with a ``UserWarning``; pass ``X.transpose(0, 2, 3, 1)``, or
    ``input_shape`` to confirm the layout and silence it.

    Two configurations are refused before training, with a ``ValueError``:
    with ``padding="same"``, a kernel larger than ``2 * size + 1`` along an
    axis of a feature map of ``size`` pixels (the extra rows or columns would
    only ever multiply padding, at a high cost in time; 3x3 kernels still fit
    1-pixel-high signals and 2x2 maps); and with ``batch_norm=True``,
    batches of a single sample (``batch_size=1``, or one training sample), as
    batch normalization needs batches of at least 2 samples. A last batch of
    one row left over by the data size is fine: ``BatchNorm`` normalizes it
    with its running statistics.

    Parameters
    ----------
    filters : array-like of int, default=(32, 64)
        Output channels of each convolution block.
    kernel_size : int or (int, int), default=3
        Convolution window; with ``padding="same"`` at most ``2 * size + 1``
        along each axis of the feature map it slides over.
    strides : int or (int, int), default=1
        Convolution strides.
    padding : {"same", "valid"}, default="same"
    pool_size : int or (int, int), default=2
        Max-pooling window after each convolution (stride = window).
    hidden_layer_sizes : array-like of int, default=(128,)
        Dense layers after the convolution blocks.
    activation : {"relu", "tanh", "logistic", "identity", "leaky_relu", "elu"}, default="relu"
    dropout : float, default=0.5
        Dropout rate after each hidden dense layer.
    batch_norm : bool, default=False
        Insert ``BatchNorm`` after each convolution and hidden dense layer.
        Every mini-batch must then hold at least 2 samples (see above).
    input_shape : tuple of int or None, default=None
        ``(height, width, channels)`` or ``(height, width)`` of one sample.
        None infers it: a 3-D/4-D ``X`` gives its own shape; flat rows of a
        perfect-square width are square single-channel images; any other width
        is a 1 x n_features signal.
    batch_size : int or "auto", default=32
        Samples per mini-batch ("auto" is ``min(200, n_samples)``).
    task, loss, solver, alpha, learning_rate, learning_rate_init, \
power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, momentum, \
nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, \
epsilon, n_iter_no_change, max_fun, callbacks
        As in :class:`MLPFromScratch`.

    Attributes
    ----------
    input_shape_ : tuple of int
        ``(height, width, channels)`` of one sample, as used by the network.
    classes_, network_, coefs_, intercepts_, loss_, best_loss_, loss_curve_, \
validation_scores_, best_validation_score_, history_, n_iter_, t_, n_layers_, \
n_outputs_, out_activation_, n_features_in_, feature_names_in_
        As in :class:`MLPFromScratch`; ``coefs_`` lists the convolution kernels
        ``(kh, kw, c_in, c_out)`` and the dense matrices, ``n_features_in_`` is
        the number of values per sample.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skscratch import ConvNetFromScratch
    >>> X, y = load_digits(return_X_y=True)
    >>> model = ConvNetFromScratch(max_iter=10, random_state=0)
    >>> model = model.fit(X[:1000] / 16, y[:1000])
    >>> model.input_shape_                  # flat rows of 64 pixels: 8x8 images
    (8, 8, 1)
    >>> model.score(X[1000:] / 16, y[1000:]) > 0.85
    True
    """

    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "filters": ["array-like", Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "strides": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "padding": [StrOptions({"same", "valid"})],
        "pool_size": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "batch_norm": ["boolean"],
        "input_shape": ["array-like", None],
    }

    def __init__(self, filters=(32, 64), kernel_size=3, strides=1, padding="same", pool_size=2,
                 hidden_layer_sizes=(128,), activation="relu", *, dropout=0.5,
                 batch_norm=False, input_shape=None, task="classification", loss="auto",
                 solver="adam", alpha=1e-4, batch_size=32, learning_rate="constant",
                 learning_rate_init=1e-3, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10,
                 max_fun=15000, callbacks=None):
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.pool_size = pool_size
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.input_shape = input_shape
        self.task = task
        self.loss = loss
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.callbacks = callbacks

    # ----------------------------------------------------------- input shape
    def _flatten_input(self, X):
        if isinstance(X, (list, tuple)):
            X = np.asarray(X)
        if getattr(X, "ndim", 2) >= 3:
            X = np.asarray(X)
            if X.ndim > 4:
                raise ValueError(f"Expected images of 2 or 3 axes per sample; got X of shape "
                                 f"{X.shape}.")
            # explicit width: reshaping 0 samples with -1 fails before validation says why
            rows = X.reshape(X.shape[0], int(np.prod(X.shape[1:])))
            return rows, _as_image_shape(X.shape[1:])
        return X, None

    def _shape_input(self, X, sample_shape, reset):
        if reset:
            self.input_shape_ = self._infer_input_shape(X.shape[1], sample_shape)
            if sample_shape is not None and self.input_shape is None:
                _warn_if_channels_first(sample_shape)
        elif sample_shape is not None and sample_shape != self.input_shape_:
            raise ValueError(f"X has images of shape {sample_shape}; the model was fitted "
                             f"on input_shape_={self.input_shape_}.")
        return X.reshape(X.shape[0], *self.input_shape_)

    def _infer_input_shape(self, n_features, sample_shape):
        if self.input_shape is not None:
            shape = _as_image_shape(tuple(self.input_shape))
            if int(np.prod(shape)) != n_features:
                raise ValueError(f"input_shape={tuple(self.input_shape)} holds "
                                 f"{int(np.prod(shape))} values per sample, but X has "
                                 f"{n_features} features per sample.")
            return shape
        if sample_shape is not None:
            return sample_shape
        side = int(round(np.sqrt(n_features)))
        return (side, side, 1) if side * side == n_features else (1, n_features, 1)

    # ---------------------------------------------------------------- layers
    def _architecture(self):
        shape = None if self.input_shape is None else canonical(self.input_shape)
        if shape is not None and len(shape) == 2:
            shape = (*shape, 1)
        return {"filters": sizes(self.filters), "kernel_size": sizes(self.kernel_size, 2),
                "strides": sizes(self.strides, 2), "padding": self.padding,
                "pool_size": sizes(self.pool_size, 2),
                "hidden_layer_sizes": sizes(self.hidden_layer_sizes),
                "batch_norm": canonical(self.batch_norm), "input_shape": shape,
                "activation": self.activation, "dropout": canonical(self.dropout)}

    def _make_layers(self, input_shape, n_outputs):
        layers = []
        shape = tuple(input_shape)
        pool_h, pool_w = pair(self.pool_size, "pool_size")
        for filters in _hidden_sizes(self.filters, "filters"):
            if self.padding == "same":
                _check_kernel(self.kernel_size, shape)
            conv = Conv2D(filters, self.kernel_size, self.strides, self.padding,
                          kernel_initializer="auto")
            shape = conv.compute_output_shape(shape)
            layers += [conv, BatchNorm()] if self.batch_norm else [conv]
            pool = (min(pool_h, shape[0]), min(pool_w, shape[1]))
            if pool != (1, 1):
                # max-pool before the activation: every activation offered is
                # non-decreasing, so f(max(z)) = max(f(z)) (gradients included),
                # and f then runs on pool_h * pool_w times fewer numbers
                layers.append(MaxPool2D(pool))
                shape = layers[-1].compute_output_shape(shape)
            layers.append(Activation(self.activation))
        layers.append(Flatten())
        for units in _hidden_sizes(self.hidden_layer_sizes):
            if self.batch_norm:
                layers += [Dense(units, kernel_initializer="auto"), BatchNorm(),
                           Activation(self.activation)]
            else:
                layers.append(Dense(units, self.activation, kernel_initializer="auto"))
            if self.dropout > 0:
                layers.append(Dropout(self.dropout))
        layers.append(Dense(n_outputs, kernel_initializer="auto"))
        return layers


def _as_image_shape(shape):
    """``(h, w) -> (h, w, 1)``; ``(h, w, c)`` unchanged; anything else is an error."""
    shape = tuple(int(d) for d in shape)
    if len(shape) == 2:
        shape += (1,)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError("input_shape must be (height, width) or (height, width, channels) "
                         f"of positive ints; got {shape}.")
    return shape


def _warn_if_channels_first(shape):
    """Warn when an image shape read as ``(h, w, c)`` looks like ``(c, h, w)``."""
    height, width, channels = shape
    if height in (1, 3) and width == channels > height:
        warn(
            f"X has images of shape {shape}, read as (height, width, channels): "
            f"{height}x{width} pixels of {channels} channels. If they are channels-first "
            f"(NCHW) images of {width}x{channels} pixels, pass X.transpose(0, 2, 3, 1); "
            "give input_shape to confirm this layout.", UserWarning)


def _check_kernel(kernel_size, shape):
    """Refuse a "same" kernel over twice the size of the feature map it slides over."""
    for kernel, size, axis in zip(pair(kernel_size, "kernel_size"), shape, ("high", "wide")):
        if kernel > 2 * size + 1:
            raise ValueError(
                f"kernel_size={kernel_size!r} makes a kernel {kernel} {axis} for a feature map "
                f"{size} {axis} (of shape {shape[:2]}): with padding='same' a kernel is at most "
                f"2 * size + 1 = {2 * size + 1} there, as larger ones only add weights that "
                "always multiply padding. Use a smaller kernel_size (e.g. (1, k) for signals).")
