"""Random generators from ``random_state``: NumPy's global seed counts, as in scikit-learn.

``random_state=None`` draws the generator's seed from NumPy's global
``RandomState``, so ``np.random.seed(0)`` makes the weights a network is
built with (and everything else drawn) reproducible, as it does for
scikit-learn's estimators; an int seeds a new generator; a generator is used
as it is.
"""

import numpy as np


def as_generator(random_state):
    """A ``numpy.random.Generator`` for ``random_state``.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        None: seeded from NumPy's global ``RandomState`` (``np.random.seed``).
        A ``RandomState`` gives the seed (and advances).

    Returns
    -------
    generator : numpy.random.Generator
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None:
        random_state = np.random.mtrand._rand
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**31))
    try:
        return np.random.default_rng(random_state)
    except (TypeError, ValueError) as exc:
        # NumPy's own words ("SeedSequence expects int ...") do not say which argument
        raise type(exc)(f"random_state must be None, a non-negative int, a "
                        f"numpy.random.Generator or a RandomState; got {random_state!r}."
                        ) from None


def set_random_seed(seed):
    """Seed NumPy's global ``RandomState``: Keras's ``keras.utils.set_random_seed``.

    Everything skscratch draws with ``random_state=None`` (the weights a
    network is built with, shuffling, dropout, the estimators' streams as
    scikit-learn draws them) then repeats from run to run.

    Parameters
    ----------
    seed : int
        In ``[0, 2**32 - 1]``, the seeds NumPy's ``RandomState`` takes (Keras's
        ``set_random_seed`` refuses others through it too).
    """
    if (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
            or not 0 <= seed < 2**32):
        raise ValueError(f"seed must be an integer in [0, 2**32 - 1]; got {seed!r}.")
    np.random.seed(int(seed))
