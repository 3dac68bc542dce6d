import numpy as np
import pytest

TOL = 1e-6  # max relative error of analytic vs numerical gradients (float64)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def assert_gradients_ok(errors, tol=TOL):
    """Every relative error of a gradcheck report is below ``tol``."""
    bad = {k: v for k, v in errors.items() if not v < tol}
    assert not bad, f"gradient mismatch (relative error > {tol}): {bad}"
