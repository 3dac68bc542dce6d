import numpy as np
import pytest

from skscratch import Model
from skscratch.gradcheck import check_network_gradients
from skscratch.layers import Add, Concatenate, Conv2D, Input
from skscratch.losses import SquaredError
from tests.conftest import assert_gradients_ok


def test_concatenate_joins_along_the_axis_and_splits_the_gradient(rng):
    layer = Concatenate(axis=-1)
    layer.build([(2, 3, 1), (2, 3, 4)])
    assert layer.output_shape == (2, 3, 5)
    a, b = rng.standard_normal((6, 2, 3, 1)), rng.standard_normal((6, 2, 3, 4))
    y = layer.forward([a, b], training=True)
    np.testing.assert_array_equal(y, np.concatenate([a, b], axis=3))
    da, db = layer.backward(y)
    np.testing.assert_array_equal(da, a)
    np.testing.assert_array_equal(db, b)


def test_concatenate_along_height(rng):
    layer = Concatenate(axis=0)
    assert layer.build([(2, 3, 1), (4, 3, 1)]) == (6, 3, 1)
    a, b = rng.standard_normal((2, 2, 3, 1)), rng.standard_normal((2, 4, 3, 1))
    np.testing.assert_array_equal(layer.forward([a, b]), np.concatenate([a, b], axis=1))
    with pytest.raises(ValueError, match="out of range"):
        Concatenate(axis=3).compute_output_shape([(2, 3, 1), (2, 3, 1)])


def test_add_sums_and_hands_each_input_the_same_gradient(rng):
    layer = Add()
    layer.build([(4,)] * 3)
    xs = [rng.standard_normal((5, 4)) for _ in range(3)]
    np.testing.assert_allclose(layer.forward(xs, training=True), xs[0] + xs[1] + xs[2])
    g = rng.standard_normal((5, 4))
    assert all(d is g for d in layer.backward(g))


@pytest.mark.parametrize("merge", [Concatenate, Add])
def test_merged_branches_pass_a_gradient_check(merge, rng):
    x = Input((5, 5, 2))
    a = Conv2D(3, 3, padding="same", activation="tanh")(x)
    b = Conv2D(3, 1, activation="tanh")(x)
    model = Model(x, merge()([a, b])).build(random_state=0)
    y = rng.standard_normal((3, *model.output_shape))
    loss = _FlatSquaredError()
    assert_gradients_ok(check_network_gradients(model, loss, rng.standard_normal((3, 5, 5, 2)), y))


class _FlatSquaredError(SquaredError):
    """Squared error on image-shaped outputs, for the gradient check."""

    def __call__(self, output, target, sample_weight=None):
        value, grad = super().__call__(output.reshape(len(output), -1),
                                       target.reshape(len(target), -1), sample_weight)
        return value, grad.reshape(output.shape)


def test_merge_layers_need_a_list_of_at_least_two():
    with pytest.raises(ValueError, match="at least 2"):
        Add().compute_output_shape([(3,)])
    with pytest.raises(ValueError, match="axis must be an integer"):
        Concatenate(axis="last")
