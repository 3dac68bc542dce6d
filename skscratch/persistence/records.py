"""The header's records read as the JSON types they were written as, never coerced.

``bool("no")`` is True and ``int(4.7)`` is 4: a tampered value coerced
that way loads a model that is not the file's. Each reader here takes one
kind of value (a flag, a count, a shape, the training record, the random
generator's state) and refuses anything else with a ValueError naming the
field.
"""

import math

import numpy as np

from ..training import TrainingState
from .format import STATE_FIELDS


def training_state(spec):
    """The saved training record, each field of the type training reads it as."""
    values = {name: spec[name] for name in STATE_FIELDS}

    def number(v):
        """Whether ``v`` is a JSON number (not a bool)."""
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    counts = [values[k] for k in ("n_iter", "t", "no_improvement_count")]
    if not (all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**62
                for v in counts)
            and all(isinstance(values[k], list) and all(number(v) for v in values[k])
                    for k in ("loss_curve", "validation_scores"))
            and number(values["best_loss"]) and number(values["best_validation_score"])
            # training refuses non-finite losses: a NaN here would stop early stopping
            and all(math.isfinite(v) for v in values["loss_curve"])
            and not math.isnan(values["best_loss"])
            and isinstance(values["history"], list)
            and all(isinstance(r, dict) for r in values["history"])):
        raise ValueError("The model file's training record is malformed.")
    return TrainingState(**{k: float(v) if k.startswith("best_") else v
                            for k, v in values.items()})


def rng_state(spec):
    """A generator in the saved state: PCG64's (``default_rng``), every field in range.

    NumPy's setter coerces what it is given (a state of 1.5 became 1, a
    ``has_uint32`` of 5 was taken), so a tampered state would continue
    training on another random stream; each field is read as the integer
    it was written as.
    """
    fields = {"bit_generator", "state", "has_uint32", "uinteger"}
    if not (isinstance(spec, dict) and set(spec) == fields and spec["bit_generator"] == "PCG64"
            and isinstance(spec["state"], dict) and set(spec["state"]) == {"state", "inc"}):
        raise ValueError(f"The model file's random-generator state is malformed: {spec!r:.200}")
    for key in ("state", "inc"):
        count(spec["state"][key], f"generator's {key}", 0, 2**128 - 1)
    count(spec["has_uint32"], "generator's has_uint32", 0, 1)
    count(spec["uinteger"], "generator's uinteger", 0, 2**32 - 1)
    rng = np.random.default_rng()
    rng.bit_generator.state = spec
    return rng


def flag(value, what):
    """A JSON boolean of the header; ValueError for anything else (``"no"`` is not False)."""
    if not isinstance(value, bool):
        raise ValueError(f"The model file's {what} is {value!r}; expected true or false.")
    return value


def count(value, what, low=0, high=2**62):
    """A JSON integer of the header in ``[low, high]``; ValueError for 4.0, true, "4"..."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"The model file's {what} is {value!r}; expected an integer from "
                         f"{low:,} to {high:,}.")
    return value


def dims(value, what):
    """A JSON list of positive integers as a shape tuple: ``[8, 8, 1]`` -> ``(8, 8, 1)``."""
    if not isinstance(value, list):
        raise ValueError(f"The model file's {what} is {value!r}; expected a list of sizes.")
    return tuple(count(d, what, 1, 2**31 - 1) for d in value)
