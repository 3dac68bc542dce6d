"""`fit` for networks and models: Keras's ``fit``, checked, on top of `Trainer`.

Inputs are matched to the model's inputs (one array, a tuple, or a dict by
input name) and each target to its output through the output's loss, which
one-hot encodes integer labels for the softmax losses and refuses anything
that does not fit. Then one `Trainer` runs the epochs with one loss per
output and ``loss_weights``; ``validation_data`` adds ``val_loss`` (and each
output's) to every epoch's record.
"""

import numpy as np

from .layers.base import check_positive_int
from .losses import get_loss
from .model_inputs import model_inputs
from .optimizers import SGD, get_optimizer
from .training import Trainer, n_rows


def fit_model(model, x, y, *, loss="squared_error", loss_weights=None, optimizer="sgd",
              learning_rate=0.1, epochs=100, batch_size=32, shuffle=True, alpha=0.0,
              validation_data=None, callbacks=None, random_state=None, verbose=0):
    """Train a `Network` or `Model` for ``epochs`` epochs: what their ``fit`` runs.

    Parameters are those of :meth:`skscratch.Model.fit`. Inputs and targets
    are checked against the model's inputs and outputs first; the model is
    built on first use (float32 when every input is float32).

    Returns
    -------
    model : Network or Model
        With ``history``, one record per epoch.
    """
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    xs = model_inputs(model, x)
    rng = np.random.default_rng(random_state)
    if not model.built:
        dtype = np.float32 if all(a.dtype == np.float32 for a in xs) else np.float64
        model.build(_input_shape(model, xs), rng, dtype)
    multi_out = isinstance(model.output_shape, list)
    losses, weights, names = _output_losses(model, loss, loss_weights)
    X = _cast(xs, model.dtype)
    Y = _model_targets(model, losses, y, n_rows(X), model.dtype)
    evaluate = None if validation_data is None else _validation(
        model, losses, weights, names, validation_data)
    opt = (SGD(learning_rate, momentum=0.0) if isinstance(optimizer, str) and optimizer == "sgd"
           else get_optimizer(optimizer, learning_rate))
    trainer = Trainer(model, losses if multi_out else losses[0], opt, alpha=alpha,
                      batch_size=batch_size, shuffle=shuffle, rng=rng, tol=None,
                      verbose=verbose, loss_weights=weights, output_names=names,
                      callbacks=callbacks)
    state = trainer.fit(X, Y, max_epochs=epochs, evaluate=evaluate)
    model.history = state.history
    return model


def _input_shape(model, xs):
    shapes = [a.shape[1:] for a in xs]
    return shapes if isinstance(model.input_shape, list) else shapes[0]


def _cast(xs, dtype):
    xs = [a.astype(dtype, copy=False) for a in xs]
    return tuple(xs) if len(xs) > 1 else xs[0]


def _output_losses(model, loss, loss_weights):
    """One Loss per output, the loss weights, and the outputs' names."""
    shapes = model.output_shape if isinstance(model.output_shape, list) else [model.output_shape]
    names = getattr(model, "output_names", None) or ["output_0"]
    losses = [get_loss(item) for item in _per_output(loss, names, "loss")]
    if loss_weights is None:
        weights = [1.0] * len(names)
    elif isinstance(loss_weights, (list, tuple, dict)):
        weights = _per_output(loss_weights, names, "loss_weights")
    else:
        raise TypeError("loss_weights must be a list, tuple or dict of numbers, one per "
                        f"output; got {loss_weights!r}.")
    for w in weights:
        if isinstance(w, bool) or not isinstance(w, (int, float, np.number)) or not w >= 0:
            raise ValueError(f"loss_weights must be non-negative numbers; got {weights}.")
    for shape, name in zip(shapes, names):
        if len(shape) != 1:
            raise ValueError(f"Output {name!r} has samples of shape {shape}; losses compare "
                             "flat rows of values: end it with Flatten or Dense.")
    return losses, [float(w) for w in weights], names


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
    shapes = model.output_shape if isinstance(model.output_shape, list) else [model.output_shape]
    if isinstance(y, dict):
        ys = _per_output(y, model.output_names, "y")
    else:
        ys = list(y) if len(shapes) > 1 and isinstance(y, (list, tuple)) else [y]
    if len(ys) != len(shapes):
        raise ValueError(f"The model has {len(shapes)} outputs; y holds {len(ys)} target(s). "
                         "Pass a tuple with one target per output.")
    encoded = []
    for loss, target, shape in zip(losses, ys, shapes):
        target = np.asarray(target)
        if target.ndim == 0 or target.shape[0] != n:
            raise ValueError(f"y has {target.shape[0] if target.ndim else 0} samples; x has {n}.")
        encoded.append(loss.encode_target(target, shape[0], dtype))
    return tuple(encoded) if len(encoded) > 1 else encoded[0]


def _validation(model, losses, weights, names, validation_data):
    """``evaluate()`` for ``validation_data``: the validation losses, as Keras names them."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError("validation_data must be a tuple (x_val, y_val).")
    X = _cast(model_inputs(model, validation_data[0]), model.dtype)
    Y = _model_targets(model, losses, validation_data[1], n_rows(X), model.dtype)
    Ys = Y if isinstance(Y, tuple) else (Y,)

    def evaluate():
        """The validation losses of the current weights."""
        outputs = model.predict(X)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        values = [loss(out, target)[0] for loss, out, target in zip(losses, outputs, Ys)]
        record = {"val_loss": float(sum(w * v for w, v in zip(weights, values)))}
        if len(values) > 1:
            record.update({f"val_{name}_loss": float(v) for name, v in zip(names, values)})
        return record

    return evaluate
