import numpy as np
import pytest

from skscratch import Network
from skscratch.layers import Dense, Dropout, Flatten, ReLU, Tanh
from tests.conftest import summary_text

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)


@pytest.mark.parametrize("seed", range(5))
def test_xor_as_in_the_tutorial(seed):
    net = Network([Dense(3), Tanh(), Dense(1), Tanh()])
    net.fit(XOR_X, XOR_Y, loss="mse", learning_rate=0.1, epochs=1000, batch_size=1,
            random_state=seed)
    np.testing.assert_array_equal(np.round(net.predict(XOR_X)).ravel(), [0, 1, 1, 0])


def test_build_reports_shapes_and_collects_parameters(rng):
    net = Network([Flatten(), Dense(8, "relu"), Dropout(0.2), Dense(3)]).build((2, 5), rng)
    assert net.output_shape == (3,)
    assert [p.shape for p in net.params] == [(10, 8), (8,), (8, 3), (3,)]
    assert len(net.penalized) == 2


def test_predict_in_chunks_equals_one_pass(rng):
    net = Network([Dense(16, "relu"), Dense(2)]).build((4,), rng)
    x = rng.standard_normal((103, 4))
    np.testing.assert_allclose(net.predict(x, batch_size=10), net.forward(x))


def test_predict_chunk_size_is_bounded_by_memory(rng):
    from unittest import mock
    net = Network([Dense(1 << 12)]).build((2,), rng)
    with mock.patch.object(net, "forward", wraps=net.forward) as forward:
        assert net.predict(np.zeros((1000, 2))).shape == (1000, 1 << 12)
    # 2**20 numbers per chunk / 2**12 wide = 256 rows per chunk at most
    assert max(call.args[0].shape[0] for call in forward.call_args_list) == 256


def test_summary(rng):
    net = Network([Dense(4, "relu"), Dense(2)]).build((3,), rng)
    text = summary_text(net)
    assert "Dense" in text and "(None, 4)" in text
    assert "Total params: 26" in text    # 3*4+4 + 4*2+2


def test_weights_round_trip(rng):
    net = Network([Dense(3)]).build((2,), rng)
    saved = net.get_weights()
    net.params[0] += 1
    net.set_weights(saved)
    np.testing.assert_array_equal(net.params[0], saved[0])
    with pytest.raises(ValueError, match="Expected 2 arrays"):
        net.set_weights(saved[:1])


def test_backward_returns_input_gradient_only_when_asked(rng):
    net = Network([Dense(3, "tanh"), Dense(1)]).build((2,), rng)
    net.forward(rng.standard_normal((4, 2)), training=True)
    assert net.backward(np.ones((4, 1))) is None
    net.forward(rng.standard_normal((4, 2)), training=True)
    assert net.backward(np.ones((4, 1)), need_input_grad=True).shape == (4, 2)


def test_errors():
    with pytest.raises(TypeError, match="Layer instances"):
        Network([lambda x: x])
    with pytest.raises(ValueError, match="no layers"):
        Network().build((3,))
    with pytest.raises(RuntimeError, match="not built"):
        Network([ReLU()]).predict(np.zeros((1, 2)))


def test_adam_fit_regression(rng):
    x = rng.standard_normal((200, 3))
    y = np.sin(x @ np.array([[1.0], [-2.0], [0.5]]))
    net = Network([Dense(32, "tanh"), Dense(1)])
    net.fit(x, y, optimizer="adam", learning_rate=0.01, epochs=300, random_state=0)
    assert np.mean((net.predict(x) - y) ** 2) < 0.05 * np.var(y)


def test_memory_estimate_reads_declared_weights_for_networks_and_models():
    from skscratch import Model
    from skscratch.container import check_memory
    from skscratch.layers import Concatenate, Input
    x = Input((1000,))
    h = Dense(20000)(x)
    model = Model(x, Dense(2)(Concatenate()([x, h])))
    assert model.count_params((1000,)) == 1001 * 20000 + 21001 * 2
    assert model.count_activations((1000,)) == 20000 + 21000 + 2
    with pytest.raises(ValueError, match="GiB to train"):
        check_memory(model, (1000,), batch_size=200_000, dtype=np.float64)
    net = Network([Dense(8), Dense(3)])
    check_memory(net, (4,), batch_size=10, dtype=np.float32)
    assert net.count_params((4,)) == net.build((4,)).n_params == 5 * 8 + 9 * 3


def test_a_declared_input_shape_builds_the_network_on_first_use(rng):
    from skscratch.layers import Flatten, Input, InputLayer
    np.random.seed(42)
    net = Network([Flatten(input_shape=[4, 2]), Dense(3, activation="relu"), Dense(2)])
    text = summary_text(net)             # Keras builds when the input is known
    assert net.built and net.input_shape == (4, 2) and "Total params: 35" in text
    np.random.seed(42)
    again = Network([Flatten(input_shape=[4, 2]), Dense(3, activation="relu"), Dense(2)])
    for a, b in zip(again.get_weights(), net.get_weights()):    # np.random.seed decides
        np.testing.assert_array_equal(a, b)
    assert net.layer_names() == ["flatten", "dense", "dense_1"]
    assert net.get_layer("dense") is net.layers[1] and net.get_layer(index=-1) is net.layers[2]
    with pytest.raises(ValueError, match=r"No layer named 'dense_2'; the layers are"):
        net.get_layer("dense_2")
    added = Network()
    added.add(Input(shape=[4, 2]))
    added.add(Flatten())
    added.add(Dense(1))
    added.summary(print_fn=len)
    assert added.input_shape == (4, 2)
    assert Network([InputLayer(input_shape=[5]), Dense(1)]).get_weights()[0].shape == (5, 1)
    with pytest.raises(ValueError, match="declared for inputs of shape"):
        Network([Dense(1, input_shape=[3])]).fit(np.zeros((4, 2)), np.zeros(4), epochs=1)
    with pytest.raises(ValueError, match="An Input goes first"):
        Network([Dense(1)]).add(Input(shape=[3]))


def test_a_networks_weights_are_its_leaves_and_cannot_be_rebound():
    # Layer's own dicts (params, grads, state) are a leaf's; a container reads its
    # leaves' arrays and refuses an assignment instead of swallowing it
    net = Network([Dense(3), Dense(2)])
    assert net.params == [] and net.grads == [] and not hasattr(net, "state")
    net.build((4,), np.random.default_rng(0))
    leaves = [a for layer in net.layers for a in layer.params.values()]
    assert len(net.params) == 4 and all(p is q for p, q in zip(net.params, leaves))
    with pytest.raises(AttributeError):
        net.params = []
