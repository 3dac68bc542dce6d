"""Keras's compile / fit / evaluate on networks and models, and probability outputs fused
with their cross-entropy."""

import numpy as np
import pytest

from skscratch import Model, Network
from skscratch.gradcheck import check_network_gradients
from skscratch.layers import Activation, Dense, Input, Softmax, concatenate
from skscratch.losses import SigmoidCrossEntropy, SoftmaxCrossEntropy, one_hot
from skscratch.optimizers import SGD, Adam
from tests.conftest import assert_gradients_ok


def _copy_weights(source, target):
    target.set_weights(source.get_weights())
    return target


def _keras_sgd_steps(W1, b1, W2, b2, X, labels, rate, batch, steps):
    """Keras's training of Dense(relu) -> Dense(softmax) with sparse categorical
    cross-entropy on probabilities (clipped to [1e-7, 1 - 1e-7]) and plain SGD, in float64.

    The gradient is the chain rule through softmax: dL/dz = J_softmax^T dL/dp.
    """
    losses = []
    for step in range(steps):
        x = X[step * batch:(step + 1) * batch]
        y = one_hot(labels[step * batch:(step + 1) * batch], W2.shape[1])
        h_pre = x @ W1 + b1
        h = np.maximum(h_pre, 0)
        z = h @ W2 + b2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        clipped = np.clip(p, 1e-7, 1 - 1e-7)
        losses.append(float(np.mean(-np.sum(y * np.log(clipped), axis=1))))
        dp = -(y / clipped) * ((p > 1e-7) & (p < 1 - 1e-7)) / len(x)
        dz = p * (dp - np.sum(dp * p, axis=1, keepdims=True))
        dh = dz @ W2.T * (h_pre > 0)
        W2, b2 = W2 - rate * h.T @ dz, b2 - rate * dz.sum(axis=0)
        W1, b1 = W1 - rate * x.T @ dh, b1 - rate * dh.sum(axis=0)
    return [W1, b1, W2, b2], losses


