"""Prediction methods every skscratch estimator shares (after its fit)."""

import numpy as np
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._inputs import as_tuple, cast, csr, reject_datetimes
from ._targets import ClassificationTarget, raw_output


def _is_classification(estimator):
    return estimator.task != "regression"


def _has_probabilities(estimator):
    """Whether ``predict_proba`` exists: a classifier's parameters, or a classifier's fit.

    A classifier whose ``task`` was set to "regression" after its fit keeps
    the method, so that calling it says what is wrong (:func:`check_fitted_task`).
    """
    fitted = estimator.__dict__.get("_fitted")
    return _is_classification(estimator) or isinstance(getattr(fitted, "target", None),
                                                        ClassificationTarget)


def check_fitted_task(estimator):
    """Raise ValueError when ``task`` no longer is the task the estimator was fitted for.

    Its network, outputs and classes are those of the fitted task: predicting
    (or continuing the fit) as the other one would be wrong.
    """
    classifier = isinstance(estimator._fitted.target, ClassificationTarget)
    if _is_classification(estimator) != classifier:
        fitted = "classification" if classifier else "regression"
        raise ValueError(
            f"task={estimator.task!r}, but this {type(estimator).__name__} was fitted for "
            f"{fitted}: its network and outputs are a "
            f"{'classifier' if classifier else 'regressor'}'s. Set task={fitted!r} back, or "
            "fit it again (warm_start=False) to train a new network for the new task.")


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
            largest = max(float(abs(a).max()) for a in as_tuple(X))
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
