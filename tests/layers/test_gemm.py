import numpy as np
import pytest

from skscratch.layers import _gemm
from skscratch.layers._gemm import BLOCK_ROWS, NARROW, block_count, transposed_product


@pytest.mark.parametrize("rows", [5, 4 * BLOCK_ROWS, 12544, 7919, 50176])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transposed_product_matches_matmul(rows, dtype, rng):
    a = rng.standard_normal((rows, 6)).astype(dtype)
    b = rng.standard_normal((rows, 4)).astype(dtype)
    out = np.empty((6, 4), dtype)
    assert transposed_product(a, b, out=out) is out
    assert out.dtype == dtype
    np.testing.assert_allclose(out, a.T @ b, rtol=1e-4 if dtype == np.float32 else 1e-12,
                               atol=1e-3 if dtype == np.float32 else 1e-10)


@pytest.mark.parametrize("layout", ["fortran", "column view"])
def test_transposed_product_of_strided_matrices(layout, rng):
    rows = 8 * BLOCK_ROWS
    if layout == "fortran":
        a = np.asfortranarray(rng.standard_normal((rows, 5)))
    else:
        a = rng.standard_normal((rows, 9))[:, :5]
    b = rng.standard_normal((rows, 3))
    np.testing.assert_allclose(transposed_product(a, b), a.T @ b, rtol=1e-12, atol=1e-10)


def test_block_count():
    assert block_count(100) == 1                         # short: one product
    assert block_count(4 * BLOCK_ROWS - 2) == 1
    assert block_count(7919) == 1                        # prime: no equal blocks
    for rows in (12544, 50176, 64 * 55 * 49):
        size = rows // block_count(rows)
        assert rows % size == 0 and BLOCK_ROWS // 2 <= size <= 2 * BLOCK_ROWS


@pytest.mark.parametrize("columns", [NARROW, NARROW + 1])
def test_wide_matrices_are_one_product(columns, rng, monkeypatch):
    calls = []
    monkeypatch.setattr(_gemm, "block_count", lambda rows: calls.append(rows) or 4)
    a = rng.standard_normal((8 * BLOCK_ROWS, columns))
    b = rng.standard_normal((8 * BLOCK_ROWS, 2))
    np.testing.assert_allclose(transposed_product(a, b), a.T @ b, rtol=1e-12, atol=1e-10)
    assert calls == ([8 * BLOCK_ROWS] if columns <= NARROW else [])
