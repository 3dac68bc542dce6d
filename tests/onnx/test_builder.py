"""The graph recorder: names, constants, layouts; it needs no onnx package."""

import numpy as np
import pytest

from skscratch.onnx.builder import (
    DOUBLE,
    FLOAT,
    INT64,
    STRING,
    OnnxGraph,
    Value,
    check_opset,
    element_type,
)


def test_element_types_follow_the_onnx_standard_numbers():
    assert element_type(np.float32) == FLOAT == 1
    assert element_type(np.float64) == DOUBLE == 11
    assert element_type(np.int64) == INT64 == 7
    assert element_type(np.array(["a"]).dtype) == STRING == 8
    with pytest.raises(ValueError, match="float16"):
        element_type(np.float16)


def test_only_float32_and_float64_graphs_and_opsets_from_13():
    assert OnnxGraph(np.float32).native and not OnnxGraph(np.float64).native
    with pytest.raises(ValueError, match="float32 and float64 .* int64"):
        OnnxGraph(np.int64)
    assert check_opset(13) == 13
    for bad in (12, 17.0, True, "17"):
        with pytest.raises(ValueError, match="target_opset >= 13"):
            check_opset(bad)


def test_names_are_unique_and_reserved_names_are_never_given():
    graph = OnnxGraph(np.float32)
    graph.reserve("X")
    names = [graph.name("X"), graph.name("X"), graph.name("dense")]
    assert names == ["X_1", "X_2", "dense"]
    out = graph.add("Relu", ["X"])
    assert out == "relu" and graph.nodes[-1] == ("Relu", ["X"], ["relu"], {}, "")


def test_constants_take_the_graph_dtype_and_keys_share_them():
    graph = OnnxGraph(np.float64)
    a = graph.constant(np.ones(3, dtype=np.float32), "w", key="k")
    assert graph.constant(np.zeros(3), "other", key="k") == a
    assert graph.initializers[a].dtype == np.float64
    assert graph.initializers[graph.ints([1, 2])].dtype == np.int64
    assert graph.ints([1, 2]) == graph.ints((1, 2)) != graph.ints([2, 1])
    assert graph.scalar(0.5) == graph.scalar(0.5) != graph.scalar(1.5)
    assert len(graph.initializers) == 5


def test_weights_are_made_once_per_layer():
    from skscratch.layers import Dense
    layer, other = Dense(2, name="head"), Dense(2)
    graph, calls = OnnxGraph(np.float32), []

    def make():
        calls.append(1)
        return np.ones((3, 2))

    first = graph.weight(layer, "W", make)
    assert graph.weight(layer, "W", make) == first and first.startswith("head_W")
    assert graph.weight(other, "W", make) != first
    assert len(calls) == 2


def test_a_layout_change_is_one_transpose_reused():
    graph = OnnxGraph(np.float32)
    image = Value("x", (8, 6, 3))
    first = graph.channels_first(image)
    assert first.channels_first and first.shape == (8, 6, 3)
    assert graph.channels_first(image) is first and graph.channels_first(first) is first
    assert graph.nodes == [("Transpose", ["x"], [first.name], {"perm": [0, 3, 1, 2]}, "")]
    back = graph.channels_last(first)
    assert graph.nodes[-1][3] == {"perm": [0, 2, 3, 1]} and not back.channels_first
    rows = Value("r", (5,))
    assert graph.channels_first(rows) is rows and not Value("r", (5,), True).channels_first


def test_sample_axes_map_to_onnx_axes_in_both_layouts():
    last, first = Value("a", (8, 6, 3)), Value("b", (8, 6, 3), channels_first=True)
    assert [last.onnx_axis(a) for a in (0, 1, 2, -1)] == [1, 2, 3, 3]
    assert [first.onnx_axis(a) for a in (0, 1, 2, -1)] == [2, 3, 1, 1]
    assert Value("r", (7,)).onnx_axis(-1) == 1