def test_a_softmax_output_with_sparse_crossentropy_trains_as_keras(rng):
    X = rng.standard_normal((40, 5))
    labels = rng.integers(0, 3, 40)
    model = Network([Dense(6, "relu"), Dense(3, "softmax")]).build((5,), rng)
    start = model.get_weights()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    model.fit(X, labels, batch_size=10, epochs=1, shuffle=False)
    expected, losses = _keras_sgd_steps(*start, X, labels, 0.01, 10, 4)
    for ours, theirs in zip(model.get_weights(), expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    assert model.history["loss"][0] == pytest.approx(np.mean(losses), rel=1e-12)


@pytest.mark.parametrize("output, loss, labels", [
    (lambda: [Dense(4), Softmax()], "sparse_categorical_crossentropy", [0, 3, 1, 2, 2, 0]),
    (lambda: [Dense(4, "softmax")], "categorical_crossentropy", None),
    (lambda: [Dense(1, "sigmoid")], "binary_crossentropy", [0, 1, 1, 0, 1, 0]),
    (lambda: [Dense(3), Activation("sigmoid")], "binary_crossentropy", None),
])
def test_probability_outputs_train_exactly_as_the_logits_path(output, loss, labels, rng):
    X = rng.standard_normal((6, 5))
    if labels is None:
        width = output()[0].units
        y = (rng.random((6, width)) > 0.5).astype(float)
        if loss == "categorical_crossentropy":
            y = one_hot(rng.integers(0, width, 6), width)
    else:
        y = np.array(labels)
    probabilities = Network([Dense(7, "tanh"), *output()]).build((5,), rng)
    logits = _copy_weights(probabilities, Network([Dense(7, "tanh"), Dense(
        probabilities.output_shape[0])]).build((5,), rng))
    linear_loss = "log_loss" if loss != "binary_crossentropy" or y.ndim == 1 else (
        "sigmoid_cross_entropy")
    probabilities.fit(X, y, loss=loss, optimizer=SGD(0.5), epochs=5, batch_size=3,
                      shuffle=False)
    logits.fit(X, y, loss=linear_loss, optimizer=SGD(0.5), epochs=5, batch_size=3,
               shuffle=False)
    np.testing.assert_allclose(probabilities.flat_params, logits.flat_params, rtol=1e-13,
                               atol=1e-15)
    np.testing.assert_allclose(probabilities.history["loss"], logits.history["loss"],
                               rtol=1e-13)
    # predictions stay probabilities; the logits are what the loss read
    proba = probabilities.predict(X)
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(probabilities.predict(X, logits=True), logits.predict(X),
                               rtol=1e-13)


def test_a_fused_output_passes_the_gradient_check_through_its_logits(rng):
    network = Network([Dense(5, "tanh"), Dense(4, "softmax")]).build((3,), rng)
    X = rng.standard_normal((7, 3))
    y = one_hot(rng.integers(0, 4, 7), 4)
    loss = SoftmaxCrossEntropy()
    # the fused loss of the probabilities' logits, checked against central differences
    assert_gradients_ok(check_network_gradients(network, loss, X, y))
    # and it is the loss of the probabilities themselves, -mean(log p_true)
    value = loss(network.forward(X, logits=True), y)[0]
    p = network.predict(X)
    assert value == pytest.approx(-np.mean(np.log(np.sum(p * y, axis=1))), rel=1e-12)


def test_a_confident_softmax_output_keeps_a_finite_exact_loss(rng):
    network = Network([Dense(3, "softmax")]).build((2,), rng)
    network.set_weights([np.array([[80.0, -80.0, 0.0], [0.0, 0.0, 0.0]]), np.zeros(3)])
    network.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    X = np.array([[1.0, 0.0]])
    # softmax rounds p_true to 1 and the other classes to ~1e-35: log-loss of the
    # probabilities would be 0 (or inf for the wrong class); the logits keep it exact
    assert network.evaluate(X, np.array([0])) == pytest.approx(np.exp(-80) + np.exp(-160),
                                                                 rel=1e-12)
    assert network.evaluate(X, np.array([1])) == pytest.approx(160.0, rel=1e-12)


@pytest.mark.parametrize("layers, loss, message", [
    ([Dense(3, "relu")], "sparse_categorical_crossentropy", "ends in relu"),
    ([Dense(3, "sigmoid")], "categorical_crossentropy", "softmax output; output 'output_0' "
                                                        "ends in logistic"),
    ([Dense(3, "softmax")], "binary_crossentropy", "logistic output; output 'output_0' ends "
                                                   "in softmax"),
])
def test_a_probability_output_with_a_loss_that_cannot_read_it_is_refused(layers, loss, message,
                                                                         rng):
    model = Network([Dense(4, "tanh"), *layers]).build((2,), rng)
    with pytest.raises(ValueError, match=message):
        model.compile(loss=loss)
    unbuilt = Network([Dense(4, "tanh"), *layers])
    unbuilt.compile(loss=loss)                # checked once the outputs are known
    with pytest.raises(ValueError, match=message):
        unbuilt.fit(rng.standard_normal((4, 2)), np.array([0, 1, 2, 0]))


def test_an_output_feeding_other_layers_cannot_be_fused(rng):
    x = Input((3,))
    probabilities = Dense(4, "softmax")(x)
    model = Model(x, [probabilities, Dense(1)(probabilities)])
    model.compile(loss=["sparse_categorical_crossentropy", "mse"])
    with pytest.raises(ValueError, match="also feeds other layers"):
        model.fit(rng.standard_normal((6, 3)), (np.arange(6) % 4, np.zeros(6)), epochs=1)


def test_compile_fit_evaluate_with_two_outputs_and_loss_weights(rng):
    wide, deep = Input((2,), name="wide"), Input((3,), name="deep")
    hidden = Dense(8, "relu")(deep)
    main = Dense(1, name="main")(concatenate([wide, hidden]))
    aux = Dense(1, name="aux")(hidden)
    model = Model(inputs=[wide, deep], outputs=[main, aux])
    model.compile(loss=("mse", "mse"), loss_weights=(0.9, 0.1), optimizer=Adam(1e-2),
                  metrics=["RootMeanSquaredError", "mae"])
    Xw, Xd = rng.standard_normal((60, 2)), rng.standard_normal((60, 3))
    y = Xw[:, 0] - Xd[:, 1]
    history = model.fit((Xw, Xd), (y, y), epochs=5, batch_size=20,
                        validation_data=((Xw[:20], Xd[:20]), (y[:20], y[:20])))
    assert list(history.history) == [
        "loss", "main_loss", "aux_loss", "main_root_mean_squared_error", "main_mae",
        "aux_root_mean_squared_error", "aux_mae", "val_loss", "val_main_loss", "val_aux_loss",
        "val_main_root_mean_squared_error", "val_main_mae", "val_aux_root_mean_squared_error",
        "val_aux_mae"]
    total, main_loss, aux_loss, main_rmse, main_mae, aux_rmse, aux_mae = model.evaluate(
        (Xw, Xd), (y, y))
    main_pred, aux_pred = model.predict((Xw, Xd))
    assert main_loss == pytest.approx(np.mean((main_pred[:, 0] - y) ** 2), rel=1e-12)
    assert aux_loss == pytest.approx(np.mean((aux_pred[:, 0] - y) ** 2), rel=1e-12)
    assert total == pytest.approx(0.9 * main_loss + 0.1 * aux_loss, rel=1e-12)
    assert main_rmse == pytest.approx(np.sqrt(main_loss), rel=1e-12)
    assert aux_mae == pytest.approx(np.mean(np.abs(aux_pred[:, 0] - y)), rel=1e-12)
    assert main_mae == pytest.approx(np.mean(np.abs(main_pred[:, 0] - y)), rel=1e-12)
    assert aux_rmse == pytest.approx(np.sqrt(aux_loss), rel=1e-12)
    as_dict = model.evaluate((Xw, Xd), (y, y), return_dict=True)
    assert list(as_dict) == list(history.history)[:7] and as_dict["loss"] == total
    # the validation record is evaluate on the validation data with the epoch's weights
    assert history.history["val_main_loss"][-1] == pytest.approx(
        model.evaluate((Xw[:20], Xd[:20]), (y[:20], y[:20]))[1], rel=1e-12)


def test_the_training_accuracy_is_the_mean_over_the_epochs_batches(rng):
    X = rng.standard_normal((30, 4))
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    model = Network([Dense(3, "softmax")]).build((4,), rng)
    start = model.get_weights()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=SGD(0.3),
                  metrics=["accuracy"])
    model.fit(X, labels, epochs=1, batch_size=10, shuffle=False)
    # Keras averages each batch's accuracy, computed before that batch's step
    replay = Network([Dense(3, "softmax")]).build((4,), rng)
    replay.set_weights(start)
    replay.compile(loss="sparse_categorical_crossentropy", optimizer=SGD(0.3))
    correct = 0
    for batch in range(3):
        rows = slice(10 * batch, 10 * batch + 10)
        correct += np.sum(replay.predict(X[rows]).argmax(axis=1) == labels[rows])
        replay.fit(X[rows], labels[rows], epochs=1, batch_size=10, shuffle=False)
    assert model.history["accuracy"] == [correct / 30]


