"""Matrix products shaped for BLAS: weight gradients of narrow matrices with many rows.

A layer's weight gradient ``cols.T @ dz`` sums over every row of a batch
(``n * out_h * out_w`` of them for a convolution) and yields a small matrix.
OpenBLAS runs that shape slowly when ``cols`` is narrow: for W3's first
convolution (50,176 x 10 by 50,176 x 8) it reached about 20 GFLOP/s, one
thread or two. The same product as a sum of products of row blocks of
about a thousand rows (one batched ``matmul``, then a sum over the blocks)
took 0.16-0.19 ms instead of 0.27-0.31 ms; for 37 columns 0.15 ms instead
of 0.18-0.23 ms. From 73 columns on, blocks were slightly slower (float32,
2 cores, one and two BLAS threads).
"""

import functools

import numpy as np

#: Rows per block of :func:`transposed_product` (blocks of 784 to 3,136 rows
#: did about equally well).
BLOCK_ROWS = 1024

#: Widest ``a`` (columns) that :func:`transposed_product` cuts into blocks.
NARROW = 48


def transposed_product(a, b, out=None):
    """``a.T @ b`` for tall matrices; by row blocks when ``a`` is narrow.

    Parameters
    ----------
    a : ndarray of shape (rows, m)
    b : ndarray of shape (rows, n)
        Any strides BLAS accepts (e.g. a Fortran-ordered ``a``, or a view
        of every row's first ``m`` columns).
    out : ndarray of shape (m, n), optional

    Returns
    -------
    product : ndarray of shape (m, n)
        ``a.T @ b``, equal up to rounding (the sum over rows is grouped by block).
    """
    blocks = block_count(a.shape[0]) if a.shape[1] <= NARROW else 1
    if blocks == 1:
        return np.matmul(a.T, b, out=out)
    a_blocks = a.reshape(blocks, -1, a.shape[1]).transpose(0, 2, 1)
    parts = np.matmul(a_blocks, b.reshape(blocks, -1, b.shape[1]))
    return np.add.reduce(parts, axis=0, out=out)


@functools.lru_cache(maxsize=64)
def block_count(rows):
    """How many equal blocks to cut ``rows`` into: sizes near :data:`BLOCK_ROWS`, else 1.

    Parameters
    ----------
    rows : int

    Returns
    -------
    int
        A divisor of ``rows`` giving blocks of ``BLOCK_ROWS / 2`` to
        ``2 * BLOCK_ROWS`` rows, the closest to ``BLOCK_ROWS``; 1 when
        there is none, or fewer than ``4 * BLOCK_ROWS`` rows (where
        blocks measured no faster).
    """
    sizes = [size for size in range(BLOCK_ROWS // 2, 2 * BLOCK_ROWS + 1) if rows % size == 0]
    if rows < 4 * BLOCK_ROWS or not sizes:
        return 1
    return rows // min(sizes, key=lambda size: abs(size - BLOCK_ROWS))
