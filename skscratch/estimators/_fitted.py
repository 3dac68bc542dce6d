"""An estimator's fitted state: one private object, from which public attributes are read."""

from dataclasses import dataclass

from ..callbacks import Callback
from ..layers.base import leaf_layers
from ..training import TrainingState
from ._targets import ClassificationTarget


@dataclass
class FittedState:
    """Everything a fit leaves behind, kept together.

    Training, persistence and prediction pass this one object around; the
    public fitted attributes (``loss_curve_``, ``classes_``, ...) are read
    from it by :func:`publish`.

    Attributes
    ----------
    network : Network or Model
        The trained model.
    target : ClassificationTarget or RegressionTarget
        How ``y`` maps to the network's outputs, and back.
    optimizer : Optimizer
        With its moments, so ``partial_fit`` continues exactly.
    rng : numpy.random.Generator
        Shuffling and dropout randomness, continued by ``partial_fit``.
    training : TrainingState
        Epochs, losses, validation scores, history.
    early_stopping : bool
        Whether the last fit held out a validation split.
    epochs_before : int
        Epochs run before the current call: ``n_iter_`` counts the epochs of
        the latest call (as scikit-learn does), ``loss_curve_`` all of them.
    architecture : dict or None
        The parameters the network and its target were built from (the
        estimator's ``_built_from()`` at the first fit: its architecture and
        loss): continued fits are refused when they changed. None (a state
        made elsewhere, e.g. by ``load``) is filled from the estimator's
        parameters by :func:`publish`.
    """

    network: object
    target: object
    optimizer: object
    rng: object
    training: TrainingState
    early_stopping: bool = False
    epochs_before: int = 0
    architecture: dict = None


def publish(estimator, fitted):
    """Store ``fitted`` on the estimator and set the public fitted attributes from it."""
    if fitted.architecture is None:
        fitted.architecture = estimator._built_from()
    estimator._fitted = fitted
    network, state, target = fitted.network, fitted.training, fitted.target
    early = fitted.early_stopping
    estimator.network_ = network
    estimator.n_iter_, estimator.t_ = state.n_iter - fitted.epochs_before, state.t
    estimator.loss_curve_ = state.loss_curve
    estimator.loss_ = state.loss_curve[-1] if state.loss_curve else None
    estimator.best_loss_ = None if early else state.best_loss
    estimator.validation_scores_ = state.validation_scores if early else None
    estimator.best_validation_score_ = state.best_validation_score if early else None
    estimator.history_ = state.history
    estimator.n_layers_ = sum("W" in leaf.params for leaf in leaf_layers(network)) + 1
    estimator.n_outputs_ = target.n_outputs
    estimator.out_activation_ = target.out_activation
    if isinstance(target, ClassificationTarget):
        estimator.classes_ = target.classes


class Published(Callback):
    """Publish the fitted attributes after every epoch, for the callbacks after it.

    Parameters
    ----------
    fitted : FittedState
        The state of the fit in progress.
    """

    def __init__(self, fitted):
        self.fitted = fitted

    def on_epoch_end(self, epoch, logs=None):
        self.fitted.training = self.trainer.state
        publish(self.trainer.owner, self.fitted)
