"""Keras's ``compile`` / ``fit`` / ``evaluate`` for networks and models, on top of `Trainer`.

``compile`` records a loss per output, loss weights, metrics and an
optimizer (by Keras's name with Keras's defaults, or an instance).
``fit`` matches inputs to the model's inputs (one array, a tuple, or a dict
by input name) and each target to its output through the output's loss,
which one-hot encodes integer labels for the softmax losses and refuses
anything that does not fit; one `Trainer` then runs the epochs, and
``validation_data`` adds ``val_loss`` and the validation metrics to every
epoch's record. ``evaluate`` computes the same quantities on any data.
"""

import numpy as np

from .callbacks import History
from .callbacks.base import check_flag, check_keras_verbose, trainer_verbosity
from .layers.base import as_list, check_positive_int
from .losses import LOSSES, get_loss
from .metrics import OutputMetrics, check_metrics, metric_names
from .optimizers import SGD, Optimizer, get_optimizer
from .random_state import as_generator
from .rollback import Snapshot
from .training import Trainer, model_inputs, n_rows, take_rows

# what fit trains with when neither compile nor fit names it: the tutorials' plain
# gradient descent on the squared error
TUTORIAL_LOSS, TUTORIAL_RATE = "squared_error", 0.1

class Compiled:
    """What ``compile`` (or a ``fit`` naming them) set: losses, weights, metrics, optimizer.

    Parameters
    ----------
    model : Network or Model
    loss, loss_weights, metrics :
        As :meth:`skscratch.Model.compile` takes them.
    optimizer : Optimizer
    """

    def __init__(self, model, loss, loss_weights, metrics, optimizer):
        self.names = list(model.output_names)
        self.loss, self.loss_weights, self.metrics = loss, loss_weights, metrics
        self.losses = [get_loss(item) for item in _per_output(loss, self.names, "loss")]
        self.weights = _loss_weights(loss_weights, self.names)
        check_metrics(metrics, self.names)
        self.optimizer = optimizer

    def get_config(self):
        """The losses, loss weights and metrics as JSON-ready data (model files keep them)."""
        return {"loss": [{"name": LOSSES.name_of(loss), "config": loss.get_config()}
                         for loss in self.losses],
                "loss_weights": list(self.weights), "metrics": metric_names(self.metrics)}

    def heads(self, model):
        """Each output's width, and whether its loss reads its logits (ValueError if unfit)."""
        shapes = _output_shapes(model)
        for shape, name in zip(shapes, self.names):
            if len(shape) != 1:
                raise ValueError(f"Output {name!r} has samples of shape {shape}; losses compare "
                                 "flat rows of values: end it with Flatten or Dense.")
        widths = [shape[0] for shape in shapes]
        logits = [loss.takes_logits(a, w, name) for loss, a, w, name in
                  zip(self.losses, model.output_activations, widths, self.names)]
        return widths, logits

    def output_metrics(self, model):
        """A fresh :class:`~skscratch.metrics.OutputMetrics` for this model's outputs."""
        widths, logits = self.heads(model)
        return OutputMetrics(self.metrics, self.losses, self.names, widths,
                             model.output_activations, logits)


def compile_model(model, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None):
    """What :meth:`skscratch.Model.compile` runs: check and record the training setup.

    Parameters are those of :meth:`skscratch.Model.compile`.
    """
    if loss is None:
        raise ValueError("compile needs a loss: a name such as 'mse' or "
                         "'sparse_categorical_crossentropy', a Loss, or one per output.")
    compiled = Compiled(model, loss, loss_weights, metrics, get_optimizer(optimizer))
    if model.built:
        compiled.output_metrics(model)            # unfit losses and metrics fail here
    model.optimizer, model.compiled = compiled.optimizer, compiled


