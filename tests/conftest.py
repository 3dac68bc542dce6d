import os

import numpy as np
import pytest

from skscratch import Network, Trainer
from skscratch.layers import Dense
from skscratch.losses import SquaredError
from skscratch.optimizers import Adam

try:
    from hypothesis import settings
except ImportError:  # the property-based tests skip themselves without hypothesis
    settings = None
else:
    # CI replays the same examples every run, so a rare draw cannot fail a submission;
    # local runs keep exploring new ones (SKSCRATCH_EXAMPLES=400 for a long search)
    settings.register_profile("ci", derandomize=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")

TOL = 1e-6  # max relative error of analytic vs numerical gradients (float64)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def assert_gradients_ok(errors, tol=TOL):
    """Every relative error of a gradcheck report is below ``tol``."""
    bad = {k: v for k, v in errors.items() if not v < tol}
    assert not bad, f"gradient mismatch (relative error > {tol}): {bad}"


def summary_text(model):
    """What ``model.summary()`` prints (a network, model or estimator)."""
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def small_trainer(rng, **kwargs):
    """A Trainer of a 3 -> 8 tanh -> 1 network with squared error (Adam 0.01 unless given)."""
    net = Network([Dense(8, "tanh"), Dense(1)]).build((3,), rng)
    return Trainer(net, SquaredError(), kwargs.pop("optimizer", Adam(0.01)), rng=rng, **kwargs)


def linear_data(rng, n=120):
    """``n`` rows of 3 features and the target ``2 x0 - x1``, for :func:`small_trainer`."""
    x = rng.standard_normal((n, 3))
    return x, x[:, :1] * 2 - x[:, 1:2]
