"""The functional API: graphs of layers, checked against numerical gradients and Network."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits
from sklearn.preprocessing import StandardScaler

from skscratch import Model, Network
from skscratch.gradcheck import check_network_gradients
from skscratch.layers import (
    Add,
    BatchNorm,
    Concatenate,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Input,
    Layer,
    MaxPool2D,
    Tanh,
)
from skscratch.layers.base import leaf_layers
from skscratch.losses import SigmoidCrossEntropy, SoftmaxCrossEntropy, SquaredError
from tests.conftest import assert_gradients_ok, summary_text


def _fan_out_and_add():
    x = Input((4,))
    a = Dense(5, "tanh")(x)
    b = Dense(5, "tanh")(a)           # a feeds b and the sum: fan-out
    return Model(x, Dense(2)(Add()([a, b])))


def _concatenate():
    wide, deep = Input((3,)), Input((4,))
    h = Dense(5, "tanh")(deep)
    return Model([wide, deep], Dense(2)(Concatenate()([wide, h])))


def _shared_layer():
    x = Input((4,))
    shared = Dense(4, "tanh")
    h = shared(shared(x))                      # the same weights twice in a row
    return Model(x, Dense(2)(Add()([h, shared(x)])))   # and a third time in parallel


def _nested_network():
    x = Input((4,))
    block = Network([Dense(6, "tanh"), Dense(4, "tanh")])
    return Model(x, Dense(2)(Add()([x, block(x)])))      # a residual block


def _images():
    x = Input((6, 6, 2))
    conv = Conv2D(3, 3, padding="same", activation="tanh")
    h = MaxPool2D()(conv(x))
    skip = MaxPool2D()(Conv2D(3, 1)(x))
    return Model(x, Dense(2)(Flatten()(Concatenate()([h, skip]))))


GRAPHS = {"fan-out+Add": _fan_out_and_add, "Concatenate, 2 inputs": _concatenate,
          "shared layer x3": _shared_layer, "nested Network": _nested_network,
          "conv branches": _images}


def _inputs(model, rng, n=5):
    shapes = model.input_shape if isinstance(model.input_shape, list) else [model.input_shape]
    xs = [rng.standard_normal((n, *s)) for s in shapes]
    return xs if len(xs) > 1 else xs[0]


@pytest.mark.parametrize("make", GRAPHS.values(), ids=GRAPHS.keys())
def test_graph_gradients_match_central_differences(make, rng):
    model = make().build(random_state=0)
    x = _inputs(model, rng)
    y = rng.standard_normal((5, 2))
    assert_gradients_ok(check_network_gradients(model, SquaredError(), x, y,
                                                sample_weight=rng.uniform(0.5, 2, 5)))


def test_two_inputs_two_outputs_with_loss_weights(rng):
    wide, deep = Input((3,), name="wide"), Input((4,), name="deep")
    h = Dense(6, "tanh")(deep)
    h = Dense(5, "tanh")(h)
    main = Dense(3, name="main")(Concatenate()([wide, h]))
    aux = Dense(2, name="aux")(h)
    model = Model([wide, deep], [main, aux]).build(random_state=0)
    x = [rng.standard_normal((6, 3)), rng.standard_normal((6, 4))]
    y = [np.eye(3)[rng.integers(0, 3, 6)], rng.integers(0, 2, (6, 2)).astype(float)]
    errors = check_network_gradients(model, [SoftmaxCrossEntropy(), SigmoidCrossEntropy()],
                                     x, y, loss_weights=[0.9, 0.1])
    assert set(errors) >= {"input.0", "input.1"}
    assert_gradients_ok(errors)


def test_shared_layer_gradient_is_the_sum_over_its_calls(rng):
    model = _shared_layer().build(random_state=0)
    shared = model.layers[0]
    assert sum(node.layer is shared for node in model._nodes) == 3
    assert len(leaf_layers(model)) == 3            # shared, Add, the output Dense
    assert model.n_params == (4 * 4 + 4) + (4 * 2 + 2)


def _chain_layers():
    return [Dense(16, "relu"), BatchNorm(), Dropout(0.3), Dense(8, "tanh"), Dense(3)]


def test_sequential_through_functional_is_bit_identical_to_network(rng):
    X = rng.standard_normal((150, 6))
    y = rng.integers(0, 3, 150)
    net = Network(_chain_layers()).build((6,), random_state=4)
    t = x = Input((6,))
    for layer in _chain_layers():
        t = layer(t)
    model = Model(x, t).build(random_state=4)
    for p, q in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(p, q)
    fit = dict(loss="log_loss", optimizer="adam", learning_rate=0.01, epochs=5, batch_size=16,
               alpha=1e-3, random_state=9)
    net.fit(X, y, **fit)
    model.fit(X, y, **fit)
    assert net.history["loss"] == model.history["loss"]
    for p, q in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(net.predict(X), model.predict(X))


def test_a_network_nested_in_a_model_computes_what_it_computes_alone(rng):
    inner = Network([Dense(8, "tanh"), Dense(2)]).build((4,), random_state=0)
    x = Input((4,))
    outer = Model(x, inner(x)).build(random_state=1)      # building again re-initialises
    inner.set_weights([p * 0 + i for i, p in enumerate(inner.get_weights())])
    X = rng.standard_normal((7, 4))
    np.testing.assert_array_equal(outer.predict(X), inner.predict(X))
    # training the outer model moves the inner network's weights (they are shared)
    outer.fit(X, rng.standard_normal((7, 2)), epochs=2, random_state=0)
    np.testing.assert_array_equal(outer.predict(X), inner.predict(X))
    inner.fit(X, rng.standard_normal((7, 2)), epochs=2, random_state=0)   # packs its own
    np.testing.assert_array_equal(outer.predict(X), inner.predict(X))


def _wide_and_deep():
    wide, deep = Input((5,), name="wide"), Input((6,), name="deep")
    h = Dense(30, "relu")(deep)
    h = Dense(30, "relu")(h)
    main = Dense(1, name="main")(Concatenate()([wide, h]))
    aux = Dense(1, name="aux")(h)
    return Model(inputs=[wide, deep], outputs=[main, aux])


def _diabetes_split():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    return (X[:350, :5], X[:350, 2:8], y[:350]), (X[350:, :5], X[350:, 2:8], y[350:])


def test_wide_and_deep_trains_on_real_data_with_a_history_per_output():
    (Xw, Xd, y), (Vw, Vd, v) = _diabetes_split()
    model = _wide_and_deep()
    model.fit((Xw, Xd), (y, y), loss="squared_error", loss_weights=(0.9, 0.1),
              optimizer="adam", learning_rate=1e-3, epochs=60, validation_data=((Vw, Vd), (v, v)),
              random_state=0)
    first, last = ({k: v[i] for k, v in model.history.items()} for i in (0, -1))
    assert set(last) >= {"loss", "main_loss", "aux_loss", "val_loss", "val_main_loss",
                         "val_aux_loss"}
    assert last["loss"] == pytest.approx(0.9 * last["main_loss"] + 0.1 * last["aux_loss"],
                                         rel=1e-12)
    assert last["val_main_loss"] < 0.8 * first["val_main_loss"]
    assert last["val_main_loss"] < 0.5 * np.var(v)          # R² above 0.5 on held-out rows
    main, aux = model.predict((Vw, Vd))
    assert main.shape == aux.shape == (len(v), 1)
    assert np.mean((main[:, 0] - v) ** 2) == pytest.approx(last["val_main_loss"], rel=1e-9)


def test_summary_shows_shapes_params_and_connections():
    model = _wide_and_deep().build(random_state=0)
    text = summary_text(model)
    assert "Connected to" in text
    assert "wide (Input)" in text and "main (Dense" in text
    assert "concatenate (Concatenate)  (None, 35)" in text
    line = next(row for row in text.splitlines() if row.startswith("aux"))
    assert line.rstrip().endswith("dense_1") and "31" in line
    assert f"Total params: {model.n_params:,}" in text
    assert model.n_params == (6 * 30 + 30) + (30 * 30 + 30) + (35 + 1) + (30 + 1)


def test_integer_labels_train_with_log_loss_as_in_the_estimators():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    net = Network([Dense(64, "relu"), Dense(10)])
    net.fit(X[:1200], y[:1200], loss="log_loss", optimizer="adam", learning_rate=1e-2,
            epochs=15, random_state=0)
    accuracy = np.mean(np.argmax(net.predict(X[1200:]), axis=1) == y[1200:])
    assert accuracy > 0.9


@pytest.mark.parametrize("y, loss, message", [
    (np.arange(20) % 10, "squared_error", r"target of shape \(20,\)"),
    (np.zeros((20, 3)), "squared_error", r"target of shape \(20, 3\)"),
    (np.arange(20) % 11, "log_loss", r"must lie in \[0, 9\]"),
    (np.full(20, 0.5), "softmax_cross_entropy", "must be integers"),
    (np.arange(19) % 10, "log_loss", "y has 19 samples; x has 20"),
    (np.array(["a"] * 20), "log_loss", "must be integers"),
])
def test_targets_that_do_not_fit_the_outputs_are_refused(y, loss, message, rng):
    net = Network([Dense(10)])
    with pytest.raises(ValueError, match=message):
        net.fit(rng.standard_normal((20, 4)), y, loss=loss, epochs=1)


def test_model_inputs_and_targets_are_checked(rng):
    model = _wide_and_deep()
    xw, xd, y = rng.standard_normal((8, 5)), rng.standard_normal((8, 6)), rng.standard_normal(8)
    with pytest.raises(ValueError, match="2 input"):
        model.fit(xw, (y, y), epochs=1)
    with pytest.raises(ValueError, match=r"Input 1 has samples of shape \(5,\)"):
        model.fit((xw, xw), (y, y), epochs=1)
    with pytest.raises(ValueError, match="2 outputs; y holds 1"):
        model.fit((xw, xd), y, epochs=1)
    with pytest.raises(ValueError, match="loss_weights has 3 entries"):
        model.fit((xw, xd), (y, y), loss_weights=(1, 1, 1), epochs=1)
    model.fit({"wide": xw, "deep": xd}, {"main": y, "aux": y}, loss={"main": "mse", "aux": "mae"},
              epochs=1)
    assert set(model.history) >= {"main_loss", "aux_loss"}


def test_graph_construction_errors(rng):
    x, other = Input((4,)), Input((4,))
    h = Dense(3)(other)
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(x, h)
    shared = Dense(3)
    shared(x)
    with pytest.raises(ValueError, match="same shape at every call"):
        shared(Input((5,)))
    with pytest.raises(TypeError, match="symbolic tensors"):
        Dense(3)(rng.standard_normal((2, 4)))
    with pytest.raises(TypeError, match="a list of tensors"):
        Add()(x)
    with pytest.raises(ValueError, match="same shape except"):
        Concatenate()([Input((2, 3)), Input((4, 4))])
    with pytest.raises(ValueError, match="one shape"):
        Add()([x, Input((5,))])
    with pytest.raises(ValueError, match="already in this Network"):
        Network([shared, shared])
    with pytest.raises(TypeError, match="Model for graphs"):
        Network([Add()])
    with pytest.raises(ValueError, match="Input shape"):
        Input((0,))


def test_inputs_with_the_same_name_are_refused(rng):
    # a dict x is matched by input name: two inputs named "x" would both be fed
    # the one array of that key (fit, predict and NetworkEstimator alike)
    a, b = Input((2,), name="x"), Input((2,), name="x")
    with pytest.raises(ValueError, match="Two of the model's inputs are named 'x'"):
        Model([a, b], Dense(1)(Concatenate()([a, b])))
    c = Input((2,), name="y")
    model = Model([a, c], Dense(1)(Concatenate()([a, c]))).build(random_state=0)
    xa, xc = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    np.testing.assert_array_equal(model.predict({"y": xc, "x": xa}), model.predict([xa, xc]))


@pytest.mark.parametrize("bad, good", [
    (lambda: [Input((2, 3)), Input((4,))], lambda: [Input((2,)), Input((4,))]),
])
def test_a_call_refused_for_its_shape_leaves_a_merge_layer_as_it_was(bad, good):
    layer = Concatenate()
    with pytest.raises(ValueError, match="same shape except"):
        layer(bad())
    assert layer(good()).shape == (6,)           # the valid call is not refused


@pytest.mark.parametrize("make, bad, good", [
    (lambda: Conv2D(2, 3), (4,), (5, 5, 1)),
    (lambda: MaxPool2D(2), (3,), (4, 4, 1)),
    (lambda: Add(), None, None),
])
def test_a_call_refused_for_its_shape_changes_nothing(make, bad, good):
    layer = make()
    if bad is None:                              # Add: shapes that differ, then that agree
        with pytest.raises(ValueError, match="one shape"):
            layer([Input((3,)), Input((4,))])
        assert layer([Input((4,)), Input((4,))]).shape == (4,)
        return
    with pytest.raises(ValueError):
        layer(Input(bad))
    assert layer(Input(good)).shape == layer.compute_output_shape(good)


def test_a_network_cannot_contain_itself():
    net = Network([Dense(3)])
    with pytest.raises(ValueError, match="cannot contain itself"):
        net.add(net)
    x = Input((3,))
    model = Model(x, net(x))                     # a model holding the network
    with pytest.raises(ValueError, match="Model is or holds this Network"):
        net.add(model)
    outer = Network([Network([net])])
    with pytest.raises(ValueError, match="cannot contain itself"):
        net.add(outer)
    assert len(net.layers) == 1
    assert net.build((3,)).output_shape == (3,)


@pytest.mark.parametrize("names, key", [
    (("val", "main"), "val_loss"),                 # its loss is the total validation loss
    (("val_main", "main"), "val_main_loss"),       # its loss is main's validation loss
])
def test_output_names_that_collide_with_history_keys_are_refused(names, key, rng):
    x = Input((3,))
    model = Model(x, [Dense(1, name=names[0])(x), Dense(1, name=names[1])(x)])
    X, y = rng.standard_normal((8, 3)), (np.zeros(8), np.ones(8))
    with pytest.raises(ValueError, match=f"under the same key '{key}'"):
        model.fit(X, y, epochs=1)
    assert not model.built                                  # refused before training
    fine = Model(x, [Dense(1, name="valley")(x), Dense(1, name="main")(x)])
    fine.fit(X, y, epochs=1, validation_data=(X, y))
    assert {"valley_loss", "main_loss", "val_valley_loss", "val_main_loss"} <= set(fine.history)


def test_a_metric_named_like_a_record_key_is_refused(rng):
    from skscratch.metrics import MeanAbsoluteError

    class Seconds(MeanAbsoluteError):
        """Logged as "seconds", the epoch's duration."""

    with pytest.raises(ValueError, match="the record's 'seconds' and the metric 'seconds'"):
        Network([Dense(1)]).fit(rng.standard_normal((8, 3)), np.zeros(8), epochs=1,
                                metrics=[Seconds()])


