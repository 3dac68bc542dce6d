"""Plain, obviously-correct loop implementations: the oracles for the fast layers."""

import math

import numpy as np


def same_pads(size, k, s):
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def pad_image(x, kernel, strides, padding, value=0.0):
    """Pad ``(n, h, w, c)`` as Keras does for "same"; nothing for "valid"."""
    if padding == "valid":
        return x
    rows = same_pads(x.shape[1], kernel[0], strides[0])
    cols = same_pads(x.shape[2], kernel[1], strides[1])
    return np.pad(x, ((0, 0), rows, cols, (0, 0)), constant_values=value)


def conv2d(x, W, b, strides, padding):
    kh, kw, _, f = W.shape
    xp = pad_image(x, (kh, kw), strides, padding)
    n, h, w, _ = xp.shape
    oh = (h - kh) // strides[0] + 1
    ow = (w - kw) // strides[1] + 1
    y = np.zeros((n, oh, ow, f))
    for s in range(n):
        for i in range(oh):
            for j in range(ow):
                top, left = i * strides[0], j * strides[1]
                patch = xp[s, top:top + kh, left:left + kw]
                for o in range(f):
                    y[s, i, j, o] = np.sum(patch * W[..., o]) + b[o]
    return y


def pool2d(x, pool, strides, padding, reduce):
    value = -np.inf if reduce is np.max else np.nan
    xp = pad_image(x, pool, strides, padding, value)
    n, h, w, c = xp.shape
    oh = (h - pool[0]) // strides[0] + 1
    ow = (w - pool[1]) // strides[1] + 1
    y = np.zeros((n, oh, ow, c))
    for s in range(n):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    window = xp[s, i * strides[0]:i * strides[0] + pool[0],
                                j * strides[1]:j * strides[1] + pool[1], ch]
                    y[s, i, j, ch] = reduce(window[~np.isnan(window)])
    return y


def max_pool2d_backward(x, dy, pool, strides, padding):
    """dE/dx of max pooling: each window's ``dy`` all to its first maximum in row-major order.

    Only the window's real pixels are visited (padding is never chosen); a NaN
    counts as the maximum, so the first NaN of a window takes its gradient.
    """
    n, h, w, c = x.shape
    top = same_pads(h, pool[0], strides[0])[0] if padding == "same" else 0
    left = same_pads(w, pool[1], strides[1])[0] if padding == "same" else 0
    grad = np.zeros_like(x)
    for s in range(n):
        for i in range(dy.shape[1]):
            for j in range(dy.shape[2]):
                for ch in range(c):
                    best = None
                    for a in range(pool[0]):
                        for b in range(pool[1]):
                            row, col = i * strides[0] + a - top, j * strides[1] + b - left
                            if not (0 <= row < h and 0 <= col < w):
                                continue
                            value = x[s, row, col, ch]
                            if best is None or value > x[s, best[0], best[1], ch] or (
                                    np.isnan(value) and not np.isnan(x[s, best[0], best[1], ch])):
                                best = (row, col)
                    grad[s, best[0], best[1], ch] += dy[s, i, j, ch]
    return grad


def conv2d_input_gradient(dy, W, input_shape, strides, padding):
    """dE/dx of :func:`conv2d`: each output pixel's ``dy @ W.T`` added onto its window."""
    kh, kw, c, _ = W.shape
    x = np.zeros((dy.shape[0], *input_shape))
    grad = np.zeros_like(pad_image(x, (kh, kw), strides, padding))
    n, oh, ow, _ = dy.shape
    for s in range(n):
        for i in range(oh):
            for j in range(ow):
                top, left = i * strides[0], j * strides[1]
                grad[s, top:top + kh, left:left + kw] += W @ dy[s, i, j]
    pad_top = same_pads(input_shape[0], kh, strides[0])[0] if padding == "same" else 0
    pad_left = same_pads(input_shape[1], kw, strides[1])[0] if padding == "same" else 0
    return grad[:, pad_top:pad_top + input_shape[0], pad_left:pad_left + input_shape[1]]
