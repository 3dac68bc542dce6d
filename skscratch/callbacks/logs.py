"""Training logs: a CSV file, and TensorBoard event files."""

import csv
import os
import time
import uuid

from .base import Callback


class CSVLogger(Callback):
    """Write one CSV row per epoch: epoch, losses, validation score, rate, seconds.

    The columns are the keys of the first epoch's record (each output's loss
    and the validation losses included). A fit that continues an earlier one
    (``warm_start``, ``partial_fit``) appends to the file; a fresh fit starts
    it anew.

    Parameters
    ----------
    path : str or path-like
    separator : str, default=","

    Examples
    --------
    >>> from skscratch import MLPFromScratch
    >>> from skscratch.callbacks import CSVLogger
    >>> model = MLPFromScratch(callbacks=[CSVLogger("training.csv")])
    """

    def __init__(self, path, separator=","):
        self.path = path
        self.separator = separator
        self._file = self._writer = None

    def on_train_begin(self, trainer, record):
        append = trainer.state.n_iter > 0 and os.path.exists(self.path)
        os.makedirs(os.path.dirname(os.fspath(self.path)) or ".", exist_ok=True)
        self._file = open(self.path, "a" if append else "w", newline="")
        self._writer = None

    def on_epoch_end(self, trainer, record):
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=list(record),
                                          delimiter=self.separator, extrasaction="ignore")
            if self._file.tell() == 0:
                self._writer.writeheader()
        self._writer.writerow({k: "" if v is None else v for k, v in record.items()})
        self._file.flush()
        return False

    def on_train_end(self, trainer, record):
        if self._file is not None:
            self._file.close()
        self._file = self._writer = None     # nothing unpicklable outlives a fit

    def __getstate__(self):
        return {**self.__dict__, "_file": None, "_writer": None}


class TensorBoard(Callback):
    """Write each epoch's losses, scores and learning rate as TensorBoard scalars.

    Event files are written by a maintained writer: ``tensorboardX`` (``pip
    install "skscratch[tensorboard]"``), or PyTorch's
    ``torch.utils.tensorboard`` when that is what is installed. View them
    with ``tensorboard --logdir <log_dir>``.

    Parameters
    ----------
    log_dir : str or path-like
        Folder of the event files; a run per fresh fit, named by start time
        and a random suffix, inside it (continued fits write to the same run).

    Attributes
    ----------
    run_dir : str or None
        The folder the last fit wrote to.

    Examples
    --------
    >>> from skscratch import MLPFromScratch
    >>> from skscratch.callbacks import TensorBoard
    >>> model = MLPFromScratch(callbacks=[TensorBoard("runs")])
    """

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.run_dir = None
        self._writer = None

    def on_train_begin(self, trainer, record):
        writer_class = _summary_writer()
        if trainer.state.n_iter == 0 or self.run_dir is None:      # continued fits go on
            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.run_dir = os.path.join(os.fspath(self.log_dir),
                                        f"{stamp}-{uuid.uuid4().hex[:8]}")
        self._writer = writer_class(self.run_dir)

    def on_epoch_end(self, trainer, record):
        for key, value in record.items():
            if key != "epoch" and isinstance(value, (int, float)) and not isinstance(value, bool):
                self._writer.add_scalar(key, value, record["epoch"])
        return False

    def on_train_end(self, trainer, record):
        if self._writer is not None:
            self._writer.close()
        self._writer = None

    def __getstate__(self):
        return {**self.__dict__, "_writer": None}


def _summary_writer():
    """The ``SummaryWriter`` class of tensorboardX, or of PyTorch; ImportError otherwise."""
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise ImportError('The TensorBoard callback needs tensorboardX: pip install '
                              '"skscratch[tensorboard]" (or PyTorch with tensorboard).') from None
    return SummaryWriter
