import numpy as np

from skscratch.gradcheck import check_layer_gradients
from skscratch.layers import Flatten
from tests.conftest import assert_gradients_ok


def test_flatten_shapes_and_gradient(rng):
    layer = Flatten()
    assert layer.build((3, 4, 2)) == (24,)
    x = rng.standard_normal((5, 3, 4, 2))
    y = layer.forward(x, training=True)
    assert y.shape == (5, 24)
    np.testing.assert_array_equal(y[1], x[1].ravel())
    assert_gradients_ok(check_layer_gradients(layer, x, rng=rng))