def test_config_and_pickle_round_trips_rebuild_the_same_graph(rng):
    model = _wide_and_deep().build(random_state=0)
    copy = Model.from_config(model.get_config()).build(random_state=1)
    copy.set_weights(model.get_weights())
    x = (rng.standard_normal((4, 5)), rng.standard_normal((4, 6)))
    for a, b in zip(model.predict(x), copy.predict(x)):
        np.testing.assert_array_equal(a, b)
    assert summary_text(copy) == summary_text(model)
    clone = pickle.loads(pickle.dumps(model))
    clone.fit(x, (np.zeros(4), np.zeros(4)), epochs=1)        # trains its own copy
    for a, b in zip(model.predict(x), copy.predict(x)):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(clone.predict(x)[0], model.predict(x)[0])


def test_tanh_layer_objects_and_activations_agree_in_graphs(rng):
    x = Input((3,))
    model = Model(x, Tanh()(Dense(2)(x))).build(random_state=0)
    fused = Network([Dense(2, "tanh")]).build((3,), random_state=0)
    X = rng.standard_normal((5, 3))
    np.testing.assert_array_equal(model.predict(X), fused.predict(X))


def test_predict_takes_inputs_as_fit_does_and_checks_them(rng):
    model = _wide_and_deep().build(random_state=0)
    xw, xd = rng.standard_normal((4, 5)), rng.standard_normal((4, 6))
    by_name = model.predict({"deep": xd, "wide": xw})
    for a, b in zip(by_name, model.predict([xw, xd])):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"2 input\(s\); x holds 1"):
        model.predict(xw)
    with pytest.raises(ValueError, match=r"Input 0 has samples of shape \(6,\)"):
        model.predict((xd, xw))


