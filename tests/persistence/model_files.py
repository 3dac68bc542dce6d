"""Model files as the persistence tests make and edit them."""

import json
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import skscratch


def fit_quietly(est, X, y):
    """``est.fit(X, y)`` without convergence warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def rewrite(src, dst, change):
    """Copy a model archive, letting ``change(arrays)`` edit its contents."""
    with np.load(src, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    change(arrays)
    with open(dst, "wb") as f:
        np.savez(f, **arrays)


def edit_header(edit):
    """A ``change`` for :func:`rewrite` applying ``edit(header)`` to the JSON header."""
    def change(arrays):
        header = json.loads(bytes(arrays["header"]).decode())
        edit(header)
        arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    return change


def first_layer(header):
    """The first layer's configuration in an estimator's header."""
    return header["network"]["model"]["config"]["layers"][0]


def wide_and_deep():
    """A functional model with two inputs, two outputs, a nested network and a shared layer."""
    from skscratch.layers import Concatenate, Dense, Dropout, Input
    wide, deep = Input((2,), name="wide"), Input((3,), name="deep")
    shared = Dense(4, "tanh")
    h = skscratch.Network([Dense(5, "relu"), Dropout(0.1), Dense(4, "tanh")])(deep)
    h = shared(shared(h))
    main = Dense(1, name="main")(Concatenate()([wide, h]))
    return skscratch.Model([wide, deep], [main, Dense(2, name="aux")(h)])
