"""Metrics: quantities logged beside the loss, by name as in Keras's ``compile(metrics=...)``.

A metric is averaged over an epoch's samples (weighted by ``sample_weight``
when given), as Keras averages it: during training from each batch's
forward pass, on ``validation_data`` and in ``evaluate`` from the whole set.
Each compares an output's encoded targets (one-hot rows for class labels,
0/1 for binary) with the output's predictions.

``"accuracy"`` (or ``"acc"``) picks its form from the output's loss, as
Keras does: binary accuracy for a sigmoid cross-entropy (one value per
label, thresholded at 0.5), categorical accuracy (the arg-max) for a
softmax cross-entropy. Metrics are logged under the name they were asked
by, Keras's class names in snake case (``"RootMeanSquaredError"`` logs
``root_mean_squared_error``); with several outputs each output's metric is
``<output>_<metric>``.
"""

import math
import re

import numpy as np

from .layers.activations import get_activation
from .layers.base import as_list
from .registry import Registry

METRICS = Registry("metric", aliases={
    "acc": "accuracy", "mae": "mean_absolute_error", "mse": "mean_squared_error",
    "rmse": "root_mean_squared_error"})


class Metric:
    """A per-sample quantity averaged over samples: accumulate batches, then read the mean.

    Subclasses define :meth:`per_sample`; :meth:`result` may transform the
    mean (the root of a mean square).

    Attributes
    ----------
    needs_probabilities : bool
        Whether predictions must be the output's activated values; False
        when logits serve as well (an arg-max, a threshold at 0).
    """

    needs_probabilities = True

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget what was accumulated (a new epoch or evaluation starts)."""
        self.total = self.weight = 0.0

    def per_sample(self, target, prediction, logits):
        """The metric of each sample, shape ``(n,)``.

        Parameters
        ----------
        target : ndarray of shape (n, k)
            Encoded targets.
        prediction : ndarray of shape (n, k)
            The output's values, or its logits when ``logits``.
        logits : bool
        """
        raise NotImplementedError

    def update(self, target, prediction, sample_weight=None, logits=False):
        """Add a batch's samples to the running mean."""
        values = self.per_sample(target, prediction, logits)
        if sample_weight is None:
            self.total += float(values.sum())
            self.weight += values.shape[0]
        else:
            self.total += float(sample_weight @ values)
            self.weight += float(sample_weight.sum())

    def result(self):
        """The mean over what was accumulated (NaN when nothing was)."""
        return self.total / self.weight if self.weight else float("nan")

    def check_output(self, loss, width, name, output):
        """Raise ValueError when this metric cannot be read off ``output`` (Keras would guess).

        Parameters
        ----------
        loss : Loss
            The output's loss.
        width : int
            Values per sample of the output.
        name : str
            The metric's name, for the message.
        output : str
            The output's name, for the message.
        """


@METRICS.register("accuracy")
class Accuracy(Metric):
    """Keras's ``"accuracy"``: binary for sigmoid outputs, categorical for softmax ones.

    Parameters
    ----------
    form : {"binary", "categorical", None}, default=None
        None: chosen from the output's loss when the metric is attached.
    """

    needs_probabilities = False

    def __init__(self, form=None):
        self.form = form
        super().__init__()

    def check_output(self, loss, width, name, output):
        form = self.form or _accuracy_form(loss, width)
        if form is None:
            raise ValueError(
                f"{name!r} compares classes, but output {output!r} is trained with the "
                f"regression loss {type(loss).__name__}: use 'mae', 'mse' or 'rmse'.")
        if form == "categorical" and width < 2:
            raise ValueError(f"{name!r} compares the arg-max of several class outputs; output "
                             f"{output!r} has one value per sample: use 'binary_accuracy'.")
        self.form = form

    def per_sample(self, target, prediction, logits):
        if self.form == "categorical":
            return (prediction.argmax(axis=1) == target.argmax(axis=1)).astype(np.float64)
        predicted = prediction > (0.0 if logits else 0.5)
        return (predicted == (target > 0.5)).mean(axis=1)


def _accuracy_form(loss, width):
    """Keras's choice of accuracy for an output trained with ``loss``."""
    kind = loss.probability_activation(width)
    return {"logistic": "binary", "softmax": "categorical"}.get(kind)


@METRICS.register("binary_accuracy")
class BinaryAccuracy(Accuracy):
    """The share of values on the right side of 0.5 (of 0 for logits), averaged over outputs."""

    def __init__(self):
        super().__init__("binary")


@METRICS.register("categorical_accuracy")
class CategoricalAccuracy(Accuracy):
    """Whether the arg-max of the outputs is the target's class (one-hot or integer labels)."""

    def __init__(self):
        super().__init__("categorical")


METRICS.aliases["sparse_categorical_accuracy"] = "categorical_accuracy"


@METRICS.register("mean_absolute_error")
class MeanAbsoluteError(Metric):
    """``mean(|target - prediction|)`` over outputs, then over samples."""

    def per_sample(self, target, prediction, logits):
        return np.abs(target - prediction).mean(axis=1)


@METRICS.register("mean_squared_error")
class MeanSquaredError(Metric):
    """``mean((target - prediction) ** 2)`` over outputs, then over samples."""

    def per_sample(self, target, prediction, logits):
        diff = target - prediction
        return (diff * diff).mean(axis=1)


