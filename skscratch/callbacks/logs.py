"""Training logs: a CSV file, and TensorBoard event files."""

import csv
import os
import time
import uuid

from .base import Callback, check_count, check_flag, check_path


class CSVLogger(Callback):
    """Write one CSV row per epoch: epoch, losses, metrics, validation values, rate, seconds.

    The columns are the keys of the first epoch's record (each output's loss,
    the metrics and the validation values included). A fit that continues an
    earlier one (``warm_start``, ``partial_fit``) appends to the file; a
    fresh fit starts it anew unless ``append``.

    Parameters
    ----------
    filename : str or path-like
    separator : str, default=","
    append : bool, default=False
        Append to an existing file at every fit (Keras's ``append``).

    Examples
    --------
    >>> from skscratch import MLPFromScratch
    >>> from skscratch.callbacks import CSVLogger
    >>> model = MLPFromScratch(callbacks=[CSVLogger("training.csv")])
    """

    def __init__(self, filename, separator=",", append=False):
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"CSVLogger's separator must be one character; got {separator!r}.")
        self.filename = check_path(filename, "CSVLogger's filename")
        self.separator = separator
        self.append = check_flag(append, "CSVLogger's append")
        self._file = self._writer = None

    def on_train_begin(self, logs=None):
        append = ((self.append or self.params["initial_epoch"] > 0)
                  and os.path.exists(self.filename))
        os.makedirs(os.path.dirname(os.fspath(self.filename)) or ".", exist_ok=True)
        self._file = open(self.filename, "a" if append else "w", newline="")
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=list(logs),
                                          delimiter=self.separator, extrasaction="ignore")
            if self._file.tell() == 0:
                self._writer.writeheader()
        self._writer.writerow({k: "" if v is None else v for k, v in logs.items()})
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
        self._file = self._writer = None     # nothing unpicklable outlives a fit

    def __getstate__(self):
        return {**super().__getstate__(), "_file": None, "_writer": None}


class TensorBoard(Callback):
    """Write each epoch's losses, metrics and learning rate as TensorBoard scalars.

    As Keras lays them out: a ``train`` and a ``validation`` folder, each with
    ``epoch_loss``, ``epoch_<metric>`` (``val_accuracy`` is
    ``validation/epoch_accuracy``; an estimator's held-out score is
    ``validation/epoch_score``) and, for training, ``epoch_learning_rate``;
    TensorBoard then draws the training and validation curves together.
    Event files are written by a maintained writer: ``tensorboardX`` (``pip
    install "skscratch[tensorboard]"``), or PyTorch's
    ``torch.utils.tensorboard`` when that is what is installed. View them
    with ``tensorboard --logdir <log_dir>``.

    Parameters
    ----------
    log_dir : str or path-like, default="logs"
        Folder of the event files: a run per fresh fit, named by start time
        and a random suffix, inside it (continued fits write to the same
        run), so the fits of a grid search never share a curve.
    histogram_freq : int, default=0
        Every this many epochs, write a histogram of each layer's weights
        (0: none).
    **keras_options
        Keras's other settings (``write_graph``, ``write_images``,
        ``update_freq``, ``profile_batch``, ``embeddings_freq``, ...) are
        accepted so Keras code runs unchanged; they write nothing (there is
        no graph or profiler to show for NumPy code).

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

    KERAS_OPTIONS = ("write_graph", "write_images", "write_steps_per_second", "update_freq",
                     "profile_batch", "embeddings_freq", "embeddings_metadata")

    def __init__(self, log_dir="logs", histogram_freq=0, **keras_options):
        unknown = sorted(set(keras_options) - set(self.KERAS_OPTIONS))
        if unknown:
            raise TypeError(f"TensorBoard got unexpected keyword argument(s) {unknown}.")
        self.log_dir = check_path(log_dir, "TensorBoard's log_dir")
        self.histogram_freq = check_count(histogram_freq, "TensorBoard's histogram_freq")
        self.keras_options = keras_options
        self.run_dir = None
        self._writers = None

    def on_train_begin(self, logs=None):
        writer_class = _summary_writer()
        if self.params["initial_epoch"] == 0 or self.run_dir is None:   # continued fits go on
            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.run_dir = os.path.join(os.fspath(self.log_dir),
                                        f"{stamp}-{uuid.uuid4().hex[:8]}")
        self._writer_class, self._writers = writer_class, {}

    def on_epoch_end(self, epoch, logs=None):
        step = epoch + 1
        for key, value in logs.items():
            if key in ("epoch", "seconds") or value is None or isinstance(value, bool) \
                    or not isinstance(value, (int, float)):
                continue
            part, tag = _board_tag(key)
            self._writer(part).add_scalar(tag, value, step)
        if self.histogram_freq and step % self.histogram_freq == 0:
            for i, leaf in enumerate(self.model.leaf_layers()):
                for name, array in leaf.params.items():
                    self._writer("train").add_histogram(
                        f"{leaf.name or f'{type(leaf).__name__.lower()}_{i}'}/{name}",
                        array, step)

    def _writer(self, part):
        """The event writer of ``train`` or ``validation``, made on its first scalar."""
        if part not in self._writers:
            self._writers[part] = self._writer_class(os.path.join(self.run_dir, part))
        return self._writers[part]

    def on_train_end(self, logs=None):
        for writer in (self._writers or {}).values():
            writer.close()
        self._writers = None

    def __getstate__(self):
        return {**super().__getstate__(), "_writers": None, "_writer_class": None}


def _board_tag(key):
    """``(folder, tag)`` of a record key, as Keras's TensorBoard names them."""
    if key == "validation_score":
        return "validation", "epoch_score"
    if key.startswith("val_"):
        return "validation", f"epoch_{key[4:]}"
    return "train", f"epoch_{key}"


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
