"""Dispatch to converters: by exact layer class, with a clear error for the rest."""

import numpy as np
import pytest

from skscratch import Network, NetworkEstimator
from skscratch.layers import LAYERS, Dense, Layer
from skscratch.onnx import CONVERTERS, Value, to_onnx
from skscratch.onnx.converters import converter_for
from tests.onnx.runtime import SKIP_REASON, assert_network_matches, fit


class Doubler(Layer):
    """A user's layer: ``y = 2 x``."""

    def forward(self, x, training=False):
        return 2 * x

    def backward(self, grad_output, need_input_grad=True):
        return 2 * grad_output if need_input_grad else None


class PlusOneDense(Dense):
    """A Dense subclass computing something else: must not export as a Dense."""

    def forward(self, x, training=False):
        return super().forward(x, training) + 1


def _with_doubler(input_shape, n_outputs):
    return Network([Dense(4, "relu"), Doubler(), Dense(n_outputs)])


def test_every_registered_layer_has_a_converter():
    assert set(LAYERS) <= set(CONVERTERS)


def test_a_layer_without_converter_is_named_in_the_error():
    network = Network([Dense(4), Doubler(name="twice"), Dense(2)]).build((3,), random_state=0)
    with pytest.raises(TypeError, match=r"Cannot export Doubler 'twice' to ONNX: no converter "
                                        r"is registered for Doubler\. Doubler is not one of "
                                        r"skscratch's layers.*'Dense'"):
        to_onnx(network)


def test_a_subclass_of_a_known_layer_is_not_exported_as_its_parent():
    with pytest.raises(TypeError, match="PlusOneDense"):
        converter_for(PlusOneDense(3))
    assert converter_for(Dense(3)) is CONVERTERS["Dense"]


def test_a_fitted_estimator_with_a_custom_layer_is_refused_before_anything_is_written():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    estimator = fit(NetworkEstimator(_with_doubler, max_iter=2, random_state=0), X, y)
    with pytest.raises(TypeError, match="Cannot export Doubler to ONNX"):
        to_onnx(estimator)


def test_an_unbuilt_layer_is_refused():
    with pytest.raises(ValueError, match="Network is not built"):
        to_onnx(Network([Dense(2)]))


def test_a_custom_layer_exports_once_it_has_a_converter(monkeypatch):
    pytest.importorskip("onnxruntime", reason=SKIP_REASON)

    def convert_doubler(graph, layer, x):
        return Value(graph.add("Mul", [x.name, graph.scalar(2.0, "two")]), x.shape)

    monkeypatch.setitem(LAYERS, "Doubler", Doubler)
    monkeypatch.setitem(CONVERTERS, "Doubler", convert_doubler)
    network = Network([Dense(4), Doubler(), Dense(2)]).build((3,), random_state=0)
    assert_network_matches(network, np.random.default_rng(1).standard_normal((5, 3)))