def fit_model(model, x, y, *, batch_size=32, epochs=100, verbose=0, callbacks=None,
              validation_split=0.0, validation_data=None, shuffle=True, sample_weight=None,
              loss=None, loss_weights=None, optimizer=None, learning_rate=None, metrics=None,
              alpha=0.0, random_state=None):
    """Train a `Network` or `Model` for ``epochs`` epochs: what their ``fit`` runs.

    Parameters are those of :meth:`skscratch.Model.fit`. Inputs and targets
    are checked against the model's inputs and outputs first; the model is
    built on first use (float32 when every input is float32).

    Returns
    -------
    model : Network or Model
        With ``history``, a :class:`~skscratch.callbacks.History`.
    """
    with _call_snapshot(model, optimizer, random_state, callbacks):
        verbose = trainer_verbosity(verbose, "fit's verbose")
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        alpha = _non_negative(alpha, "alpha")
        xs = model_inputs(model, x)
        rng = as_generator(random_state)
        dtype = model.dtype if model.built else (
            np.float32 if all(a.dtype == np.float32 for a in xs) else np.float64)
        model.check_training_memory(_input_shape(model, xs), batch_size, dtype, len(xs[0]))
        if not model.built:
            model.build(_input_shape(model, xs), rng, dtype)
        compiled = _setup(model, loss, loss_weights, optimizer, learning_rate, metrics)
        X, Y, weights, evaluate = _fit_data(model, compiled, xs, y, sample_weight,
                                            validation_split, validation_data)
        trainer = Trainer(model, compiled.losses if len(compiled.names) > 1
                          else compiled.losses[0], compiled.optimizer, alpha=alpha,
                          batch_size=batch_size, shuffle=shuffle, rng=rng, tol=None,
                          verbose=verbose, loss_weights=compiled.weights,
                          output_names=compiled.names, callbacks=callbacks,
                          metrics=compiled.metrics)
        state = trainer.fit(X, Y, weights, max_epochs=epochs, evaluate=evaluate,
                            rollback=False)           # the call's snapshot covers it
        model.history = History(state.history, trainer._params())
    return model


def _call_snapshot(model, optimizer, random_state, callbacks):
    """What a fit may change, put back if it fails (:class:`~skscratch.rollback.Snapshot`).

    The model (its layers, weights, compiled setup, optimizer and history),
    the optimizers it may step, the random source and the callbacks: a
    failed or interrupted fit leaves them exactly as they were.
    """
    return Snapshot(model, *_trained_optimizers(model, optimizer), _random_source(random_state),
                    callbacks=as_list(callbacks)[0])


def _fit_data(model, compiled, xs, y, sample_weight, validation_split, validation_data):
    """Inputs, encoded targets and weights of a fit in the model's dtype, and its evaluate()."""
    X = _cast(xs, model.dtype)
    Y = _model_targets(model, compiled.losses, y, n_rows(X), model.dtype)
    weights = _sample_weight(sample_weight, n_rows(X), model.dtype)
    if validation_split:
        if validation_data is not None:
            raise ValueError("Pass validation_data or validation_split, not both.")
        (X, Y, weights), validation_data = _split(X, Y, weights, validation_split)
    evaluate = None if validation_data is None else _validation(model, compiled,
                                                                validation_data)
    return X, Y, weights, evaluate


def _random_source(random_state):
    """The generator a fit draws from and advances (NumPy's global one for None)."""
    if random_state is None:
        return np.random.mtrand._rand
    return random_state if isinstance(random_state, (np.random.Generator,
                                                     np.random.RandomState)) else None


def _trained_optimizers(model, optimizer):
    """The optimizers a fit may step in place: the model's (compiled) one, or one given."""
    found = [getattr(model, "optimizer", None),
             getattr(getattr(model, "compiled", None), "optimizer", None), optimizer]
    return list({id(o): o for o in found if isinstance(o, Optimizer)}.values())


def evaluate_model(model, x, y, *, batch_size=None, verbose=0, sample_weight=None,
                   return_dict=False):
    """What :meth:`skscratch.Model.evaluate` runs: the loss(es) and metrics on ``(x, y)``.

    Returns
    -------
    result : float, list of float, or dict
        The loss alone when there is nothing else; else ``[loss, *output
        losses, *metrics]`` (the weighted total first), or a dict by key.
    """
    verbose = check_keras_verbose(verbose, "evaluate's verbose")
    return_dict = check_flag(return_dict, "evaluate's return_dict")
    compiled = getattr(model, "compiled", None)
    if compiled is None:
        raise RuntimeError(f"This {type(model).__name__} has no loss to evaluate: call "
                           "compile(loss=..., metrics=...) (or fit) first.")
    model._check_built()
    X = _cast(model_inputs(model, x), model.dtype)
    Y = _model_targets(model, compiled.losses, y, n_rows(X), model.dtype)
    weights = _sample_weight(sample_weight, n_rows(X), model.dtype)
    values = evaluation(model, compiled, X, Y, weights, batch_size)
    if verbose:
        print(" - ".join(f"{k}: {v:.4f}" for k, v in values.items()), flush=True)
    if return_dict:
        return values
    return list(values.values()) if len(values) > 1 else values["loss"]


