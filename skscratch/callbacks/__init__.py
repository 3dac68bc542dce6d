"""Callbacks: objects the training loop notifies, to steer and watch training.

Pass them to an estimator (``MLPFromScratch(callbacks=[...])``) or to
``Network.fit``/``Model.fit``. Each is a small class overriding some of
:class:`Callback`'s hooks; the loop's own printing, plateau stopping and
scikit-learn's learning-rate schedules are callbacks too.
"""

from .base import (
    Callback,
    CallbackList,
    FunctionCallback,
    LambdaCallback,
    Monitor,
    as_callbacks,
)
from .checkpoint import ModelCheckpoint
from .history import History
from .logs import CSVLogger, TensorBoard
from .progress import EpochPrinter, ProgressBar
from .schedules import (
    CosineDecay,
    InvScaling,
    LearningRateScheduler,
    OneCycle,
    ReduceLROnPlateau,
    StepSchedule,
)
from .stopping import EarlyStopping, PlateauStopping

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "CosineDecay",
    "EarlyStopping",
    "EpochPrinter",
    "FunctionCallback",
    "History",
    "InvScaling",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "Monitor",
    "OneCycle",
    "PlateauStopping",
    "ProgressBar",
    "ReduceLROnPlateau",
    "StepSchedule",
    "TensorBoard",
    "as_callbacks",
]
