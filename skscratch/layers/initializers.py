"""Weight initialisation: Glorot (Xavier) and He, uniform."""

import numpy as np

INITIALIZERS = ("auto", "glorot_uniform", "he_uniform")
HE_ACTIVATIONS = frozenset({"relu", "leaky_relu", "elu"})


def check_initializer(name):
    """Validate a ``kernel_initializer`` name."""
    if name not in INITIALIZERS:
        raise ValueError(f"kernel_initializer must be one of {INITIALIZERS}; got {name!r}.")
    return name


def uniform_weights(rng, shape, fan_in, fan_out, initializer, activation, dtype):
    """Weights drawn from ``U(-limit, limit)``.

    Glorot: ``limit = sqrt(6 / (fan_in + fan_out))`` keeps the variance of
    activations and gradients steady through tanh/sigmoid layers. He:
    ``limit = sqrt(6 / fan_in)`` makes up for ReLU zeroing half its inputs.
    "auto" picks He for the ReLU family and Glorot otherwise.

    Parameters
    ----------
    rng : numpy.random.Generator
    shape : tuple of int
    fan_in, fan_out : int
    initializer : {"auto", "glorot_uniform", "he_uniform"}
    activation : str
        The activation that follows, for "auto".
    dtype : numpy dtype

    Returns
    -------
    weights : ndarray of ``shape``
    """
    he = initializer == "he_uniform" or (initializer == "auto" and activation in HE_ACTIVATIONS)
    limit = np.sqrt(6.0 / (fan_in if he else fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)
