import pickle

import numpy as np
import pytest

from skscratch.optimizers import SGD, Adam, RMSprop, get_optimizer


def _reference_sgd(p, grads, lr, mu, nesterov):
    v = np.zeros_like(p)
    for g in grads:
        v = mu * v - lr * g
        p = p + (mu * v - lr * g if nesterov else v)
    return p


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_matches_the_update_rule(momentum, nesterov, rng):
    p0 = rng.standard_normal((3, 2))
    grads = [rng.standard_normal((3, 2)) for _ in range(4)]
    p = p0.copy()
    opt = SGD(0.1, momentum=momentum, nesterov=nesterov)
    for g in grads:
        opt.step([p], [g])
    np.testing.assert_allclose(p, _reference_sgd(p0, grads, 0.1, momentum, nesterov))


def test_adam_matches_the_paper(rng):
    p0 = rng.standard_normal(5)
    grads = [rng.standard_normal(5) for _ in range(3)]
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    m = v = np.zeros(5)
    expected = p0.copy()
    for t, g in enumerate(grads, 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        expected = expected - lr_t * m / (np.sqrt(v) + eps)
    p = p0.copy()
    opt = Adam(lr, b1, b2, eps)
    for g in grads:
        opt.step([p], [g])
    np.testing.assert_allclose(p, expected)


def test_updates_are_in_place(rng):
    p = rng.standard_normal(4)
    before, buffer = p.copy(), p
    Adam().step([p], [np.ones(4)])
    assert buffer is p and np.all(p < before)    # same array, moved against the gradient
    q = np.zeros(3)
    SGD(0.5, momentum=0).step([q], [np.ones(3)])
    np.testing.assert_allclose(q, -0.5)


def test_float32_state_stays_float32():
    p = np.ones(3, dtype=np.float32)
    Adam().step([p], [np.ones(3, dtype=np.float32)])
    assert p.dtype == np.float32


def test_bad_settings():
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        SGD(0)
    with pytest.raises(ValueError, match="Unknown optimizer 'adagrad'"):
        get_optimizer("adagrad")


@pytest.mark.parametrize("make, error, message", [
    (lambda: SGD(nesterov="no"), TypeError, "nesterov must be True or False"),
    (lambda: SGD(nesterov=1), TypeError, "nesterov must be True or False"),
    (lambda: SGD(momentum="0.9"), TypeError, "momentum must be a number"),
    (lambda: SGD(momentum=None), TypeError, "momentum must be a number"),
    (lambda: SGD(10**400), ValueError, "learning_rate must be positive and finite"),
    (lambda: Adam(epsilon=True), TypeError, "epsilon must be a number"),
    (lambda: Adam(epsilon=10**400), ValueError, "epsilon must be positive and finite"),
    (lambda: Adam(beta_1=None), TypeError, "beta_1 must be a number"),
    (lambda: Adam(beta_2=float("nan")), ValueError, r"beta_2 must lie in \[0, 1\)"),
    (lambda: RMSprop(rho="0.9"), TypeError, "rho must be a number"),
    (lambda: RMSprop(momentum=[0.5]), TypeError, "momentum must be a number"),
    (lambda: RMSprop(epsilon=None), TypeError, "epsilon must be a number"),
])
def test_every_setting_is_checked_by_name_where_the_optimizer_is_made(make, error, message):
    # a comparison with a string or None, or float() of a huge integer, would fail without
    # naming the setting; bool("no") would switch Nesterov's momentum on
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_pickle_keeps_the_state_but_not_the_scratch_array(name):
    rng = np.random.default_rng(0)
    p, g = rng.standard_normal(1000), rng.standard_normal(1000)
    opt = get_optimizer(name, 0.01)
    opt.step([p], [g])
    blob = pickle.dumps(opt)
    # the moments are kept (one or two parameter-sized arrays), the scratch is not
    assert len(blob) < (len(opt.state_slots) + 0.5) * p.nbytes
    copy = pickle.loads(blob)
    assert copy.started and [b.shape for b in copy._buffers] == [p.shape]
    q = p.copy()
    opt.step([p], [g])
    copy.step([q], [g])
    np.testing.assert_array_equal(p, q)


def test_a_pickled_fitted_estimator_continues_training_identically():
    from sklearn.datasets import load_iris

    from skscratch import MLPFromScratch
    X, y = load_iris(return_X_y=True)
    est = MLPFromScratch((8,), max_iter=3, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(est))
    est.partial_fit(X, y)
    copy.partial_fit(X, y)
    for a, b in zip(est.coefs_ + est.intercepts_, copy.coefs_ + copy.intercepts_):
        np.testing.assert_array_equal(a, b)


def _adam_first_step_float32(p, g, lr, eps=1e-8, b2=0.999):
    # Adam's first step as float32 passes with Python-float scalars
    root = (1 - b2) ** 0.5
    buf = np.sqrt(g * g)
    buf += eps / root
    buf = g / buf
    buf *= lr   # lr * sqrt(1 - b2) / (1 - b1) * (1 - b1) / sqrt(1 - b2) at t = 1
    return p - buf


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_numpy_scalar_rates_keep_float32_arithmetic(optimizer, rng):
    # np.float64 is not a "weak" scalar: against float32 arrays it makes float64
    # loops (five times slower, rounded differently), so rates become Python floats
    p = rng.standard_normal(4096).astype(np.float32)
    g = rng.standard_normal(4096).astype(np.float32)
    rate = np.float64(1e-3) * 3
    opt = Adam(rate) if optimizer == "adam" else SGD(rate, momentum=0.9, nesterov=True)
    opt.learning_rate = rate            # as a schedule might set it
    assert type(opt.learning_rate) is float
    stepped = p.copy()
    opt.step([stepped], [g])
    if optimizer == "adam":
        expected = _adam_first_step_float32(p, g, float(rate))
        # the same pass made in float64 (a NumPy scalar) rounds differently somewhere
        in_float64 = g / (np.sqrt(g * g) + np.float64(1e-8) / np.sqrt(np.float64(1e-3)))
        assert not np.array_equal(p - (in_float64 * rate).astype(np.float32), expected)
    else:   # Nesterov's first step: p - lr g - mu lr g
        buf = g * float(rate)
        expected = p - buf - buf * 0.9
    assert stepped.dtype == np.float32
    np.testing.assert_array_equal(stepped, expected)


def test_set_state_refuses_negative_second_moments_and_changes_nothing(rng):
    p, g = rng.standard_normal(6), rng.standard_normal(6)
    opt = Adam(0.01)
    opt.step([p.copy()], [g])
    scalars, arrays = opt.get_state()
    before = opt.get_state()
    bad = [arrays[0], -np.abs(arrays[1])]
    with pytest.raises(ValueError, match="'v' may not be negative"):
        opt.set_state({**scalars, "learning_rate": 0.5, "t": 7}, bad, [p])
    after = opt.get_state()
    assert after[0] == before[0]
    for a, b in zip(after[1], before[1]):
        np.testing.assert_array_equal(a, b)


def test_rmsprop_steps_as_keras_computes_them(rng):
    from skscratch.optimizers import RMSprop
    p, g1, g2 = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal(5)
    for momentum in (0.0, 0.5):
        opt = RMSprop(0.01, rho=0.8, momentum=momentum)
        stepped = p.copy()
        opt.step([stepped], [g1])
        opt.step([stepped], [g2])
        v1 = 0.2 * g1 ** 2
        v2 = 0.8 * v1 + 0.2 * g2 ** 2
        step1, step2 = 0.01 * g1 / np.sqrt(v1 + 1e-7), 0.01 * g2 / np.sqrt(v2 + 1e-7)
        expected = p - step1 - step2 if not momentum else p - step1 - (0.5 * step1 + step2)
        np.testing.assert_allclose(stepped, expected, rtol=1e-14)


def test_names_give_keras_optimizers_with_keras_defaults():
    from skscratch.optimizers import RMSprop
    sgd, adam, rms = get_optimizer("sgd"), get_optimizer("Adam"), get_optimizer("rmsprop")
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)
    assert (adam.learning_rate, adam.epsilon) == (0.001, 1e-7)
    assert isinstance(rms, RMSprop) and (rms.learning_rate, rms.rho, rms.epsilon) == (
        0.001, 0.9, 1e-7)
    assert Adam().epsilon == 1e-8                  # the class keeps PyTorch's and sklearn's
    assert SGD(lr=0.5).learning_rate == 0.5        # Keras 2's name
    assert get_optimizer("sgd", 0.1).learning_rate == 0.1
    with pytest.raises(TypeError, match="learning_rate must be a number"):
        SGD("0.1")
    with pytest.raises(ValueError, match="positive and finite"):
        Adam(np.inf)
    with pytest.raises(TypeError, match="optimizer must be a name"):
        get_optimizer(3)