def test_outputs_of_one_named_layer_get_distinct_history_keys(rng):
    x = Input((3,))
    head = Dense(1, name="head")
    model = Model(x, [head(Dense(3)(x)), head(Dense(3)(x))])
    assert model.output_names == ["head", "head_1"]
    model.fit(rng.standard_normal((10, 3)), (np.zeros(10), np.ones(10)), epochs=1)
    assert {"head_loss", "head_1_loss"} <= set(model.history)


def test_a_nested_model_with_a_shared_layer_called_twice_has_exact_gradients(rng):
    d = Dense(4, "tanh")
    xi = Input((4,))
    inner = Model(xi, d(d(xi)))
    x = Input((4,))
    model = Model(x, Dense(2)(inner(inner(x)))).build(random_state=0)
    X, Y = rng.standard_normal((5, 4)), rng.standard_normal((5, 2))
    assert_gradients_ok(check_network_gradients(model, SquaredError(), X, Y))


def test_a_leaf_shared_across_a_container_boundary_is_refused():
    d = Dense(4, "tanh")
    inner = Network([d, Dense(4, "tanh")])
    x = Input((4,))
    with pytest.raises(ValueError, match="used inside Network and also in Dense"):
        Model(x, Dense(2)(d(inner(x))))


def test_gradients_survive_another_container_taking_the_leaves(rng):
    from skscratch import Trainer
    from skscratch.optimizers import SGD
    inner = Network([Dense(4, "tanh"), Dense(2)])
    x = Input((4,))
    model = Model(x, inner(x)).build(random_state=0)
    trainer = Trainer(model, SquaredError(), SGD(0.1, momentum=0.0))
    X = rng.standard_normal((8, 4))
    for _ in range(3):
        before = model.get_weights()
        trainer.train_batch(X, X[:, :2])
        inner.get_weights()             # a monitor reading the sub-network re-packs it
        assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_building_a_model_keeps_the_weights_of_layers_already_built(rng):
    X = rng.standard_normal((30, 4))
    base = Network([Dense(8, "relu"), Dense(3)])
    base.fit(X, X[:, :3], epochs=3, random_state=0)
    trained = base.get_weights()
    x = Input((4,))
    transfer = Model(x, Dense(1)(base(x))).build(random_state=1)
    for a, b in zip(trained, base.get_weights()):
        np.testing.assert_array_equal(a, b)
    transfer.fit(X, X[:, 0], epochs=2, random_state=0)       # fine-tuning moves them
    assert not np.array_equal(trained[0], base.get_weights()[0])


