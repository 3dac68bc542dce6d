import numpy as np
import pytest

from skscratch.gradcheck import check_layer_gradients
from skscratch.layers import BatchNorm
from tests.conftest import assert_gradients_ok


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 2), (2, 1, 6, 3)])
def test_gradients(shape, rng):
    layer = BatchNorm()
    layer.build(shape[1:])
    layer.params["gamma"][:] = rng.uniform(0.5, 2, shape[-1])
    layer.params["beta"][:] = rng.standard_normal(shape[-1])
    x = rng.standard_normal(shape) * 3 + 1
    errors = check_layer_gradients(layer, x, rng=rng)
    assert set(errors) == {"input", "gamma", "beta"}
    assert_gradients_ok(errors)


def test_training_normalizes_per_channel(rng):
    layer = BatchNorm()
    layer.build((4, 4, 3))
    x = rng.standard_normal((10, 4, 4, 3)) * [1, 5, 0.1] + [0, 3, -2]
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1, rtol=1e-3)  # epsilon shrinks it


def test_inference_uses_running_statistics_not_the_batch(rng):
    layer = BatchNorm(momentum=0.5)
    layer.build((2,))
    for _ in range(30):
        layer.forward(rng.standard_normal((64, 2)) * 2 + 5, training=True)
    np.testing.assert_allclose(layer.state["running_mean"], 5, atol=0.3)
    np.testing.assert_allclose(layer.state["running_var"], 4, rtol=0.3)
    x = rng.standard_normal((6, 2))
    alone = np.vstack([layer.forward(x[i:i + 1]) for i in range(6)])
    np.testing.assert_allclose(layer.forward(x), alone)   # no dependence on the batch


def test_bad_arguments():
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(momentum=1.0)
    with pytest.raises(ValueError, match="epsilon"):
        BatchNorm(epsilon=0)


@pytest.mark.parametrize("kwargs, error, message", [
    # an infinite epsilon would normalize every input to 0; True would be an epsilon of 1
    ({"epsilon": np.inf}, ValueError, "epsilon must be positive and finite"),
    ({"epsilon": 10**400}, ValueError, "epsilon must be positive and finite"),
    ({"epsilon": True}, TypeError, "BatchNorm's epsilon must be a number"),
    ({"momentum": None}, TypeError, "BatchNorm's momentum must be a number"),
    ({"momentum": "0.9"}, TypeError, "BatchNorm's momentum must be a number"),
])
def test_settings_that_are_no_numbers_or_not_finite_are_refused_by_name(kwargs, error, message):
    with pytest.raises(error, match=message):
        BatchNorm(**kwargs)


@pytest.mark.parametrize("shape", [(1, 3), (1, 1, 1, 3)])
def test_a_batch_of_one_row_uses_the_running_statistics_and_keeps_them(shape, rng):
    # its own statistics are its values (variance 0): they would normalize it to
    # beta, train nothing and drag the running variance towards 0
    layer = BatchNorm(momentum=0.5)
    layer.build(shape[1:])
    layer.state["running_mean"][:] = rng.standard_normal(shape[-1])
    layer.state["running_var"][:] = rng.uniform(0.5, 2, shape[-1])
    layer.params["gamma"][:] = rng.uniform(0.5, 2, shape[-1])
    before = [a.copy() for a in layer.state.values()]
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(layer.forward(x, training=True), layer.forward(x))
    for a, b in zip(layer.state.values(), before):
        np.testing.assert_array_equal(a, b)
    assert_gradients_ok(check_layer_gradients(layer, x, rng=rng))
    x_batch = rng.standard_normal((2, *shape[1:]))
    layer.forward(x_batch, training=True)       # two rows: batch statistics again
    assert not np.array_equal(layer.state["running_mean"], before[0])


def test_set_weights_refuses_a_negative_running_variance_and_changes_nothing():
    # its square root would make every prediction NaN
    from skscratch import Network
    from skscratch.layers import Dense
    net = Network([Dense(3), BatchNorm(), Dense(1)]).build((2,), random_state=0)
    before = net.get_weights()
    weights = [w + 1.0 for w in before]
    weights[-1] = -weights[-1]                      # the running variance
    with pytest.raises(ValueError, match="running_var may not be negative"):
        net.set_weights(weights)
    for a, b in zip(net.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    weights[-1][...] = 0.0                          # zero is a variance
    net.set_weights(weights)
    assert np.isfinite(net.predict(np.ones((2, 2)))).all()


def test_normalization_adapts_to_the_data_as_keras_computes_it(rng):
    from skscratch.layers import Normalization
    data = rng.standard_normal((200, 4)) * [1.0, 10.0, 0.0, 3.0] + [0.0, 5.0, 2.0, -1.0]
    layer = Normalization()
    assert not layer.built
    layer.adapt(data)
    x = rng.standard_normal((6, 4))
    # Keras: (x - mean) / max(sqrt(variance), epsilon) with the population variance
    expected = (x - data.mean(axis=0)) / np.maximum(data.std(axis=0), 1e-7)
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-13)
    assert np.isfinite(layer.forward(x)).all()        # a constant feature: epsilon, not 0
    errors = check_layer_gradients(layer, x, rng=rng)
    assert_gradients_ok(errors)
    np.testing.assert_array_equal(layer.get_weights()[0], data.mean(axis=0))


def test_normalization_adapted_before_its_model_is_built_keeps_its_statistics(rng):
    from skscratch import Network
    from skscratch.layers import Dense, Normalization
    data = rng.standard_normal((100, 3)) * 4 + 7
    norm = Normalization(input_shape=[3])
    model = Network([norm, Dense(2)])
    norm.adapt(data)
    model.build((3,), rng, np.float32)              # rebuilt in float32: still adapted
    np.testing.assert_allclose(norm.state["mean"], data.mean(axis=0), rtol=1e-6)
    with pytest.raises(ValueError, match="takes samples of shape"):
        norm.adapt(data[:, :2])
    with pytest.raises(ValueError, match="finite data"):
        Normalization().adapt(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="numeric array"):
        Normalization().adapt(np.array([1.0, 2.0]))
