"""Concatenate and Add, including images arriving in different layouts."""

import numpy as np
import pytest

from skscratch import Model
from skscratch.layers import Add, Concatenate, Conv2D, Dense, Flatten, Input
from tests.onnx.runtime import SKIP_REASON, assert_network_matches

pytest.importorskip("onnxruntime", reason=SKIP_REASON)

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_concatenate_an_input_image_with_a_convolution(axis, dtype):
    # in float32 the convolution's output is channels-first, the model input channels-last
    x = Input((6, 6, 2))
    conv = Conv2D(2, 3, padding="same", activation="relu")(x)
    joined = Concatenate(axis=axis)([x, conv])
    model = Model(x, Dense(3)(Flatten()(joined))).build(random_state=0, dtype=dtype)
    images = np.random.default_rng(0).standard_normal((4, 6, 6, 2)).astype(dtype)
    assert_network_matches(model, images)


@pytest.mark.parametrize("dtype", DTYPES)
def test_add_of_three_branches_and_a_residual_image(dtype):
    x = Input((5,))
    total = Add()([Dense(5, "relu")(x), Dense(5, "tanh")(x), x])
    image = Input((4, 4, 3))
    residual = Add()([Conv2D(3, 3, padding="same")(image), image])
    out = Concatenate()([total, Flatten()(residual)])
    model = Model([x, image], Dense(2)(out)).build(random_state=0, dtype=dtype)
    rng = np.random.default_rng(0)
    assert_network_matches(model, rng.standard_normal((3, 5)).astype(dtype),
                           rng.standard_normal((3, 4, 4, 3)).astype(dtype))
