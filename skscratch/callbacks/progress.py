"""Progress on the terminal: a line per epoch, and a bar within long epochs."""

import sys
import time

from .base import Callback, check_flag

# the plain progress line is redrawn at most this often (seconds)
PROGRESS_SECONDS = 1.0


class EpochPrinter(Callback):
    """Print one line per epoch: the losses and metrics, validation values, time.

    What ``verbose=1`` adds to a fit.
    """

    def on_epoch_end(self, epoch, logs=None):
        skip = ("epoch", "learning_rate", "seconds", "validation_score")
        values = "".join(f" - {k}: {v:.6f}" for k, v in logs.items()
                         if k not in skip and isinstance(v, float))
        val = logs.get("validation_score")
        val = "" if val is None else f" - validation score: {val:.6f}"
        # epochs continue across warm_start fits and partial_fit calls
        print(f"Epoch {epoch + 1}/{self.params['epochs']}{values}{val}"
              f" - {logs['seconds']:.2f}s", flush=True)


class ProgressBar(Callback):
    """A per-batch progress bar within each epoch (what ``verbose=2`` adds).

    With ``tqdm`` installed (``pip install "skscratch[progress]"``) it draws
    a tqdm bar; otherwise a ``batch i/n - samples/s`` line, redrawn in place
    at most once a second, on epochs longer than that.

    Parameters
    ----------
    use_tqdm : bool or None, default=None
        None uses tqdm when it is installed.
    """

    def __init__(self, use_tqdm=None):
        self.use_tqdm = None if use_tqdm is None else check_flag(use_tqdm,
                                                                 "ProgressBar's use_tqdm")
        self._bar = None

    def on_epoch_begin(self, epoch, logs=None):
        n_batches = self.params["steps"]
        tqdm = _tqdm() if self.use_tqdm is not False else None
        if self.use_tqdm and tqdm is None:
            raise ImportError('ProgressBar(use_tqdm=True) needs tqdm: pip install '
                              '"skscratch[progress]".')
        self._bar = (tqdm(total=n_batches, desc=f"epoch {epoch + 1}", unit="batch",
                          leave=False, file=sys.stdout) if tqdm is not None
                     else _Line(n_batches))

    def on_train_batch_end(self, batch, logs=None):
        self._bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        self._bar.close()
        self._bar = None

    def on_train_end(self, logs=None):
        if self._bar is not None:        # interrupted mid-epoch
            self._bar.close()
        self._bar = None

    def __getstate__(self):
        return {**super().__getstate__(), "_bar": None}


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


class _Line:
    """A ``batch i/n - samples/s`` line redrawn in place, with tqdm's update/close."""

    def __init__(self, n_batches):
        self.n_batches, self.done = n_batches, 0
        self.started = self.shown = time.perf_counter()
        self.drawn = False

    def update(self, n):
        """Count ``n`` more batches; redraw at most once a second."""
        self.done += n
        now = time.perf_counter()
        if now - self.shown >= PROGRESS_SECONDS:
            rate = self.done / (now - self.started)
            print(f"\r  batch {self.done}/{self.n_batches} - {rate:,.1f} batches/s",
                  end="", flush=True)
            self.shown, self.drawn = now, True

    def close(self):
        """Erase the line if it was drawn."""
        if self.drawn:
            print("\r" + " " * 60 + "\r", end="", flush=True)
