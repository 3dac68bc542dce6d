import numpy as np
import pytest

from skscratch.gradcheck import check_layer_gradients
from skscratch.layers import Dropout
from tests.conftest import assert_gradients_ok


def test_identity_when_not_training(rng):
    layer = Dropout(0.5)
    layer.build((10,), rng)
    x = rng.standard_normal((4, 10))
    np.testing.assert_array_equal(layer.forward(x, training=False), x)


def test_inverted_scaling_keeps_the_mean(rng):
    layer = Dropout(0.3)
    layer.build((1000,), rng)
    y = layer.forward(np.ones((200, 1000)), training=True)
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7)
    assert abs(y.mean() - 1) < 0.01


def test_gradient_with_a_fixed_mask(rng):
    layer = Dropout(0.4)
    layer.build((6,), rng)
    mask = layer._draw_mask((5, 6))
    layer._draw_mask = lambda shape: mask   # same mask in every numerical pass
    assert_gradients_ok(check_layer_gradients(layer, rng.standard_normal((5, 6)), rng=rng))


@pytest.mark.parametrize("rate", [-0.1, 1.0, 2, "half"])
def test_bad_rate(rate):
    with pytest.raises(ValueError, match="Dropout rate"):
        Dropout(rate)
