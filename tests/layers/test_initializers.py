import numpy as np
import pytest

from skscratch.layers import Conv2D, Dense
from skscratch.layers.initializers import (
    INITIALIZERS,
    check_initializer,
    fans,
    kernel_initializer_for,
)


@pytest.mark.parametrize("initializer, activation, limit", [
    ("auto", "relu", np.sqrt(6 / 300)), ("auto", "tanh", np.sqrt(6 / 400)),
    ("he_uniform", "tanh", np.sqrt(6 / 300)), ("glorot_uniform", "relu", np.sqrt(6 / 400)),
])
def test_limits(initializer, activation, limit):
    init = INITIALIZERS.get_class(kernel_initializer_for(initializer, activation))
    W = init(np.random.default_rng(0), (300, 100), np.float32)
    assert W.dtype == np.float32
    assert limit * 0.97 < np.abs(W).max() <= limit


def test_fans_of_matrices_and_kernels():
    assert fans((300, 100)) == (300, 100)
    assert fans((3, 5, 4, 8)) == (60, 120)


@pytest.mark.parametrize("layer, shapes", [
    (lambda: Dense(7, "relu"), [(5, 7), (7,)]),
    (lambda: Conv2D(4, (3, 2)), [(3, 2, 2, 4), (4,)]),
])
def test_declared_weights_are_what_build_makes_and_count_params_counts(layer, shapes):
    layer = layer()
    input_shape = (5,) if isinstance(layer, Dense) else (6, 6, 2)
    specs = layer.weight_specs(input_shape)
    assert [s.shape for s in specs] == shapes
    assert [s.penalized for s in specs] == [True, False]
    layer.build(input_shape, rng=0)
    assert [p.shape for p in layer.params.values()] == shapes
    assert layer.count_params(input_shape) == layer.n_params == sum(s.size for s in specs)
    assert layer.penalized == ("W",)


def test_conv_fans_count_the_kernel_window():
    conv = Conv2D(8, 3, activation="relu")
    conv.build((10, 10, 4), rng=0)
    assert np.abs(conv.params["W"]).max() <= np.sqrt(6 / (3 * 3 * 4))


@pytest.mark.parametrize("layer", [lambda: Dense(3, kernel_initializer="zeros"),
                                   lambda: Conv2D(3, 3, kernel_initializer="lecun")])
def test_unknown_initializer(layer):
    with pytest.raises(ValueError, match="kernel_initializer must be one of"):
        layer()
    with pytest.raises(ValueError, match="kernel_initializer"):
        check_initializer("orthogonal")