def test_compile_refuses_what_it_cannot_train(rng):
    model = Network([Dense(3)]).build((2,), rng)
    with pytest.raises(ValueError, match="Unknown loss 'crossentropy'"):
        model.compile(loss="crossentropy")
    with pytest.raises(ValueError, match="Unknown optimizer 'adagrad'"):
        model.compile(optimizer="adagrad", loss="mse")
    with pytest.raises(ValueError, match="Unknown metric 'f1'"):
        model.compile(loss="mse", metrics=["f1"])
    with pytest.raises(ValueError, match="needs a loss"):
        model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="'accuracy' compares classes, but output "
                                         "'output_0' is trained with the regression loss"):
        model.compile(loss="mse", metrics=["accuracy"])
    with pytest.raises(ValueError, match="categorical_accuracy' compares the arg-max"):
        Network([Dense(1)]).build((2,), rng).compile(loss="binary_crossentropy",
                                                     metrics=["categorical_accuracy"])
    with pytest.raises(ValueError, match="loss_weights must be finite"):
        model.compile(loss="mse", loss_weights=[np.inf])
    with pytest.raises(TypeError, match="metrics must be a list"):
        model.compile(loss="mse", metrics="mae")


def test_compile_refuses_an_unknown_metric_before_the_model_is_built():
    # the name alone is wrong: compile says so, not the first fit
    model = Network([Dense(30, "relu", input_shape=[8]), Dense(1)])
    with pytest.raises(ValueError, match="Unknown metric 'acuracy'"):
        model.compile(loss="mse", optimizer="sgd", metrics=["acuracy"])
    with pytest.raises(TypeError, match="metrics must be a list"):
        model.compile(loss="mse", metrics="mae")
    assert getattr(model, "compiled", None) is None and not model.built
    inputs = Input(shape=[2])
    two = Model(inputs, [Dense(1, name="main")(inputs), Dense(1, name="aux")(inputs)])
    with pytest.raises(ValueError, match="Unknown metric 'rmsee'"):
        two.compile(loss="mse", metrics={"aux": ["rmsee"]})


