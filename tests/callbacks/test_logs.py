import csv
import os

import numpy as np
import pytest

from skscratch import MLPFromScratch, Model
from skscratch.callbacks import CSVLogger, TensorBoard
from skscratch.layers import Dense, Input
from tests.callbacks.conftest import quiet_fit


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_csv_rows_match_the_history_and_append_on_partial_fit(digits, tmp_path):
    X, y = digits[0][:400], digits[1][:400]
    path = tmp_path / "log.csv"
    est = quiet_fit(MLPFromScratch((8,), max_iter=4, early_stopping=True,
                                   n_iter_no_change=100, callbacks=[CSVLogger(path)],
                                   random_state=0), X, y)
    rows = _rows(path)
    keys = ["epoch", "loss", "validation_score", "learning_rate", "seconds", "val_loss"]
    assert list(rows[0]) == keys
    assert len(rows) == len(est.history_) == 4
    for row, record in zip(rows, est.history_):
        for key in keys:
            assert float(row[key]) == pytest.approx(record[key], rel=1e-12)
    est.set_params(early_stopping=False)            # partial_fit holds out nothing
    est.partial_fit(X, y)
    est.partial_fit(X, y)
    rows = _rows(path)
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[-1]["validation_score"] == ""
    quiet_fit(est.set_params(early_stopping=True), X, y)      # a new fit starts the file anew
    assert len(_rows(path)) == 4


def test_csv_has_each_outputs_loss_for_models(tmp_path, rng):
    x = Input((3,))
    model = Model(x, [Dense(1, name="a")(x), Dense(1, name="b")(x)])
    model.fit(rng.standard_normal((20, 3)), (np.zeros(20), np.ones(20)), epochs=2,
              callbacks=[CSVLogger(tmp_path / "m.csv")])
    rows = _rows(tmp_path / "m.csv")
    assert {"a_loss", "b_loss"} <= set(rows[0]) and len(rows) == 2


def test_tensorboard_scalars_read_back_equal_the_loss_curve(digits, tmp_path):
    pytest.importorskip("tensorboardX")
    accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    X, y = digits[0][:400], digits[1][:400]
    board = TensorBoard(tmp_path / "runs")
    est = quiet_fit(MLPFromScratch((8,), max_iter=5, early_stopping=True,
                                   n_iter_no_change=100, callbacks=[board],
                                   random_state=0), X, y)
    train = accumulator.EventAccumulator(os.path.join(board.run_dir, "train"))
    validation = accumulator.EventAccumulator(os.path.join(board.run_dir, "validation"))
    train.Reload()
    validation.Reload()
    # Keras's layout: train/ and validation/ runs with epoch_<quantity> tags
    assert {"epoch_loss", "epoch_learning_rate"} <= set(train.Tags()["scalars"])
    assert {"epoch_score", "epoch_loss"} <= set(validation.Tags()["scalars"])
    loss = train.Scalars("epoch_loss")
    assert [e.step for e in loss] == [1, 2, 3, 4, 5]
    np.testing.assert_allclose([e.value for e in loss], est.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose([e.value for e in validation.Scalars("epoch_score")],
                               est.validation_scores_, rtol=1e-6)
    np.testing.assert_allclose([e.value for e in validation.Scalars("epoch_loss")],
                               [r["val_loss"] for r in est.history_], rtol=1e-6)
    import pickle
    pickle.dumps(est)                       # no open writer is kept after the fit


def test_tensorboard_without_a_writer_says_how_to_install_one(monkeypatch, digits, tmp_path):
    import builtins
    real_import = builtins.__import__

    def no_writers(name, *args, **kwargs):
        if name in ("tensorboardX", "torch.utils.tensorboard"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_writers)
    est = MLPFromScratch((4,), max_iter=2, callbacks=[TensorBoard(tmp_path)])
    with pytest.raises(ImportError, match=r"skscratch\[tensorboard\]"):
        est.fit(*digits)


def test_tensorboard_keeps_one_run_per_fresh_fit_and_continues_it(digits, tmp_path):
    pytest.importorskip("tensorboardX")
    from sklearn.model_selection import cross_val_score
    X, y = digits[0][:200], digits[1][:200]
    est = MLPFromScratch((4,), max_iter=2, callbacks=[TensorBoard(tmp_path / "cv")])
    quiet_fit(est, X, y)
    run = est.callbacks[0].run_dir
    est.partial_fit(X, y)
    assert est.callbacks[0].run_dir == run                 # the curve goes on
    cross_val_score(est, X, y, cv=5)
    assert len(list((tmp_path / "cv").iterdir())) == 6      # no two fits share a run
