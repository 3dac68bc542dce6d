"""`ModelCheckpoint`: save the model during training, with `skscratch.save` (no pickle)."""

import os
import warnings

from .base import Callback, Monitor


class ModelCheckpoint(Callback):
    """Save the estimator (or model) after epochs, as :func:`skscratch.save` does.

    Parameters
    ----------
    path : str or path-like
        Where to write. May hold ``{epoch}`` (or any record key, e.g.
        ``"ckpt-{epoch:03d}.npz"``) to keep one file per epoch.
    monitor : str, default="loss"
        A key of the epoch records, for ``save_best_only``.
    save_best_only : bool, default=False
        Save only when the monitored quantity improves (the file then holds
        the best epoch's model).
    mode : {"auto", "min", "max"}, default="auto"
        "auto": higher is better for scores and accuracies, lower otherwise.

    Attributes
    ----------
    saved : list of (int, str)
        ``(epoch, path)`` of each file written in the last fit.

    Examples
    --------
    >>> from skscratch import MLPFromScratch
    >>> from skscratch.callbacks import ModelCheckpoint
    >>> model = MLPFromScratch(early_stopping=True, callbacks=[
    ...     ModelCheckpoint("best.npz", monitor="validation_score", save_best_only=True)])
    """

    def __init__(self, path, monitor="loss", save_best_only=False, mode="auto"):
        self.path = path
        self.monitor = monitor
        self.save_best_only = save_best_only
        self.mode = mode
        self._rule = Monitor(monitor, mode)
        self.saved = []

    def on_train_begin(self, trainer, record):
        if trainer.state.n_iter == 0:        # a fresh fit; warm_start/partial_fit continue
            self._rule = Monitor(self.monitor, self.mode)   # as set now
            self.saved = []

    def on_epoch_end(self, trainer, record):
        if self.save_best_only and not self._rule.improved(record):
            return False
        # persistence sits above the training loop: imported when first needed
        from ..persistence import save
        path = self._path(record)
        with warnings.catch_warnings():
            # the owner's callbacks (this one included) and build functions are code,
            # never saved: said once by save() itself, not at every checkpoint
            warnings.filterwarnings("ignore", ".*(callbacks are|which is) code", UserWarning)
            save(trainer.owner, path)
        self.saved.append((record["epoch"], path))
        return False

    def _path(self, record):
        """The file of this epoch (``{epoch}``-style fields filled); its folder is made."""
        path = os.fspath(self.path)
        if "{" in path:
            try:
                path = path.format(**record)
            except (KeyError, ValueError, TypeError, IndexError) as exc:
                raise ValueError(f"ModelCheckpoint path {self.path!r} could not be filled from "
                                 f"the record {record}: {exc!r}.") from None
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        return path