def test_containers_nest_inside_a_network(rng):
    x = Input((4,))
    block = Model(x, Add()([x, Dense(4, "tanh")(x)]))
    net = Network([Dense(4, "tanh"), Network([Dense(4)]), block, Dense(2)])
    X = rng.standard_normal((10, 4))
    net.fit(X, X[:, :2], epochs=2, random_state=0)
    assert net.predict(X).shape == (10, 2)
    assert_gradients_ok(check_network_gradients(net, SquaredError(), X[:4], X[:4, :2]))


def test_degenerate_models_are_refused():
    x = Input((3,))
    with pytest.raises(ValueError, match="at least one layer"):
        Model(x, x)
    with pytest.raises(ValueError, match="listed twice"):
        Model([x, x], Dense(2)(x))
    with pytest.raises(TypeError, match="name must be a string"):
        Input((3,), name=5)
    assert Network().n_params == 0


def test_fit_rough_edges(rng):
    X, y = rng.standard_normal((12, 3)), rng.standard_normal(12)
    net = Network([Dense(1)])
    net.fit(X.tolist(), y.tolist(), epochs=1, random_state=0)          # nested lists
    net.fit(X, {"output_0": y}, epochs=1)
    with pytest.raises(ValueError, match="must name each"):
        net.fit({"x": X}, y, epochs=1)
    with pytest.raises(ValueError, match="batch_size"):
        net.predict(X, batch_size=0)
    losses = {}
    for weight in (1.0, 5.0):
        model = Network([Dense(1)]).build((3,), random_state=0)
        model.fit(X, y, loss_weights=[weight], epochs=1, shuffle=False)
        losses[weight] = model.history["loss"][0]
    assert losses[5.0] == pytest.approx(5 * losses[1.0])


