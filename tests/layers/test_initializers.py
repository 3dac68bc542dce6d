import numpy as np
import pytest

from skscratch.layers import Conv2D, Dense
from skscratch.layers.initializers import check_initializer, uniform_weights


@pytest.mark.parametrize("initializer, activation, limit", [
    ("auto", "relu", np.sqrt(6 / 300)), ("auto", "tanh", np.sqrt(6 / 400)),
    ("he_uniform", "tanh", np.sqrt(6 / 300)), ("glorot_uniform", "relu", np.sqrt(6 / 400)),
])
def test_limits(initializer, activation, limit):
    W = uniform_weights(np.random.default_rng(0), (300, 100), 300, 100, initializer,
                        activation, np.float32)
    assert W.dtype == np.float32
    assert limit * 0.97 < np.abs(W).max() <= limit


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