@METRICS.register("root_mean_squared_error")
class RootMeanSquaredError(MeanSquaredError):
    """The root of the mean squared error over all samples (not a mean of batch roots)."""

    def result(self):
        return math.sqrt(super().result())


def metric_key(name):
    """The key a metric is logged under: Keras's class names in snake case."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def get_metric(name):
    """A new :class:`Metric` from a name (Keras's names and class names) or an instance.

    Parameters
    ----------
    name : str or Metric
        ``"accuracy"`` (``"acc"``), ``"binary_accuracy"``,
        ``"categorical_accuracy"``, ``"sparse_categorical_accuracy"``,
        ``"mae"`` / ``"mean_absolute_error"`` / ``"MeanAbsoluteError"``,
        ``"mse"``, ``"rmse"`` / ``"RootMeanSquaredError"``, ...

    Returns
    -------
    metric : Metric
    """
    if isinstance(name, Metric):
        return name
    if not isinstance(name, str):
        raise TypeError(f"A metric is a name (such as 'accuracy' or 'mae') or a Metric; "
                        f"got {name!r}.")
    return METRICS.get_class(metric_key(name))()


class OutputMetrics:
    """The metrics of every output of a model, accumulated together.

    Parameters
    ----------
    metrics : None, list, or list/dict per output
        One list applied to every output (Keras's ``metrics=["mae"]``), a
        list with one list per output, or a dict by output name.
    losses : list of Loss
        Each output's loss (which accuracy an output gets, and whether the
        loss reads its logits).
    names : list of str
        The outputs' names (keys are prefixed with them when there are
        several outputs).
    widths : list of int
        Values per sample of each output.
    activations : list of str or None
        The activation each output applies last, applied to logits before a
        metric that needs probabilities.
    logits : list of bool
        Whether each output's predictions arrive as logits.
    """

    def __init__(self, metrics, losses, names, widths, activations, logits):
        per_output = _metrics_per_output(metrics, names)
        self.entries = []
        for k, items in enumerate(per_output):
            for item in items:
                metric = get_metric(item)
                label = metric_key(item if isinstance(item, str) else type(metric).__name__)
                metric.check_output(losses[k], widths[k], label, names[k])
                key = label if len(names) == 1 else f"{names[k]}_{label}"
                self.entries.append((k, key, metric))
        self.activate = [get_activation(a)[0] if flag and a else None
                         for a, flag in zip(activations, logits)]
        self.logits = list(logits)

    def __bool__(self):
        return bool(self.entries)

    @property
    def keys(self):
        """The logged keys, in order."""
        return [key for _, key, _ in self.entries]

    def reset(self):
        """Start a new epoch (or evaluation)."""
        for _, _, metric in self.entries:
            metric.reset()

    def update(self, outputs, targets, sample_weight=None):
        """Add a batch: ``outputs`` and ``targets`` are lists with one array per output."""
        activated = {}
        for k, _, metric in self.entries:
            prediction, logits = outputs[k], self.logits[k]
            if logits and metric.needs_probabilities:
                if k not in activated:
                    activated[k] = self.activate[k](prediction)
                prediction, logits = activated[k], False
            metric.update(targets[k], prediction, sample_weight, logits)

    def results(self, prefix=""):
        """``{prefix + key: value}`` of every metric."""
        return {prefix + key: metric.result() for _, key, metric in self.entries}


def check_metrics(metrics, names):
    """Raise the error a ``metrics`` argument earns from its form and names alone.

    ``compile`` runs this whether or not the model is built: an unknown
    name or a malformed list fails there, while whether each metric fits its
    output waits for the output's width (:class:`OutputMetrics`).

    Parameters
    ----------
    metrics : None, list, or list/dict per output
        As :class:`OutputMetrics` takes it.
    names : list of str
        The outputs' names.
    """
    for items in _metrics_per_output(metrics, names):
        for item in items:
            get_metric(item)


def metric_names(metrics):
    """``metrics`` (Keras's forms) with each Metric object replaced by its registered name."""
    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return {k: metric_names(as_list(v)[0]) for k, v in metrics.items()}
    return [metric_names(m) if isinstance(m, (list, tuple))
            else m if isinstance(m, str) else METRICS.name_of(m) for m in metrics]


def _metrics_per_output(metrics, names):
    """One list of metrics per output, from Keras's forms."""
    if metrics is None:
        return [[] for _ in names]
    if isinstance(metrics, dict):
        unknown = sorted(set(metrics) - set(names))
        if unknown:
            raise ValueError(f"metrics names outputs {unknown}; the outputs are {names}.")
        return [as_list(metrics.get(n, []))[0] for n in names]
    if not isinstance(metrics, (list, tuple)):
        raise TypeError(f"metrics must be a list of metric names (or one list per output); "
                        f"got {metrics!r}.")
    if metrics and all(isinstance(m, (list, tuple)) for m in metrics):
        if len(metrics) != len(names):
            raise ValueError(f"metrics has {len(metrics)} lists for {len(names)} outputs.")
        return [list(m) for m in metrics]
    return [list(metrics) for _ in names]