def test_names_given_by_the_user_win_over_generated_ones():
    x = Input((3,))
    model = Model(x, Dense(1, name="dense")(Dense(2)(x)))
    assert model.output_names == ["dense"]
    assert "dense_1 (Dense(2))" in summary_text(model.build(random_state=0))


def test_gradient_check_of_a_model_with_an_unused_input(rng):
    a, b = Input((2,)), Input((3,))
    model = Model([a, b], Dense(1)(a)).build(random_state=0)
    errors = check_network_gradients(model, SquaredError(),
                                     [rng.standard_normal((4, 2)), rng.standard_normal((4, 3))],
                                     rng.standard_normal((4, 1)))
    assert errors["input.1"] == 0.0
    assert_gradients_ok(errors)


def test_lists_of_one_input_and_output_are_one_input_and_output_as_in_keras(rng):
    x = Input((3,))
    single = Model(inputs=[x], outputs=[Dense(2)(x)]).build(random_state=0)
    X = rng.standard_normal((5, 3))
    prediction = single.predict(X)
    assert isinstance(prediction, np.ndarray) and prediction.shape == (5, 2)
    single.compile(loss="mse", optimizer="sgd", metrics=["mae"])
    single.fit(X, np.zeros((5, 2)), epochs=1)
    assert list(single.history) == ["loss", "mae"]
    assert single.layer_names() == ["dense"] and single.get_layer("dense") is single.layers[0]