def test_evaluate_before_compile_or_fit_says_so(rng):
    model = Network([Dense(1)]).build((2,), rng)
    with pytest.raises(RuntimeError, match=r"call compile\(loss=..., metrics=...\)"):
        model.evaluate(np.zeros((3, 2)), np.zeros(3))


def test_predict_and_evaluate_take_keras_verbose_and_check_their_switches(rng):
    X, y = rng.standard_normal((20, 2)), rng.standard_normal(20)
    model = Network([Dense(1)]).fit(X, y, loss="mse", epochs=1, random_state=0)
    # Keras code silences predict's progress bar with verbose=0
    np.testing.assert_array_equal(model.predict(X, verbose=0), model.predict(X))
    with pytest.raises(TypeError, match="predict's verbose must be 0, 1, 2 or 'auto'"):
        model.predict(X, verbose="silent")
    with pytest.raises(TypeError, match="evaluate's verbose must be 0, 1, 2 or 'auto'"):
        model.evaluate(X, y, verbose="silent")
    with pytest.raises(TypeError, match="evaluate's return_dict must be True or False"):
        model.evaluate(X, y, return_dict="yes")


def test_a_fit_naming_its_loss_compiles_for_evaluate_and_the_compiled_optimizer_carries_on(rng):
    X, y = rng.standard_normal((20, 2)), rng.standard_normal(20)
    model = Network([Dense(1)]).fit(X, y, loss="mae", epochs=2, random_state=0)
    assert model.evaluate(X, y) == pytest.approx(np.mean(np.abs(model.predict(X)[:, 0] - y)))
    model.compile(loss="mse", optimizer="adam")
    model.fit(X, y, epochs=3, random_state=0)
    assert model.optimizer.t == 3 and model.optimizer.epsilon == 1e-7     # Keras's Adam
    model.fit(X, y, epochs=2, random_state=0)
    assert model.optimizer.t == 5                  # its state carries on, as in Keras
    with pytest.raises(ValueError, match="compiled with an optimizer"):
        model.fit(X, y, learning_rate=0.1)


def test_validation_split_holds_out_the_last_samples(rng):
    X, y = rng.standard_normal((50, 2)), rng.standard_normal(50)
    split = Network([Dense(1)]).build((2,), rng)
    held = _copy_weights(split, Network([Dense(1)]).build((2,), rng))
    for model in (split, held):
        model.compile(loss="mse", optimizer="sgd")
    split.fit(X, y, epochs=2, validation_split=0.2, random_state=0)
    held.fit(X[:40], y[:40], epochs=2, validation_data=(X[40:], y[40:]), random_state=0)
    assert split.history == held.history
    with pytest.raises(ValueError, match="validation_split must lie in"):
        split.fit(X, y, validation_split=1.0)


def test_fit_checks_its_numbers_before_training(rng):
    X, y = rng.standard_normal((10, 2)), rng.standard_normal(10)
    model = Network([Dense(1)])
    for kwargs, error, message in [
            ({"alpha": -1}, ValueError, "alpha must be a non-negative"),
            ({"alpha": "0.1"}, TypeError, "alpha must be a number"),
            # beyond a float's range: a bare OverflowError before
            ({"alpha": 10**400}, ValueError, "alpha must be a non-negative finite"),
            # a number was "not iterable"; 0 passed as no callbacks
            ({"callbacks": float("nan")}, TypeError, "callbacks must be a list of callbacks"),
            ({"callbacks": 0}, TypeError, "callbacks must be a list of callbacks"),
            # NumPy's "SeedSequence expects int" named no argument
            ({"random_state": "3"}, TypeError, "random_state must be None, a non-negative int"),
            ({"random_state": -1}, ValueError, "random_state must be None, a non-negative int"),
            ({"sample_weight": -np.ones(10)}, ValueError, "sample_weight must be finite"),
            ({"epochs": 0}, ValueError, "epochs must be a positive integer")]:
        with pytest.raises(error, match=message):
            model.fit(X, y, **kwargs)
    with pytest.raises(ValueError, match="holds no samples"):
        model.fit(X[:0], y[:0])
    assert not model.built or model.history is None if hasattr(model, "history") else True


@pytest.mark.parametrize("make", [lambda: Network([Dense(10**12), Dense(1)]),
                                  lambda: (lambda x: Model(x, Dense(1)(Dense(10**12)(x))))(
                                      Input((2,)))])
