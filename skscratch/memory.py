"""How much memory training a model needs, estimated from shapes before anything is built.

:func:`check_memory` refuses absurd sizes up front (the estimators call it
before building a network), with :func:`training_memory`'s estimate: an upper
bound of what a fit allocates, measured in ``tests/test_memory.py``.
"""

import math

import numpy as np

from .container import PREDICT_ELEMENTS, _as_list

# refuse to build a model whose training would need more than this
MEMORY_LIMIT_BYTES = 8 << 30
# parameter-sized arrays any fit may hold at once, besides the optimizer's slots: the
# weights and their gradients, the optimizer's scratch, the best weights (early
# stopping), the L2 penalty's scratch and one temporary of the divergence check. A
# continued fit adds the call's snapshot (skscratch/rollback.py): a copy of the weights
# and of each optimizer slot, and the previous best weights it keeps
PARAMETER_COPIES = 6
# bytes per sample a fit holds besides X, per output (encoded and raw targets, their
# label encodings, the validation predictions) and per sample (the shuffled index)
BYTES_PER_OUTPUT, BYTES_PER_SAMPLE = 48, 32
PREDICTION_CHUNKS = 4


def training_memory(model, input_shape, batch_size, dtype, *, n_samples=0,
                    optimizer_slots=2, continued=False, copies_of_x=0):
    """Bytes that training ``model`` may allocate at its peak, at most.

    An upper bound of what ``fit`` or ``partial_fit`` allocate beyond X
    itself (tracemalloc's peak; ``tests/test_memory.py`` measures it on
    MLPs and ConvNets, both dtypes, with dropout, batch norm, early stopping
    and prediction), from shapes alone: nothing is allocated. It adds up

    - the parameters, ``PARAMETER_COPIES + optimizer_slots`` times, and
      ``2 + optimizer_slots`` more in a continued fit (its snapshot);
    - each layer's training workspace (:meth:`Layer.count_workspace`) for a
      full batch and for the epoch's last, smaller one (layers keep a buffer
      of each shape), and the gathered batch;
    - what grows with the data: targets, the shuffled index, predictions, and
      ``copies_of_x`` copies of the inputs (1 for the split of ``early_stopping``);
    - prediction chunks (a few times :data:`PREDICT_ELEMENTS` numbers).

    Parameters
    ----------
    model : Layer
        A layer, network or model (built or not).
    input_shape : tuple of int, or list of them
    batch_size : int
    dtype : numpy dtype
    n_samples : int, default=0
        Training samples (0: the data terms are left out).
    optimizer_slots : int, default=2
        Parameter-sized arrays of the optimizer's state (Adam 2, SGD 1).
    continued : bool, default=False
        A continued fit (``partial_fit``, ``warm_start``) also keeps a copy
        of the weights and optimizer state to roll back to (a fresh fit
        builds a new network: a failure discards it).
    copies_of_x : int, default=0

    Returns
    -------
    float
    """
    itemsize = np.dtype(dtype).itemsize
    params = model.count_params(input_shape)
    copies = PARAMETER_COPIES + optimizer_slots + continued * (2 + optimizer_slots)
    last = n_samples % batch_size if n_samples > batch_size else 0
    inputs = sum(math.prod(s) for s in _as_list(input_shape, True)[0])
    outputs = sum(math.prod(s) for s in _as_list(model.compute_output_shape(input_shape), True)[0])
    workspace = model.count_workspace(input_shape) + inputs + outputs
    # prediction in chunks of rows sized as Container.predict sizes them: the input
    # chunk in the model's dtype, the previous layer's output, the current layer's
    # workspace and a temporary
    widest = model.count_widest(input_shape) if hasattr(model, "count_widest") else outputs
    rows = min(n_samples, max(1, PREDICT_ELEMENTS // max(widest, inputs)))
    predicting = rows * (inputs + (PREDICTION_CHUNKS - 1) * widest)
    numbers = (copies * params + (batch_size + last) * workspace + predicting
               + n_samples * (copies_of_x * inputs + outputs))
    return numbers * itemsize + n_samples * (BYTES_PER_OUTPUT * outputs + BYTES_PER_SAMPLE)


def check_memory(model, input_shape, batch_size, dtype, limit=MEMORY_LIMIT_BYTES, **data):
    """Raise ValueError when training ``model`` would clearly not fit in memory.

    The estimate is :func:`training_memory`'s upper bound, from the layers'
    weight declarations and shapes alone, before anything is allocated:
    absurd layer sizes fail fast instead of being killed by the operating
    system.

    Parameters
    ----------
    model : Layer
        A layer, network or model (built or not).
    input_shape : tuple of int, or list of them
    batch_size : int
    dtype : numpy dtype
    limit : int, default=8 GiB
    **data
        ``n_samples``, ``optimizer_slots``, ``continued``, ``copies_of_x``:
        as in :func:`training_memory`.
    """
    need = training_memory(model, input_shape, batch_size, dtype, **data)
    if need > limit:
        params = model.count_params(input_shape)
        raise ValueError(
            f"This network would need about {need / 2**30:,.1f} GiB to train "
            f"({params:,} parameters; batch of {batch_size}); the limit is "
            f"{limit / 2**30:.0f} GiB. Use smaller layers or batches.")