class _CachesItsInput(Layer):
    """A custom layer that caches its input under a name of its own: y = x * w."""

    def weight_specs(self, input_shape):
        from skscratch.layers import WeightSpec
        return [WeightSpec("w", tuple(input_shape), "ones")]

    def forward(self, x, training=False):
        if training:
            self._inp = x
        return x * self.params["w"]

    def backward(self, grad_output, need_input_grad=True):
        self.grads["w"][...] = (grad_output * self._inp).sum(axis=0)
        return grad_output * self.params["w"] if need_input_grad else None


def test_a_custom_layer_caching_under_any_name_is_exact_when_shared(rng):
    # each call keeps what it rebinds (self._inp here), not only the built-in cache dict
    x = Input((4,))
    shared = _CachesItsInput()
    h = shared(Dense(4, "tanh")(x))
    model = Model(x, Dense(1)(shared(Dense(4, "tanh")(h)))).build(random_state=0)
    model.leaf_layers()[1].params["w"][...] = rng.uniform(0.5, 1.5, 4)
    errors = check_network_gradients(model, SquaredError(), rng.standard_normal((6, 4)),
                                     rng.standard_normal((6, 1)))
    assert_gradients_ok(errors)
    # and a network shared as a whole keeps its leaves' calls apart too
    block = Network([Dense(4, "tanh"), _CachesItsInput(), Dense(4)])
    outer = Model(x, Dense(1)(block(block(x)))).build(random_state=0)
    assert_gradients_ok(check_network_gradients(
        outer, SquaredError(), rng.standard_normal((6, 4)), rng.standard_normal((6, 1))))


def test_keras_subclassing_is_refused_by_name():
    class WideAndDeepModel(Model):
        def __init__(self, units=30, **kwargs):
            super().__init__(**kwargs)
            self.hidden = Dense(units, "relu")

        def call(self, inputs):
            return self.hidden(inputs)

    with pytest.raises(TypeError, match="subclassing API .* is not supported"):
        WideAndDeepModel(30, name="wide_and_deep")
    with pytest.raises(TypeError, match="Model needs inputs and outputs"):
        Model(outputs=Dense(1)(Input((2,))))