def test_an_absurd_network_is_refused_by_fit_with_the_estimate_before_it_is_built(make, rng):
    # the estimators' memory check, for Keras's fit: building it asked NumPy for 15 TiB of
    # weights (a MemoryError, or the operating system's kill where memory is overcommitted)
    model = make()
    with pytest.raises(ValueError, match=r"would need about [\d,.]+ GiB to train "
                                         r"\(4,000,000,000,001 parameters; batch of 10\)"):
        model.fit(rng.standard_normal((10, 2)), np.zeros(10), epochs=1)
    assert not model.built


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "log_loss",
                                  "softmax_cross_entropy"])
def test_negative_class_labels_are_refused_before_training(loss, rng):
    net = Network([Dense(3)])
    labels = np.array([0, 1, -1, 2] * 5)
    with pytest.raises(ValueError, match=r"Class labels must lie in \[0, 2\] for 3 outputs; "
                                         "got labels from -1 to 2"):
        net.fit(rng.standard_normal((20, 4)), labels, loss=loss, epochs=1)
    assert not net.built


@pytest.mark.parametrize("kwargs, error, message", [
    ({"loss_weights": [np.inf, 1.0]}, ValueError, "loss_weights must be finite non-negative"),
    ({"loss_weights": [-1.0, 1.0]}, ValueError, "loss_weights must be finite non-negative"),
    ({"loss_weights": [0, 0]}, ValueError, "loss_weights are all 0"),
    ({"alpha": -1}, ValueError, "alpha must be a non-negative"),
    ({"alpha": np.nan}, ValueError, "alpha must be a non-negative"),
    ({"batch_size": 0}, ValueError, "batch_size must be a positive integer"),
])
def test_a_model_fit_refuses_bad_numbers_before_training_and_changes_nothing(kwargs, error,
                                                                             message, rng):
    # unchecked, each would train silently or fail epochs later with "try a smaller
    # learning rate"
    x = Input((3,))
    model = Model(x, [Dense(1, name="a")(x), Dense(1, name="b")(x)])
    X, y = rng.standard_normal((8, 3)), (np.zeros(8), np.ones(8))
    with pytest.raises(error, match=message):
        model.fit(X, y, epochs=2, **kwargs)
    with pytest.raises(ValueError, match="holds no samples"):
        model.fit(X[:0], (y[0][:0], y[1][:0]), epochs=2)
    assert not model.built and not hasattr(model, "compiled")


def test_sample_weights_weigh_the_loss_as_repeated_samples(rng):
    X, y = rng.standard_normal((6, 2)), rng.standard_normal(6)
    weights = np.array([1, 2, 1, 3, 1, 1])
    model = Network([Dense(1)]).build((2,), rng)
    model.compile(loss="mse")
    repeated = np.repeat(np.arange(6), weights)
    assert model.evaluate(X, y, sample_weight=weights) == pytest.approx(
        model.evaluate(X[repeated], y[repeated]), rel=1e-12)


def test_sigmoid_crossentropy_reads_probabilities_of_several_labels(rng):
    loss = SigmoidCrossEntropy()
    assert loss.takes_logits("logistic", 3) and not loss.takes_logits("identity", 3)
    assert not loss.takes_logits(None, 3)         # an unknown last layer: taken as logits


@pytest.mark.parametrize("verbose, bar", [(1, True), ("auto", True), (True, True), (2, False)])
def test_fit_verbose_prints_as_keras_does(rng, capsys, verbose, bar):
    X, y = rng.standard_normal((40, 2)), rng.standard_normal(40)
    Network([Dense(1)]).fit(X, y, loss="mse", epochs=2, batch_size=10, verbose=verbose,
                            random_state=0)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("Epoch ")]
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/2", "Epoch 2/2"]
    # Keras's 1 draws a bar within each epoch (tqdm's, described "epoch 1"); 2 the lines alone
    assert ("epoch 1" in out) == bar


def test_fit_verbose_refuses_what_keras_refuses(rng):
    X, y = rng.standard_normal((20, 2)), rng.standard_normal(20)
    with pytest.raises(ValueError, match="fit's verbose must be 0, 1, 2 or 'auto'"):
        Network([Dense(1)]).fit(X, y, loss="mse", epochs=1, verbose=3)
    for wrong in ("loud", 1.5):
        with pytest.raises(TypeError, match="fit's verbose must be"):
            Network([Dense(1)]).fit(X, y, loss="mse", epochs=1, verbose=wrong)
