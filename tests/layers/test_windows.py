import numpy as np
import pytest

from skscratch.layers.windows import WindowGeometry

GEOMETRIES = [  # (h, w), kernel, strides, padding
    ((5, 5), (3, 3), (1, 1), "same"),
    ((6, 7), (2, 3), (2, 1), "same"),
    ((7, 6), (3, 3), (2, 2), "valid"),
    ((5, 5), (2, 2), (2, 2), "valid"),       # the last row and column in no window
    ((8, 8), (2, 2), (3, 3), "valid"),       # gaps between windows
    ((1, 9), (1, 4), (1, 1), "same"),
]


@pytest.mark.parametrize("shape, kernel, strides, padding", GEOMETRIES)
def test_gather_index_matches_the_offset_slices(shape, kernel, strides, padding, rng):
    g = WindowGeometry(shape, kernel, strides, padding)
    x = rng.standard_normal((2, *shape, 3))
    xp = g.pad(x)
    windows = xp.reshape(2, -1, 3).take(g.gather_index.ravel(), axis=1)
    windows = windows.reshape(2, g.out_h, g.out_w, kernel[0] * kernel[1], 3)
    for k, (_, _, where) in enumerate(g.offsets()):
        np.testing.assert_array_equal(windows[:, :, :, k], xp[where])


@pytest.mark.parametrize("shape, kernel, strides, padding", GEOMETRIES)
def test_scatter_index_sums_every_slot_into_its_pixel(shape, kernel, strides, padding, rng):
    g = WindowGeometry(shape, kernel, strides, padding)
    gathered = g.gather_index.T.ravel()        # any order of the slots will do
    values = rng.standard_normal((2, gathered.size, 3))
    expected = np.zeros((2, g.padded[0] * g.padded[1], 3))
    np.add.at(expected, (slice(None), gathered), values)
    expected = g.unpad(expected.reshape(2, *g.padded, 3))
    with_zero = np.concatenate([values, np.zeros((2, 1, 3))], axis=1)
    index = g.scatter_index(gathered)
    sums = with_zero.take(index, axis=1).sum(axis=1)
    np.testing.assert_allclose(sums.reshape(expected.shape), expected, rtol=1e-12)


def test_scatter_index_copies():
    one = WindowGeometry((4, 4), (2, 2), (2, 2), "valid")
    assert one.scatter_index(one.gather_index.ravel()).shape == (1, 16)
    nine = WindowGeometry((4, 4), (3, 3), (1, 1), "same")
    assert nine.scatter_index(nine.gather_index.ravel()).shape == (9, 16)


@pytest.mark.parametrize("shape, kernel, strides, padding", GEOMETRIES)
def test_in_padding_marks_the_pixels_pad_adds(shape, kernel, strides, padding):
    g = WindowGeometry(shape, kernel, strides, padding)
    marked = g.pad(np.zeros((1, *shape, 1)), value=1.0)        # 1 in the padding only
    index = g.gather_index
    np.testing.assert_array_equal(g.in_padding(index), marked.ravel()[index] == 1)
    assert g.in_padding(index).any() == bool(g.has_padding)