def evaluation(model, compiled, X, Y, sample_weight=None, batch_size=None, prefix=""):
    """``{loss, <output>_loss..., metrics...}`` of the model as it is on ``(X, Y)``.

    The loss is each output's (weighted mean over samples) loss weighted by
    ``loss_weights``, without the L2 penalty; metrics are averaged over all
    samples at once.
    """
    widths, logits = compiled.heads(model)
    multi = len(compiled.names) > 1
    outputs = model.predict(X, batch_size=batch_size, logits=logits if multi else logits[0])
    outputs, targets = (list(outputs), list(Y)) if multi else ([outputs], [Y])
    values = [loss(out, target, sample_weight)[0] for loss, out, target in
              zip(compiled.losses, outputs, targets)]
    result = {prefix + "loss": float(sum(w * v for w, v in zip(compiled.weights, values)))}
    if multi:
        result.update({f"{prefix}{name}_loss": float(v) for name, v in
                       zip(compiled.names, values)})
    metrics = compiled.output_metrics(model)
    if metrics:
        metrics.update(outputs, targets, sample_weight)
        result.update(metrics.results(prefix))
    return result


def _setup(model, loss, loss_weights, optimizer, learning_rate, metrics):
    """The fit's :class:`Compiled`: compile's, with what ``fit`` names on top.

    What ``fit`` names becomes the model's setup (``evaluate`` uses it); a
    named optimizer (or learning rate) is a new one, the compiled optimizer
    otherwise (its state carries on from fit to fit, as in Keras).
    """
    compiled = getattr(model, "compiled", None)
    if optimizer is not None:
        opt = get_optimizer(optimizer, learning_rate)
    elif learning_rate is not None:
        if compiled is not None:
            raise ValueError("This model is compiled with an optimizer: pass optimizer= with "
                             "learning_rate, or set model.optimizer.learning_rate.")
        opt = SGD(learning_rate)
    else:
        opt = compiled.optimizer if compiled is not None else SGD(TUTORIAL_RATE)
    base = compiled or Compiled(model, TUTORIAL_LOSS, None, None, opt)
    setup = Compiled(model, base.loss if loss is None else loss,
                     base.loss_weights if loss_weights is None else loss_weights,
                     base.metrics if metrics is None else metrics, opt)
    setup.output_metrics(model)                   # unfit losses and metrics fail before training
    model.optimizer, model.compiled = opt, setup
    return setup


def _output_shapes(model):
    return model.output_shape if isinstance(model.output_shape, list) else [model.output_shape]


def _input_shape(model, xs):
    shapes = [a.shape[1:] for a in xs]
    return shapes if isinstance(model.input_shape, list) else shapes[0]


def _cast(xs, dtype):
    xs = [a.astype(dtype, copy=False) for a in xs]
    return tuple(xs) if len(xs) > 1 else xs[0]


