import numpy as np

import skscratch
from skscratch import ConvNetFromScratch, Network
from skscratch.callbacks import ModelCheckpoint
from skscratch.layers import Dense
from tests.callbacks.conftest import quiet_fit


def test_one_file_per_epoch_each_predicting_as_that_epoch(digits, tmp_path):
    X, y = digits[0][:300], digits[1][:300]
    checkpoint = ModelCheckpoint(tmp_path / "ckpt-{epoch:02d}.npz")
    est = quiet_fit(ConvNetFromScratch((4,), hidden_layer_sizes=(), max_iter=3,
                                       callbacks=[checkpoint], random_state=0), X, y)
    assert [epoch for epoch, _ in checkpoint.saved] == [0, 1, 2]     # Keras counts from 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ckpt-01.npz", "ckpt-02.npz", "ckpt-03.npz"]
    last = skscratch.load(tmp_path / "ckpt-03.npz")
    np.testing.assert_array_equal(last.predict_proba(X), est.predict_proba(X))
    first = skscratch.load(tmp_path / "ckpt-01.npz")
    assert first.n_iter_ == 1
    assert not np.array_equal(first.predict_proba(X), est.predict_proba(X))


def test_checkpoints_of_engine_networks(digits, tmp_path):
    X, y = digits[0][:300], digits[1][:300]
    net = Network([Dense(8, "relu"), Dense(10)])
    net.fit(X, y, loss="log_loss", epochs=2, random_state=0,
            callbacks=[ModelCheckpoint(tmp_path / "net.npz")])
    np.testing.assert_array_equal(skscratch.load(tmp_path / "net.npz").predict(X),
                                  net.predict(X))


def test_checkpoint_paths_make_their_folder_and_name_bad_fields(digits, tmp_path):
    import pytest
    X, y = digits[0][:100], digits[1][:100]
    net = Network([Dense(10)])
    net.fit(X, y, loss="log_loss", epochs=1, random_state=0,
            callbacks=[ModelCheckpoint(tmp_path / "new" / "deeper" / "{epoch}.npz")])
    assert (tmp_path / "new" / "deeper" / "1.npz").exists()
    with pytest.raises(ValueError, match="could not be filled"):
        net.fit(X, y, loss="log_loss", epochs=1,
                callbacks=[ModelCheckpoint(tmp_path / "{val_loss:.3f}.npz")])
