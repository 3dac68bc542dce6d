"""`ModelCheckpoint`: save the model during training, through the model's own ``save``."""

import os
import warnings

from ..archive import check_not_hdf5
from .base import Callback, Monitor, check_flag, check_path, check_verbose


class ModelCheckpoint(Callback):
    """Save the estimator (or model) after epochs, as Keras's ``ModelCheckpoint`` does.

    Files are written by the owner's own ``save`` (skscratch's model format,
    no pickle): an estimator's ``save`` gives a file :func:`skscratch.load`
    turns back into the estimator, a model's ``save`` one it turns back into
    the model; ``save_weights_only`` writes ``model.save_weights`` instead.

    Parameters
    ----------
    filepath : str or path-like
        Where to write. May hold ``{epoch}`` (or any record key, e.g.
        ``"ckpt-{epoch:03d}.npz"``) to keep one file per epoch. A path ending
        in ``.h5`` is refused (a ValueError): skscratch writes no HDF5.
    monitor : str, default="val_loss"
        A key of the epoch records, for ``save_best_only``; a validation
        quantity the fit does not record falls back to its training version,
        with one warning (so this and :class:`EarlyStopping` watch the same
        quantity with their defaults).
    verbose : int, default=0
        1 prints a line for each file written.
    save_best_only : bool, default=False
        Save only when the monitored quantity improves (the file then holds
        the best epoch's model).
    save_weights_only : bool, default=False
        Write only the weights (``model.save_weights``), to restore with
        ``model.load_weights``.
    mode : {"auto", "min", "max"}, default="auto"
        "auto": higher is better for scores and accuracies, lower otherwise.

    Attributes
    ----------
    saved : list of (int, str)
        ``(epoch, path)`` of each file written in the last fit (epochs
        counted from 0).

    Examples
    --------
    >>> from skscratch import MLPFromScratch
    >>> from skscratch.callbacks import ModelCheckpoint
    >>> model = MLPFromScratch(early_stopping=True, callbacks=[
    ...     ModelCheckpoint("best.npz", save_best_only=True)])
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto"):
        self._rule = Monitor(monitor, mode, owner="ModelCheckpoint")
        self.filepath = check_path(filepath, "ModelCheckpoint's filepath")
        # a Keras path ending in .h5 is refused here, not at the first epoch's save
        check_not_hdf5(filepath)
        self.monitor = monitor
        self.verbose = check_verbose(verbose, "ModelCheckpoint's verbose")
        self.save_best_only = check_flag(save_best_only, "ModelCheckpoint's save_best_only")
        self.save_weights_only = check_flag(save_weights_only,
                                            "ModelCheckpoint's save_weights_only")
        self.mode = mode
        self.saved = []

    def on_train_begin(self, logs=None):
        if self.params["initial_epoch"] == 0:       # a fresh fit; continued fits go on
            self._rule = Monitor(self.monitor, self.mode, owner="ModelCheckpoint")
            self.saved = []

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only and not self._rule.improved(logs):
            return
        path = self._path(logs)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            with warnings.catch_warnings():
                # the owner's callbacks (this one included) and build functions are code,
                # never saved: said once by save() itself, not at every checkpoint
                warnings.filterwarnings("ignore", ".*(callbacks are|which is) code",
                                        UserWarning)
                self.trainer.owner.save(path)
        self.saved.append((epoch, path))
        if self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}", flush=True)

    def _path(self, logs):
        """The file of this epoch (``{epoch}``-style fields filled); its folder is made."""
        path = os.fspath(self.filepath)
        if "{" in path:
            try:
                path = path.format(**logs)
            except (KeyError, ValueError, TypeError, IndexError) as exc:
                raise ValueError(f"ModelCheckpoint path {self.filepath!r} could not be filled "
                                 f"from the record {logs}: {exc!r}.") from None
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        return path