def _non_negative(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a number; got {value!r}.")
    # an int beyond float64's range is compared exactly, never converted to raise OverflowError
    if not 0 <= value < float(np.finfo(np.float64).max):
        raise ValueError(f"{name} must be a non-negative finite number; got {value!r}.")
    return float(value)


def _loss_weights(loss_weights, names):
    """One finite non-negative weight per output (all 1 by default)."""
    if loss_weights is None:
        return [1.0] * len(names)
    if not isinstance(loss_weights, (list, tuple, dict)):
        raise TypeError("loss_weights must be a list, tuple or dict of numbers, one per "
                        f"output; got {loss_weights!r}.")
    weights = _per_output(loss_weights, names, "loss_weights")
    for w in weights:
        if isinstance(w, bool) or not isinstance(w, (int, float, np.number)) \
                or not 0 <= w < np.inf:
            raise ValueError(f"loss_weights must be finite non-negative numbers; got "
                             f"{list(weights)}.")
    if not any(weights):
        raise ValueError(f"loss_weights are all 0: nothing would be trained; got "
                         f"{list(weights)}.")
    return [float(w) for w in weights]


def _per_output(value, names, what):
    """``value`` for every output, from one value, a list or a dict by output name."""
    if isinstance(value, dict):
        if set(value) != set(names):
            raise ValueError(f"{what} has keys {sorted(map(str, value))}; the outputs are "
                             f"named {names}.")
        return [value[n] for n in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(f"{what} has {len(value)} entries for {len(names)} output(s).")
        return list(value)
    return [value] * len(names)


def _model_targets(model, losses, y, n, dtype):
    """Each output's target, checked and encoded by its loss."""
    shapes = _output_shapes(model)
    if isinstance(y, dict):
        ys = _per_output(y, model.output_names, "y")
    else:
        ys = list(y) if len(shapes) > 1 and isinstance(y, (list, tuple)) else [y]
    if len(ys) != len(shapes):
        raise ValueError(f"The model has {len(shapes)} outputs; y holds {len(ys)} target(s). "
                         "Pass a tuple with one target per output.")
    if n == 0:
        raise ValueError("x holds no samples: there is nothing to train or evaluate on.")
    encoded = []
    for loss, target, shape in zip(losses, ys, shapes):
        target = np.asarray(target)
        if target.ndim == 0 or target.shape[0] != n:
            raise ValueError(f"y has {target.shape[0] if target.ndim else 0} samples; x has {n}.")
        encoded.append(loss.encode_target(target, shape[0], dtype))
    return tuple(encoded) if len(encoded) > 1 else encoded[0]


def _sample_weight(sample_weight, n, dtype):
    """Checked per-sample weights (None stays None)."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight)
    if w.shape != (n,) or w.dtype.kind not in "iuf":
        raise ValueError(f"sample_weight must hold one number per sample, shape ({n},); got "
                         f"shape {w.shape} and dtype {w.dtype}.")
    if not (np.isfinite(w).all() and (w >= 0).all() and w.sum() > 0):
        raise ValueError("sample_weight must be finite, non-negative and not all 0.")
    return w.astype(dtype, copy=False)


def _split(X, Y, weights, fraction):
    """Keras's ``validation_split``: the last ``fraction`` of the samples, before shuffling."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) \
            or not 0 < fraction < 1:
        raise ValueError(f"validation_split must lie in (0, 1); got {fraction!r}.")
    n = n_rows(X)
    cut = n - int(round(n * fraction))
    if not 0 < cut < n:
        raise ValueError(f"validation_split={fraction} of {n} samples leaves an empty part.")
    train, held = slice(0, cut), slice(cut, n)
    split_weights = None if weights is None else weights[held]
    return ((take_rows(X, train), take_rows(Y, train),
             None if weights is None else weights[train]),
            _Encoded(take_rows(X, held), take_rows(Y, held), split_weights))


class _Encoded(tuple):
    """Validation data already checked and encoded (from ``validation_split``)."""

    def __new__(cls, X, Y, weights):
        return super().__new__(cls, (X, Y, weights))


def _validation(model, compiled, validation_data):
    """``evaluate()`` for ``validation_data``: its losses and metrics, as Keras names them."""
    if isinstance(validation_data, _Encoded):
        X, Y, weights = validation_data
    else:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or "
                             "(x_val, y_val, sample_weight_val).")
        X = _cast(model_inputs(model, validation_data[0]), model.dtype)
        Y = _model_targets(model, compiled.losses, validation_data[1], n_rows(X), model.dtype)
        weights = _sample_weight(validation_data[2] if len(validation_data) == 3 else None,
                                 n_rows(X), model.dtype)

    def evaluate():
        """The validation losses and metrics of the current weights."""
        return evaluation(model, compiled, X, Y, weights, prefix="val_")

    return evaluate
