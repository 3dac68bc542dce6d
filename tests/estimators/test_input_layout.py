"""How NetworkEstimator maps X to its model's inputs: rows, columns, names."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from skscratch import Model
from skscratch.estimators._input_layout import (
    by_input_name,
    flat_rows,
    input_columns,
    input_names,
    split_columns,
)
from skscratch.layers import Concatenate, Dense, Input


def _named_model():
    wide, deep = Input((2,), name="wide"), Input((3,), name="deep")
    return Model([wide, deep], Dense(1)(Concatenate()([wide, deep])))


def test_a_tuple_and_images_become_rows_and_back():
    a, b = np.arange(8.0).reshape(4, 2), np.arange(24.0).reshape(4, 3, 2)
    rows, shapes = flat_rows((a, b), None, None)
    assert rows.shape == (4, 8) and shapes == [(2,), (3, 2)]
    columns = input_columns(8, shapes, None, None)
    assert [c.tolist() for c in columns] == [[0, 1], [2, 3, 4, 5, 6, 7]]
    first, second = split_columns(rows, columns, shapes)
    np.testing.assert_array_equal(first, a)
    np.testing.assert_array_equal(second, b)
    plain = np.zeros((4, 3))
    assert flat_rows(plain, None, None) == (plain, None)
    assert input_columns(3, None, None, None) is None and split_columns(plain, None, None) is plain


def test_column_layouts_by_index_range_slice_and_input_name():
    model = _named_model()
    assert input_names(model) == ["wide", "deep"] and input_names(lambda s, n: None) is None
    columns = input_columns(5, None, {"deep": slice(2, 5), "wide": range(0, 2)}, model)
    assert [c.tolist() for c in columns] == [[0, 1], [2, 3, 4]]
    X = csr_matrix(np.arange(10.0).reshape(2, 5))
    wide, deep = split_columns(X, columns, None)                 # sparse parts stay 2-D
    assert wide.shape == (2, 2) and deep.shape == (2, 3)
    with pytest.raises(ValueError, match="column indices 0 to 4"):
        input_columns(5, None, [[0, 5]], None)
    with pytest.raises(ValueError, match="inputs are named"):
        by_input_name({"wide": 1}, "X", model)
    with pytest.raises(ValueError, match="needs model= a Model"):
        by_input_name({"wide": 1}, "inputs", None)


def test_what_cannot_be_mixed_is_refused():
    a = np.zeros((4, 2))
    with pytest.raises(ValueError, match="not both"):
        flat_rows((a, a), [[0], [1]], None)
    with pytest.raises(ValueError, match="not as a tuple of matrices"):
        flat_rows((csr_matrix(a), a), None, None)
    with pytest.raises(ValueError, match="different numbers of samples"):
        flat_rows((a, a[:3]), None, None)
