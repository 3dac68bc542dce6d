"""The learning-rate range test on networks and models: the ramp, the record, the rule."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skscratch import Model, Network
from skscratch.layers import Dense, Input
from skscratch.range_test import LearningRateRange, RangeTest, valley


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def _net():
    return Network([Dense(16, "relu"), Dense(10)])


def _bias_corrected_average(raw, beta):
    average, out = 0.0, []
    for n, value in enumerate(raw, 1):
        average = beta * average + (1 - beta) * value
        out.append(average / (1 - beta ** n))
    return np.array(out)


def test_rates_grow_exponentially_and_losses_are_the_corrected_moving_average(digits):
    found = _net().find_learning_rate(*digits, min_lr=1e-4, max_lr=1e-1, steps=4,
                                      loss="log_loss", batch_size=200, smoothing=0.9,
                                      divergence=1e9, random_state=0)
    np.testing.assert_allclose(found.learning_rates_, [1e-4, 1e-3, 1e-2, 1e-1], rtol=1e-12)
    assert len(found.raw_losses_) == 4 and not found.diverged_
    np.testing.assert_allclose(found.losses_, _bias_corrected_average(found.raw_losses_, 0.9),
                               rtol=1e-12)


def test_a_range_wider_than_a_float_ratio_still_grows_step_by_step():
    # max_lr / min_lr is 1e400 here, beyond a float
    test = RangeTest(min_lr=1e-200, max_lr=1e200, steps=5)
    np.testing.assert_allclose([test.rate(k) for k in range(5)],
                               [1e-200, 1e-100, 1.0, 1e100, 1e200], rtol=1e-9)

def test_the_valley_is_the_longest_fall_noise_skipped_and_the_rate_halfway_down():
    rates = np.logspace(-5, 0, 10)
    # 3.05 is noise on the way down; the fall 3.0 ... 0.4 has 7 steps and ends at step 7
    losses = [3.0, 2.9, 3.05, 2.5, 2.0, 1.0, 0.5, 0.4, 2.0, 9.0]
    assert valley(rates, losses) == rates[7 - 7 + 7 // 3 + 7 // 6]
    # what follows the first non-finite loss does not count
    assert valley(rates, losses[:8] + [np.nan, 0.1]) == rates[3]
    assert valley(rates, np.arange(10.0)) is None              # never fell


def test_a_built_model_is_tested_on_a_copy_and_left_as_it_was(digits):
    X, y = digits
    net = _net()
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    net.fit(X[:200], y[:200], epochs=2, random_state=0)
    weights, history = net.get_weights(), net.history.history
    moments = net.optimizer.get_state()
    found = net.find_learning_rate(X, y, batch_size=200, random_state=0)
    for a, b in zip(net.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    assert net.history.history == history
    assert net.optimizer.get_state()[0] == moments[0]     # Adam's step count: untouched
    assert found.suggestion_ is not None
    unbuilt = _net()
    unbuilt.find_learning_rate(X, y, loss="log_loss", steps=5, random_state=0)
    assert not unbuilt.built


def test_the_same_random_state_repeats_the_test_and_another_does_not(digits):
    def run(seed):
        return _net().find_learning_rate(*digits, loss="log_loss", optimizer="adam", steps=30,
                                         batch_size=100, random_state=seed)

    first, again, other = run(0), run(0), run(1)
    np.testing.assert_array_equal(first.raw_losses_, again.raw_losses_)
    assert first.suggestion_ == again.suggestion_
    assert not np.array_equal(first.raw_losses_[:10], other.raw_losses_[:10])


@pytest.mark.parametrize("network, divergence", [
    (_net, 4.0),                        # the test's rule: 4 times the lowest smoothed loss
    (lambda: Network([Dense(10)]), 1e30),    # the trainer's: a loss 1e8 times the first
])
def test_divergence_ends_the_test_with_no_warning(digits, network, divergence):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = network().find_learning_rate(X, y, loss="log_loss", optimizer="sgd",
                                             min_lr=1e-3, max_lr=1e12, steps=80,
                                             divergence=divergence, batch_size=200,
                                             random_state=0)
    assert found.diverged_ and len(found.raw_losses_) < 80
    assert 1e-3 <= found.suggestion_ < 1


@pytest.mark.parametrize("settings, error, match", [
    (dict(min_lr=1e-2, max_lr=1e-2), ValueError, "min_lr must be below max_lr"),
    (dict(min_lr=1.0, max_lr=1e-3), ValueError, "min_lr must be below max_lr"),
    (dict(min_lr=0.0), ValueError, "min_lr must lie in"),
    (dict(min_lr=-1e-3), ValueError, "min_lr must lie in"),
    (dict(max_lr=float("nan")), ValueError, "max_lr must lie in"),
    (dict(max_lr=float("inf")), ValueError, "max_lr must lie in"),
    (dict(min_lr="1e-3"), TypeError, "min_lr must be a number"),
    (dict(steps=1), ValueError, "steps must be at least 2"),
    (dict(steps=10.0), TypeError, "steps must be an integer"),
    (dict(smoothing=1.0), ValueError, "smoothing"),
    (dict(divergence=1.0), ValueError, "divergence"),
])
def test_bad_settings_are_refused_before_anything_trains(settings, error, match):
    with pytest.raises(error, match=match):
        RangeTest(**settings)
    net = _net()
    with pytest.raises(error, match=match):
        net.find_learning_rate(np.zeros((4, 3)), np.zeros(4, dtype=int), loss="log_loss",
                               **settings)
    assert not net.built


def test_a_range_whose_first_rate_already_diverges_is_refused(digits):
    with pytest.raises(ValueError, match="never fell .* Lower min_lr"):
        _net().find_learning_rate(*digits, loss="log_loss", optimizer="sgd", min_lr=1e4,
                                  max_lr=1e8, batch_size=200, random_state=0)


def test_a_model_with_two_outputs_is_tested_on_its_loss_weights_total(digits):
    X, y = digits
    inputs = Input((64,))
    hidden = Dense(16, "relu")(inputs)
    model = Model(inputs, [Dense(10, name="digit")(hidden), Dense(1, name="big")(hidden)])
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5])
    found = model.find_learning_rate(X, (y, (y > 4).astype(float)), batch_size=100,
                                     random_state=0)
    assert 1e-4 < found.suggestion_ < 1e-1


def test_the_plot_marks_the_suggestion_and_keeps_the_diverging_tail_out_of_view(digits):
    plt = pytest.importorskip("matplotlib.pyplot")
    found = _net().find_learning_rate(*digits, loss="log_loss", optimizer="sgd",
                                      batch_size=200, random_state=0)
    try:
        shown = found.plot(name="digits")
        assert shown is found and shown.ax_.get_xscale() == "log"
        assert len(shown.ax_.lines) == 2 and len(shown.ax_.collections) == 1
        low, high = shown.ax_.get_ylim()
        assert low < found.losses_.min() and high < found.losses_[-1]    # the tail is cut
        assert shown.ax_.get_title() == "digits"
    finally:
        plt.close("all")
    assert "suggestion_=" in repr(found) and isinstance(found, LearningRateRange)
