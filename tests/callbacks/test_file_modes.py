"""The files callbacks write get the mode ``open(path, "w")`` gives under the umask."""

import importlib.util
import os
import stat

from skscratch import MLPFromScratch
from skscratch.callbacks import CSVLogger, ModelCheckpoint, TensorBoard
from tests.callbacks.conftest import quiet_fit


def test_logs_and_checkpoints_get_the_umask_mode(digits, tmp_path):
    # checkpoints were 0600 whatever the umask (skscratch.save wrote through mkstemp)
    X, y = digits[0][:200], digits[1][:200]
    callbacks = [CSVLogger(tmp_path / "log.csv"), ModelCheckpoint(tmp_path / "ckpt-{epoch}.npz")]
    if importlib.util.find_spec("tensorboardX") is not None:
        callbacks.append(TensorBoard(tmp_path / "runs"))
    previous = os.umask(0o027)         # neither the usual 0o022 nor mkstemp's 0o600
    try:
        quiet_fit(MLPFromScratch((4,), max_iter=2, callbacks=callbacks, random_state=0), X, y)
        open(tmp_path / "plain", "w").close()
    finally:
        os.umask(previous)
    files = [os.path.join(folder, name) for folder, _, names in os.walk(tmp_path)
             for name in names]
    assert len(files) == len(callbacks) + 2        # one checkpoint more, and "plain"
    modes = {os.path.relpath(f, tmp_path): stat.S_IMODE(os.stat(f).st_mode) for f in files}
    assert set(modes.values()) == {0o640}, modes
