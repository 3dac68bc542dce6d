"""Numerical gradients by central differences, and checkers built on them.

The analytic backward pass of a layer is right when, for a random upstream
gradient ``G``, it matches the numerical gradient of the scalar
``f(x) = sum(forward(x) * G)``: by the chain rule ``df/dx = backward(G)``.
A random ``G`` (rather than all ones) makes sign and transposition errors
visible. Run the checks in float64: central differences in float32 are too
noisy to prove anything.
"""

import numpy as np

from .layers.base import leaf_layers

DEFAULT_EPS = 1e-6


def numerical_gradient(f, x, eps=DEFAULT_EPS):
    """Gradient of the scalar function ``f`` at ``x`` by central differences.

    ``df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``, with truncation
    error O(eps**2). ``x`` is perturbed in place and restored.

    Parameters
    ----------
    f : callable
        ``f() -> float``, reading ``x`` (closing over it).
    x : ndarray of floating dtype
        The array to differentiate with respect to; modified then restored.
    eps : float, default=1e-6

    Returns
    -------
    grad : ndarray of the same shape as ``x``

    Examples
    --------
    >>> import numpy as np
    >>> from skscratch.gradcheck import numerical_gradient
    >>> x = np.array([1.0, 2.0])
    >>> np.round(numerical_gradient(lambda: float(np.sum(x ** 2)), x), 6)
    array([2., 4.])
    """
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"numerical_gradient needs a floating array; got dtype {x.dtype}.")
    grad = np.empty_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient needs a contiguous array it can perturb in place.")
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = f()
        flat[i] = original - eps
        minus = f()
        flat[i] = original
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """``||a - n|| / (||a|| + ||n||)``: 0 when equal, 1 when unrelated (0 if both are 0)."""
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / scale) if scale > 0 else 0.0


def check_layer_gradients(layer, x, grad_output=None, *, training=True, rng=None,
                          eps=DEFAULT_EPS):
    """Compare a layer's backward pass with numerical gradients.

    Parameters
    ----------
    layer : Layer
        A built layer.
    x : ndarray of shape ``(batch, *layer.input_shape)``
        Input; float64 is strongly advised.
    grad_output : ndarray, optional
        Upstream gradient dE/dY; random normal by default.
    training : bool, default=True
        Mode of the forward passes.
    rng : None, int or numpy.random.Generator
        For the default ``grad_output``.
    eps : float, default=1e-6

    Returns
    -------
    errors : dict of str to float
        Relative error for ``"input"`` and each parameter name.
    """
    x = np.array(x, dtype=layer.dtype or np.float64)
    if grad_output is None:
        shape = layer.forward(x, training=training).shape
        grad_output = np.random.default_rng(rng).standard_normal(shape)
    grad_output = np.asarray(grad_output, dtype=x.dtype)

    def _objective():
        return float(np.sum(layer.forward(x, training=training) * grad_output))

    layer.forward(x, training=training)
    # copies: in training mode a layer may reuse its gradient buffers between calls
    analytic = {"input": layer.backward(grad_output.copy()).copy()}
    analytic.update({k: g.copy() for k, g in layer.grads.items()})
    targets = {"input": x, **layer.params}
    return {k: relative_error(analytic[k], numerical_gradient(_objective, targets[k], eps))
            for k in targets}


def check_loss_gradient(loss, output, target, sample_weight=None, eps=DEFAULT_EPS):
    """Relative error between a loss's gradient and its numerical gradient.

    Parameters
    ----------
    loss : Loss
    output, target : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,), optional
    eps : float, default=1e-6

    Returns
    -------
    error : float
    """
    output = np.array(output, dtype=np.float64)
    _, analytic = loss(output, target, sample_weight)
    numeric = numerical_gradient(lambda: loss(output, target, sample_weight)[0], output, eps)
    return relative_error(analytic, numeric)


def check_network_gradients(network, loss, x, y, sample_weight=None, eps=DEFAULT_EPS,
                            loss_weights=None):
    """Compare a whole network's (or model's) back-propagation with numerical gradients.

    The objective is ``sum_k w_k * loss_k(output_k, y_k)`` over the outputs
    of ``network.forward(x, training=True)`` (a cross-entropy after its
    softmax or sigmoid output reads that output's logits, as training does:
    the same value, fused); every parameter of every leaf
    layer (shared layers once: their gradient is the sum over their calls),
    and every input, are checked.

    Parameters
    ----------
    network : Network or Model
        Built, without dropout (whose masks change every pass).
    loss : Loss, or list of Loss
        One per output for a model with several outputs.
    x : ndarray of shape ``(batch, *input_shape)``, or a list of them
    y : ndarray of shape (batch, n_outputs), or a list of them
    sample_weight : ndarray of shape (batch,), optional
    eps : float, default=1e-6
    loss_weights : list of float, optional
        Weight of each output's loss (all 1 by default).

    Returns
    -------
    errors : dict of str to float
        ``"input"`` (or ``"input.<i>"`` for several inputs) and
        ``"<leaf index>.<param name>"`` to relative error, leaves numbered
        in the order of :func:`skscratch.layers.base.leaf_layers`.
    """
    multi_in, multi_out = isinstance(x, (list, tuple)), isinstance(loss, (list, tuple))
    xs = [np.array(a, dtype=network.dtype) for a in (x if multi_in else [x])]
    losses, ys = (list(loss), list(y)) if multi_out else ([loss], [y])
    weights = [1.0] * len(losses) if loss_weights is None else list(loss_weights)
    # a cross-entropy after its softmax (sigmoid) output reads the logits, as in training
    logits = [f.takes_logits(a, t.shape[1]) for f, a, t in
              zip(losses, network.output_activations, ys)]

    def _forward():
        out = network.forward(xs if multi_in else xs[0], training=True,
                              logits=logits if multi_out else logits[0])
        return out if multi_out else [out]

    def _objective():
        return sum(w * f(o, t, sample_weight)[0]
                   for w, f, o, t in zip(weights, losses, _forward(), ys))

    grads = [w * f(o, t, sample_weight)[1] for w, f, o, t in zip(weights, losses, _forward(), ys)]
    back = network.backward(grads if multi_out else grads[0], need_input_grad=True)
    back = back if multi_in else [back]
    names = [f"input.{i}" for i in range(len(xs))] if multi_in else ["input"]
    # an input no output depends on gets no gradient: it is zero
    analytic = {name: np.zeros_like(x) if g is None else g.copy()
                for name, g, x in zip(names, back, xs)}
    targets = dict(zip(names, xs))
    for i, leaf in enumerate(leaf_layers(network)):
        for name, p in leaf.params.items():
            analytic[f"{i}.{name}"] = leaf.grads[name].copy()
            targets[f"{i}.{name}"] = p
    return {k: relative_error(analytic[k], numerical_gradient(_objective, targets[k], eps))
            for k in targets}
