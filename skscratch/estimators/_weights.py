"""``coefs_`` and ``intercepts_``: the fitted network's own weight arrays, assignable.

As in scikit-learn's MLP, the lists can be read, edited in place, assigned
whole or item by item; every assignment is checked (shapes, finiteness) and
copied into the network, all or nothing.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..layers.base import leaf_layers


class WeightList(list):
    """The network's own weight arrays; assigning an item copies into the network.

    So ``est.coefs_[0] = W`` sets the weights, as with scikit-learn's MLP,
    after the same shape and finiteness checks as assigning the whole list.

    Parameters
    ----------
    arrays : list of ndarray
        The network's arrays (views into its parameters).
    attribute : str
        ``"coefs_"`` or ``"intercepts_"``, for error messages.
    """

    def __init__(self, arrays, attribute):
        super().__init__(arrays)
        self.attribute = attribute

    def check(self, i, value):
        """``value`` as an array that may replace item ``i``; ValueError otherwise."""
        value, target = np.asarray(value), self[i]
        if value.dtype.kind in "iuf":
            with np.errstate(over="ignore"):
                value = value.astype(target.dtype)       # finite in the network's dtype
        if value.shape != target.shape or value.dtype.kind not in "iuf" or not (
                np.isfinite(value).all()):
            raise ValueError(f"{self.attribute}[{i}] must be a finite numeric array of shape "
                             f"{target.shape}; got shape {value.shape} and dtype {value.dtype}.")
        return value

    def __setitem__(self, i, value):
        if not isinstance(i, (int, np.integer)):
            raise TypeError(f"{self.attribute} items are set one index at a time.")
        np.copyto(self[i], self.check(i, value))


class WeightsMixin:
    """The ``coefs_`` and ``intercepts_`` properties of every skscratch estimator."""

    @property
    def coefs_(self):
        """Weight arrays of the Dense and Conv2D layers, in order (the network's own).

        Assigning a list of arrays of the same shapes copies them in (to set
        weights by hand, e.g. before ``partial_fit``).
        """
        return self._network_arrays("W")

    @coefs_.setter
    def coefs_(self, values):
        self._assign_arrays("W", values, "coefs_")

    @property
    def intercepts_(self):
        """Bias vectors of the Dense and Conv2D layers, in order (the network's own).

        Assignable like :attr:`coefs_`.
        """
        return self._network_arrays("b")

    @intercepts_.setter
    def intercepts_(self, values):
        self._assign_arrays("b", values, "intercepts_")

    def _network_arrays(self, name):
        check_is_fitted(self)
        arrays = [leaf.params[name] for leaf in leaf_layers(self.network_) if name in leaf.params]
        return WeightList(arrays, "coefs_" if name == "W" else "intercepts_")

    def _assign_arrays(self, name, values, attribute):
        """Copy ``values`` into the network's arrays, after checking every shape."""
        targets = self._network_arrays(name)
        values = list(values)
        if len(values) != len(targets):
            raise ValueError(f"{attribute} needs {len(targets)} arrays; got {len(values)}.")
        checked = [targets.check(i, v) for i, v in enumerate(values)]
        for t, v in zip(targets, checked):
            np.copyto(t, v)
