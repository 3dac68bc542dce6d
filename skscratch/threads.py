"""How many threads training uses: one for small steps, the BLAS library's for large ones.

The matrix products of a small network (digits through 100 hidden units:
200 x 64 x 100 per step) last microseconds: a second BLAS thread saves little
on a quiet machine, and on a busy one it is ruinous, because OpenBLAS's
workers spin waiting for a core another process holds (measured on 2 cores
beside busy neighbours: 50 epochs of that MLP took 1.1 s with one thread and
14-22 s with two). Training therefore runs with one BLAS thread when the
largest product of a step is below :data:`SMALL_PRODUCT`, and with the BLAS
library's own setting otherwise (threadpoolctl, which scikit-learn requires,
sets it for the duration of the fit only; it is never raised).

An optimizer step is element-wise NumPy work, single-threaded whatever BLAS
does. Splitting Adam's update in halves on two threads was measured and
rejected: W1 epochs took 0.36-0.42 s against 0.30 s, as OpenBLAS's worker,
spinning after each product, competes with the second half.
"""

import threading
from contextlib import contextmanager

import numpy as np

from .layers.base import leaf_layers

#: Multiply-adds of a step's largest matrix product below which training
#: uses one thread (see docs/performance.md for the measurements).
SMALL_PRODUCT = 2**22

_controller = None
_lock = threading.Lock()
_active = 0        # small fits running now, in any thread
_limiter = None    # their shared one-thread limit


def largest_product(network, batch_size):
    """Multiply-adds of the largest matrix product of one training step.

    For each layer with a weight matrix ``W``: the batch, times the output
    positions per sample (1 for ``Dense``, the output pixels for ``Conv2D``),
    times ``W.size``.
    """
    largest = 0
    for layer in leaf_layers(network):
        W = getattr(layer, "params", {}).get("W")
        if W is None or layer.output_shape is None:
            continue
        positions = int(np.prod(layer.output_shape[:-1], dtype=np.int64))
        largest = max(largest, batch_size * positions * W.size)
    return largest


@contextmanager
def training_threads(network, batch_size):
    """Run a fit with one BLAS thread if its steps are small.

    The limit is process-wide (BLAS has one setting): while any small fit
    runs, every fit does. Fits in several threads share it: the first to
    enter sets it, the last to leave restores the library's setting.

    Parameters
    ----------
    network : Network or Model
        A built network.
    batch_size : int
        Samples per training step.
    """
    if largest_product(network, batch_size) >= SMALL_PRODUCT:
        yield
        return
    global _active, _limiter
    with _lock:
        if _active == 0:
            blas = _blas_controller().select(user_api="blas")
            threads = max([lib.num_threads for lib in blas.lib_controllers], default=1)
            _limiter = blas.limit(limits=1) if threads > 1 else None
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None


def _blas_controller():
    """threadpoolctl's view of the loaded libraries, made once (it scans them)."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController
        _controller = ThreadpoolController()
    return _controller
