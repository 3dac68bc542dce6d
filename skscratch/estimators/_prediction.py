"""What every fitted skscratch estimator offers: prediction (``predict``,
``predict_proba``, ``predict_log_proba``, ``score``), and scikit-learn's
``coefs_`` and ``intercepts_`` read from and written to the network's weights.
"""

import numpy as np
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ..layers.base import as_list, leaf_layers
from ._data import (
    ClassificationTarget,
    cast,
    check_fitted_task,
    csr,
    is_classification,
    raw_output,
    reject_datetimes,
)


def _has_probabilities(estimator):
    """Whether ``predict_proba`` exists: a classifier's parameters, or a classifier's fit.

    A classifier whose ``task`` was set to "regression" after its fit keeps
    the method, so that calling it says what is wrong (:func:`check_fitted_task`).
    """
    fitted = estimator.__dict__.get("_fitted")
    return is_classification(estimator) or isinstance(getattr(fitted, "target", None),
                                                        ClassificationTarget)


class PredictionMixin:
    """``predict``, ``predict_proba``, ``predict_log_proba`` and ``score``.

    They validate ``X`` as the fit did, run the fitted network in chunks of
    bounded memory, and decode its raw outputs with the fitted target.
    """

    def _validated_rows(self, X, dtype):
        """``X`` checked against the fit's features and shaped for the network, in ``dtype``."""
        reject_datetimes(X)
        X, sample_shape = self._flatten_input(X)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32),
                          accept_sparse=self._sparse_formats)
        return cast(self._shape_input(csr(X), sample_shape, reset=False), dtype)

    def _raw_output(self, X):
        target = self._target_of_fitted()
        X = self._validated_rows(X, self.network_.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            raw = raw_output(self.network_, target, X)
        if not np.isfinite(raw).all():
            largest = max(float(abs(a).max()) for a in as_list(X, tuple)[0])
            raise ValueError(
                "The network's outputs overflowed: X holds values too large for this "
                f"{self.network_.dtype} model (largest magnitude "
                f"{largest:.3g}). Scale the inputs, e.g. StandardScaler.")
        return raw

    def predict(self, X):
        """Predict class labels (classification) or values (regression).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        return self._target_of_fitted().decode(self._raw_output(X))

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        """Class probabilities (classification only).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            For multilabel targets, each label's own probability.
        """
        return self._target_of_fitted().proba(self._raw_output(X))

    @available_if(_has_probabilities)
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (classification only).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return self._target_of_fitted().log_proba(self._raw_output(X))

    def score(self, X, y, sample_weight=None):
        """Accuracy for classification, R² for regression.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        score : float
        """
        return self._target_of_fitted().score(y, self.predict(X), sample_weight)

    def _target_of_fitted(self):
        check_is_fitted(self)
        check_fitted_task(self)
        return self._fitted.target


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
