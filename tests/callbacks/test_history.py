import numpy as np
import pytest

from skscratch import Network
from skscratch.callbacks import History
from skscratch.layers import Dense


def test_history_is_keras_dict_of_lists_in_keras_order():
    records = [{"epoch": 1, "loss": 2.0, "validation_score": None, "learning_rate": 0.1,
                "seconds": 0.5, "accuracy": 0.5, "val_loss": 3.0, "val_accuracy": 0.4},
               {"epoch": 2, "loss": 1.0, "validation_score": None, "learning_rate": 0.1,
                "seconds": 0.5, "accuracy": 0.7, "val_loss": 2.5, "val_accuracy": 0.6}]
    history = History(records, {"epochs": 2})
    assert history.history is history
    assert list(history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history["val_accuracy"] == [0.4, 0.6] and history.epoch == [0, 1]
    assert history.params == {"epochs": 2}


def test_fit_returns_the_model_whose_history_pandas_plots(rng):
    pandas = pytest.importorskip("pandas")
    X, y = rng.standard_normal((30, 2)), rng.integers(0, 2, 30)
    model = Network([Dense(2, "softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["accuracy"])
    history = model.fit(X, y, epochs=3, validation_data=(X, y))
    frame = pandas.DataFrame(history.history)
    assert list(frame.columns) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert len(frame) == 3 and model.history is history.history
    assert history.history.params["epochs"] == 3
    np.testing.assert_array_equal(frame["accuracy"].between(0, 1), True)
