"""Declared shapes are bounded before anything is built: no gigabytes, no endless loops."""

import tracemalloc

import numpy as np
import pytest

from skscratch import Model, Network, load, save
from skscratch.layers import AvgPool2D, Conv2D, Dense, Flatten, GlobalAvgPool2D, Input, MaxPool2D
from skscratch.persistence import declared_sizes
from skscratch.persistence.declared_sizes import check_declared_sizes
from tests.persistence.model_files import edit_header, rewrite


def _first_layer_config(header):
    return header["network"]["model"]["config"]["layers"][0]["config"]


@pytest.mark.parametrize("edit, message", [
    # a convolution over 4000 x 4000 images holds the weights of one over 8 x 8 ones: its
    # build made 144 million window indices (17 s and 2.6 GB, then MemoryError)
    (lambda h: h["network"].__setitem__("input_shape", [4000, 4000, 1]), "window pixels"),
    # with "same" padding a pooling window may outgrow its input: 3000 x 3000 made the
    # average pooling's build loop over nine million offsets (minutes)
    (lambda h: _first_layer_config(h).update(pool_size=[3000, 3000], strides=[1, 1],
                                             padding="same"), "window of 3000 x 3000"),
    # 65536**4 numbers wrapped to 0 in Flatten's int64 product
    (lambda h: h["network"].__setitem__("input_shape", [2**16] * 4), "inputs hold"),
])
def test_shapes_beyond_the_limits_are_refused_before_building(edit, message, tmp_path):
    net = Network([AvgPool2D(2), Conv2D(2, 1), GlobalAvgPool2D(), Dense(1)]).build((8, 8, 1), 0)
    save(net, tmp_path / "net.npz")
    rewrite(tmp_path / "net.npz", tmp_path / "bad.npz", edit_header(edit))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=message):
            load(tmp_path / "bad.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 << 20


def test_every_call_of_a_shared_network_counts(monkeypatch):
    x = Input((8, 8, 1))
    shared = Network([MaxPool2D(2, strides=1, padding="same")])
    model = Model(x, Flatten()(shared(shared(shared(x)))))
    monkeypatch.setattr(declared_sizes, "MAX_WINDOW_SLOTS", 768)
    check_declared_sizes(model, (8, 8, 1))               # 3 calls x 64 windows x 4 pixels
    monkeypatch.setattr(declared_sizes, "MAX_WINDOW_SLOTS", 767)
    with pytest.raises(ValueError, match="768 window pixels"):
        check_declared_sizes(model, (8, 8, 1))


def test_save_refuses_what_load_would_refuse(tmp_path, monkeypatch):
    net = Network([MaxPool2D(3), Flatten(), Dense(1)]).build((6, 6, 1), 0)
    monkeypatch.setattr(declared_sizes, "MAX_WINDOW", 8)
    with pytest.raises(ValueError, match="window of 3 x 3 pixels"):
        save(net, tmp_path / "net.npz")
    assert not (tmp_path / "net.npz").exists()
    monkeypatch.undo()
    save(net, tmp_path / "net.npz")
    x = np.ones((2, 6, 6, 1))
    np.testing.assert_array_equal(load(tmp_path / "net.npz").predict(x), net.predict(x))


@pytest.mark.parametrize("kind", ["calls", "layers", "outputs"])
def test_architectures_beyond_the_layer_limit_are_refused_before_any_is_made(kind, tmp_path,
                                                                             monkeypatch):
    # making a Model names its calls and a Network checks each added layer in time
    # quadratic in their number: a header of 8,000 calls of one ReLU took 16 s to load,
    # 10,000 outputs naming one tensor 12 s, and a 16 MiB header holds half a million
    from skscratch.layers import ReLU
    x = Input((2,))
    if kind == "calls":
        relu, h = ReLU(), x
        for _ in range(8):
            h = relu(h)
        net = Model(x, Dense(1)(h)).build(random_state=0)
    elif kind == "outputs":
        net = Model(x, [Dense(1)(ReLU()(x))] * 9).build(random_state=0)
    else:
        net = Network([ReLU() for _ in range(8)] + [Dense(1)]).build((2,), 0)
    save(net, tmp_path / "net.npz")
    monkeypatch.setattr(declared_sizes, "MAX_LAYERS", 8)
    made = []
    monkeypatch.setattr(ReLU, "__init__", lambda *a, **k: made.append(1) or pytest.fail())
    with pytest.raises(ValueError, match=r"declares 1?\d layers and layer calls"):
        load(tmp_path / "net.npz")
    with pytest.raises(ValueError, match=r"declares 1?\d layers and layer calls"):
        save(net, tmp_path / "again.npz")
    assert made == []


def test_an_estimators_model_template_is_counted_too(iris, tmp_path, monkeypatch):
    # NetworkEstimator(model=<Network>) stores the network it was given beside the
    # fitted one; load made that template's layers without counting them
    from skscratch import NetworkEstimator
    from skscratch.layers import ReLU
    from tests.persistence.model_files import fit_quietly
    X, y = iris
    est = fit_quietly(NetworkEstimator(model=Network([Dense(4), Dense(3)]), max_iter=2), X, y)
    save(est, tmp_path / "est.npz")
    relu = {"type": "ReLU", "config": ReLU().get_config()}
    rewrite(tmp_path / "est.npz", tmp_path / "many.npz", edit_header(
        lambda h: h["model"]["config"].__setitem__("layers", [relu] * 20)))
    monkeypatch.setattr(declared_sizes, "MAX_LAYERS", 8)
    with pytest.raises(ValueError, match="declares 20 layers and layer calls"):
        load(tmp_path / "many.npz")
