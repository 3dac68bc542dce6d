import pytest

from skscratch import MLPFromScratch
from skscratch.callbacks import EpochPrinter, ProgressBar
from tests.callbacks.conftest import quiet_fit


def test_epoch_printer_and_plain_progress_line(digits, capsys, monkeypatch):
    import skscratch.callbacks.progress as progress
    monkeypatch.setattr(progress, "PROGRESS_SECONDS", 0.0)
    X, y = digits[0][:100], digits[1][:100]
    quiet_fit(MLPFromScratch((4,), max_iter=2, batch_size=25, random_state=0,
                             callbacks=[ProgressBar(use_tqdm=False), EpochPrinter()]), X, y)
    out = capsys.readouterr().out
    assert "\r  batch 4/4" in out and out.count("Epoch ") == 2 and "Epoch 2/2 - loss:" in out


def test_progress_bar_demands_tqdm_only_when_asked(digits, monkeypatch):
    import skscratch.callbacks.progress as progress
    monkeypatch.setattr(progress, "_tqdm", lambda: None)
    X, y = digits[0][:100], digits[1][:100]
    with pytest.raises(ImportError, match=r"skscratch\[progress\]"):
        MLPFromScratch((4,), max_iter=1, callbacks=[ProgressBar(use_tqdm=True)]).fit(X, y)
