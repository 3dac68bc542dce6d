"""What every skscratch estimator shares: its parameters and its fit.

- The parameters: declarative constraints (:data:`TRAINING_CONSTRAINTS`,
  checked by scikit-learn's ``validate_parameter_constraints``; each estimator
  adds its architecture parameters, and losses, solvers and activations are
  read from the engine's registries), and the architecture a network was
  built from, recorded at the first fit and compared on continued fits
  (:func:`check_unchanged`).
- The fit: ``fit`` and ``partial_fit`` validate the data and encode the
  target (:mod:`._data`), build the network, train it with the callbacks the
  parameters ask for (:func:`estimator_callbacks`: scikit-learn's plateau
  rule, early stopping, the learning-rate schedules) or with L-BFGS
  (:mod:`._lbfgs`), and publish the fitted state (:mod:`._state`). A failed
  call is put back to one snapshot (:mod:`skscratch.rollback`).

Prediction and ``coefs_``/``intercepts_`` (:mod:`._prediction`) and the
fitted state's pickling and files (:mod:`._state`) come in as mixins.
"""

import inspect
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import ClassifierTags, RegressorTags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from ..callbacks import CosineDecay, InvScaling, OneCycle, PlateauStopping, as_callbacks
from ..callbacks.base import trainer_verbosity, warn
from ..container import check_memory
from ..layers import BatchNorm
from ..layers.activations import ACTIVATIONS
from ..layers.base import as_list, check_positive_int, leaf_layers
from ..lbfgs import chunk_rows
from ..network import Network
from ..optimizers import OPTIMIZERS
from ..rollback import Snapshot
from ..training import Divergence, Trainer, n_rows
from ._data import (
    CLASSIFICATION_LOSSES,
    REGRESSION_LOSSES,
    EpochOrder,
    cast,
    check_classes,
    check_label_types,
    compiled_loss,
    csr,
    fit_random_state,
    generator,
    init_output_bias,
    initialize_like_sklearn,
    joined,
    make_target,
    ravel_column,
    raw_output,
    reject_datetimes,
    sample_shape,
    scale_hint,
    side_generator,
    validate_sample_weight,
    validation_split,
)
from ._lbfgs import memory_slots, train_lbfgs
from ._prediction import PredictionMixin, WeightsMixin, check_fitted_task, is_classification
from ._sklearn_private import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from ._state import FittedState, Published, StateMixin, publish


def canonical(value):
    """A comparable form of a parameter value.

    Sequences and arrays become tuples, NumPy scalars Python ones, so
    ``[8]``, ``(8,)`` and ``np.array([8])`` compare equal.
    """
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(canonical(v) for v in value)
    return value.item() if isinstance(value, np.generic) else value


def sizes(value, repeat=1):
    """A sequence as a tuple; a scalar as ``repeat`` copies (``3 -> (3, 3)`` for a pair)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return canonical(value)
    return (canonical(value),) * repeat


def same(a, b):
    """Whether two recorded values are equal (``is``, else ``==``; False if incomparable)."""
    if a is b:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):       # e.g. arrays in routed model parameters
        return False


def check_unchanged(recorded, current, incremental):
    """Raise ValueError naming a parameter that differs from the recorded architecture.

    Parameters
    ----------
    recorded : dict
        The architecture of the first fit.
    current : dict
        The estimator's architecture now.
    incremental : bool
        Whether the call is ``partial_fit`` (else a ``warm_start`` fit).
    """
    for name in {**recorded, **current}:
        old, new = recorded.get(name), current.get(name)
        if not same(old, new):
            how = "partial_fit" if incremental else "a warm_start fit"
            raise ValueError(
                f"{name}={new!r} differs from the previous fit's {name}={old!r}: {how} "
                "continues the network built then. Set it back, or fit with "
                "warm_start=False to build a new network.")


# softmax normalises over the features: an output activation, not a hidden one
HIDDEN_ACTIVATIONS = set(ACTIVATIONS) - {"softmax"}

TRAINING_CONSTRAINTS = {
    "task": [StrOptions({"classification", "regression"})],
    "loss": [StrOptions(set(CLASSIFICATION_LOSSES) | set(REGRESSION_LOSSES))],
    "activation": [StrOptions(HIDDEN_ACTIVATIONS)],
    # "lbfgs" is the full-batch solver (skscratch/lbfgs.py), the others step optimizers
    "solver": [StrOptions(set(OPTIMIZERS) | {"lbfgs"})],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "one_cycle",
                                   "cosine"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "callbacks": [list, tuple, None],
}


# the largest number a float64 parameter can hold
FLOAT_MAX = float(np.finfo(np.float64).max)    # a Python float: compared with any int exactly


def reject_bools(constraints, params, owner):
    """Refuse numbers scikit-learn's intervals accept but training cannot use.

    ``Interval(Integral, ...)`` and ``Interval(Real, ...)`` accept ``True``
    (``bool`` subclasses ``int``), so ``batch_size=True`` would train with
    batches of one sample; and ``Interval(Real, ...)`` accepts an integer
    beyond float64's range (``alpha=10**400``), which no float can hold.

    Parameters
    ----------
    constraints : dict
        The estimator's ``_parameter_constraints``.
    params : dict
        Its parameters (``get_params(deep=False)``).
    owner : str
        The estimator's name, for the message.

    Raises
    ------
    InvalidParameterError
        scikit-learn's parameter error (both a ValueError and a TypeError).
    """
    for name, value in params.items():
        allowed = constraints.get(name, ())
        numeric = any(isinstance(c, Interval) for c in allowed)
        takes_bools = any(c in ("boolean", "verbose", bool) for c in allowed
                          if isinstance(c, (str, type)))
        if isinstance(value, bool) and numeric and not takes_bools:
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} takes numbers, not a bool; got {value!r}.")
        real = any(isinstance(c, Interval) and c.type is Real for c in allowed)
        if real and isinstance(value, (int, np.integer)) and abs(value) > FLOAT_MAX:
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be a number a float can hold; got "
                f"an integer of {len(str(abs(value)))} digits.")


# schedules that span the max_iter epochs of one fit, for any mini-batch solver
FIT_SCHEDULES = ("one_cycle", "cosine")
# OneCycle's momentum at the peak rate, as a fraction of the momentum at the ends
# (Smith's and PyTorch's 0.85 against 0.95): momentum=0 stays plain SGD
MOMENTUM_DIP = 0.85 / 0.95


class CheckedInvScaling(InvScaling):
    """scikit-learn's "invscaling" schedule, a ``power_t`` too large named as the estimator's.

    ``(t + 1) ** power_t`` overflows a float once ``power_t * log(t + 1)``
    passes about 709 (the rate would underflow to zero, which trains
    nothing): :class:`InvScaling` raises a ValueError, worded here for the
    estimator's parameters.

    Parameters
    ----------
    power_t : float, default=0.5
    """

    def too_large(self, t):
        """The message when ``(t + 1) ** power_t`` overflows, in the estimator's words."""
        return (f"power_t={self.power_t!r} is too large for learning_rate='invscaling': "
                f"learning_rate_init / (t + 1) ** power_t underflows to zero after "
                f"t={t} samples. Use a smaller power_t (the default is 0.5).")


def estimator_callbacks(estimator, fitted):
    """scikit-learn's stopping rule and schedules, then the user's callbacks.

    The user's callbacks see the estimator's fitted attributes as of each
    epoch (published first). scikit-learn's schedules apply to
    ``solver="sgd"``, as in scikit-learn; "one_cycle" and "cosine" to any
    mini-batch solver, over the ``max_iter`` epochs of the fit, peaking at the
    optimizer's initial rate (``learning_rate_init``). "one_cycle" cycles
    the momentum of an optimizer that has one between the estimator's
    ``momentum`` (at the ends) and ``0.85 / 0.95`` of it (at the peak rate).
    ``solver="lbfgs"`` stops by SciPy's own rules and has no rate to
    schedule (scikit-learn ignores ``learning_rate`` there too): it runs the
    user's callbacks only (once per iteration).

    Parameters
    ----------
    estimator : BaseNeuralEstimator
        Its ``solver``, ``learning_rate``, ``tol``, ``n_iter_no_change``,
        ``power_t`` and ``callbacks``.
    fitted : FittedState
        The fit in progress (``early_stopping`` restores the best weights).

    Returns
    -------
    callbacks : list of Callback
    """
    user = as_callbacks(estimator.callbacks)
    published = [Published(fitted)] + user if user else []
    if estimator.solver == "lbfgs":
        return published
    sgd = estimator.solver == "sgd"
    callbacks = [PlateauStopping(estimator.tol, estimator.n_iter_no_change,
                                 adaptive=sgd and estimator.learning_rate == "adaptive",
                                 restore_best_weights=fitted.early_stopping)]
    if sgd and estimator.learning_rate == "invscaling":
        callbacks.append(CheckedInvScaling(estimator.power_t))
    callbacks += fit_schedule(estimator.learning_rate, fitted.optimizer)
    return callbacks + published


def fit_schedule(learning_rate, optimizer):
    """The callback of ``learning_rate="one_cycle"`` or ``"cosine"`` (a list of 0 or 1).

    Parameters
    ----------
    learning_rate : str
        The estimator's ``learning_rate``.
    optimizer : Optimizer
        The fit's optimizer: its momentum, if it has one, is the cycle's top.
    """
    if learning_rate == "cosine":
        return [CosineDecay()]
    if learning_rate != "one_cycle":
        return []
    momentum = getattr(optimizer, "momentum", None)
    if momentum is None:
        return [OneCycle(cycle_momentum=False)]
    return [OneCycle(base_momentum=MOMENTUM_DIP * momentum, max_momentum=momentum)]


def check_incremental_schedule(estimator):
    """Refuse ``partial_fit`` with a schedule that spans one fit's ``max_iter`` epochs."""
    if estimator.learning_rate in FIT_SCHEDULES:
        raise ValueError(
            f"learning_rate={estimator.learning_rate!r} schedules the max_iter epochs of one "
            "fit; partial_fit trains one epoch per call with no end known. Use fit, or "
            "learning_rate='constant' with a OneCycle or CosineDecay callback given "
            "total_steps (skscratch.callbacks).")


# the step size when neither learning_rate_init nor a compiled optimizer gives one
DEFAULT_LEARNING_RATE = 1e-3


@dataclass
class FitOptions:
    """Keras's ``fit`` arguments an estimator's ``fit`` takes on top of scikit-learn's.

    Attributes
    ----------
    epochs : int or None
        This fit's epochs (``max_iter`` otherwise).
    batch_size : int or None
        This fit's batch size (``batch_size`` otherwise).
    verbose : {0, 1, 2, "auto"} or None
        Keras's verbosity for this fit (1 a progress bar and a line per
        epoch, 2 the lines alone), else the estimator's own ``verbose``.
    validation_data : tuple or None
        ``(X_val, y_val)``: ``val_loss`` and the validation metrics join each
        epoch's record.
    callbacks : list or None
        Run after the estimator's own ``callbacks``, for this fit only.
    """

    epochs: int = None
    batch_size: int = None
    verbose: int = None
    validation_data: tuple = None
    callbacks: list = None

    def __post_init__(self):
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if value is not None:
                check_positive_int(value, name)
        as_callbacks(self.callbacks, "callbacks")
        if self.verbose is not None:
            self.verbose = trainer_verbosity(self.verbose, "verbose")


class BaseNeuralEstimator(PredictionMixin, WeightsMixin, StateMixin, BaseEstimator):
    """Shared machinery of :class:`MLPFromScratch` and its siblings.

    Subclasses define ``__init__`` (storing parameters only) and
    :meth:`_make_layers`; everything else — validation, target encoding, the
    training loop, early stopping, fitted attributes — lives here.
    """

    _parameter_constraints = dict(TRAINING_CONSTRAINTS)
    # MLPFromScratch draws its weights and shuffles as scikit-learn's MLP does
    _sklearn_random_streams = False
    # SciPy sparse X is accepted (as CSR batches) where the first layer is Dense
    _sparse_formats = False

    def __sklearn_is_fitted__(self):
        # a first fit that failed has set n_features_in_ (validation runs
        # first) but no model: only a trained network makes the estimator fitted
        return hasattr(self, "network_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.sparse = bool(self._sparse_formats)
        tags.target_tags.multi_output = True
        if is_classification(self):
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags(multi_label=True)
        else:
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        return tags

    def set_params(self, **params):
        """Set the estimator's parameters: all of them, or none if one is refused.

        As scikit-learn's ``set_params``, except that a refused name leaves
        the estimator as it was (scikit-learn's keeps the values set before it).

        Parameters
        ----------
        **params : dict
            Parameter names (``name`` or ``name__sub`` for a nested object's)
            and their values.

        Returns
        -------
        self : estimator
        """
        before = dict(vars(self))
        try:
            return super().set_params(**params)
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
            raise

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)`` for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels or a multilabel 0/1 indicator matrix for
            classification; real values for regression.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights: each sample's loss counts in proportion.

        Returns
        -------
        self : estimator
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train for one epoch on ``(X, y)``, keeping the optimizer's state.

        Offered for the mini-batch solvers ("adam", "sgd"), as in scikit-learn.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), optional
        classes : array-like of shape (n_classes,), optional
            Every class label; required on the first call for single-label
            classification, as the first chunk may not hold them all (the
            argument order is scikit-learn's ``MLPClassifier.partial_fit``).

        Returns
        -------
        self : estimator
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight, incremental, classes=None, options=None):
        with self._snapshot(incremental, options):
            try:
                return self._fit_unsafe(X, y, sample_weight, incremental, classes,
                                        FitOptions(**(options or {})))
            except Divergence as exc:
                # the advice names the estimator's parameters, once
                rate = ("the compiled optimizer's learning rate" if self.learning_rate_init is None
                        else f"learning_rate_init={self.learning_rate_init!r}")
                advice = ("Scale the inputs." if exc.learning_rate is None else
                          f"Try a smaller learning rate ({rate}) or scale the inputs.")
                raise ValueError(f"Training diverged at {exc.step}: {exc.problem}. {advice}"
                                 ) from exc

    def _snapshot(self, incremental, options):
        """What this call may change, put back if it fails (:class:`~skscratch.rollback.Snapshot`).

        The estimator's attributes (a failed first fit leaves it unfitted, a
        failed refit keeps the previous model) and its callbacks' state; a
        continued fit (``warm_start``, ``partial_fit``) trains the fitted
        network, optimizer, training record and random generator in place,
        so they are kept too. A fresh fit builds a new network and leaves
        the previous one alone. Ctrl-C (``KeyboardInterrupt``) is a failure
        like any other: the estimator is put back and the interrupt
        propagates, so it also stops a grid search or a script rather than
        letting it carry on with a half-trained model.
        """
        fitted = self.__dict__.get("_fitted")
        continued = fitted is not None and (incremental or self.warm_start)
        trained = ((fitted, fitted.network, fitted.optimizer, fitted.training, fitted.rng)
                   if continued else ())
        given = as_list(self.callbacks)[0] + as_list((options or {}).get("callbacks"))[0]
        return Snapshot(self, *trained, callbacks=given)

    def _fit_unsafe(self, X, y, sample_weight, incremental, classes, options):
        """:meth:`_fit`'s work; a failure part-way is rolled back by the caller."""
        first = self._check_call(incremental)
        # scikit-learn's MLP draws from one RandomState per call (_data.fit_random_state)
        streams = fit_random_state(self.random_state) if self._sklearn_random_streams else None
        X, y = self._validate_Xy(X, y, reset=first)
        if is_classification(self):
            check_classes(y, classes, None if first else self._fitted.target.classes,
                          incremental)
        if self._batch_size_clipped(n_rows(X)):
            warn("Got `batch_size` less than 1 or larger than sample size. It is going to be "
                 "clipped", UserWarning)
        target = (make_target(is_classification(self), self.loss, y,
                              classes if incremental else None) if first
                  else self._fitted.target)
        rows = as_list(X, tuple)[0][0]          # every input shares the rows and dtype
        Y = target.encode(y, rows.dtype)
        sample_weight = validate_sample_weight(sample_weight, rows)
        if first:
            fitted = self._new_state(X, Y, target, sample_weight, streams)
            compiled_loss(target, fitted.network, self.loss)
            template = getattr(getattr(fitted.network, "compiled", None), "optimizer", None)
        else:
            fitted = self._fitted
            X, Y = cast(X, fitted.network.dtype), Y.astype(fitted.network.dtype, copy=False)
            template = fitted.optimizer
        # partial_fit keeps the optimizer's moments; fit (warm start too) starts afresh,
        # and so does a partial_fit after an lbfgs fit (which keeps none)
        keep = incremental and not first and fitted.optimizer is not None
        optimizer = fitted.optimizer if keep else self._make_optimizer(template)
        early_stopping = self.early_stopping and not incremental and self.solver != "lbfgs"
        fitted = FittedState(fitted.network, target, optimizer, fitted.rng, fitted.training,
                             early_stopping,
                             0 if fitted.training is None else fitted.training.n_iter,
                             fitted.architecture)
        self._train(fitted, (X, y, Y, sample_weight), incremental, streams, options)
        return self

    def _check_call(self, incremental):
        """Validate the parameters for this call; return whether it builds a new network.

        A continued fit (``partial_fit``, ``warm_start``) trains the network
        of the first fit: the parameters it was built from may not change.
        """
        params = self.get_params(deep=False)
        validate_parameter_constraints(self._parameter_constraints, params, type(self).__name__)
        reject_bools(self._parameter_constraints, params, type(self).__name__)
        as_callbacks(self.callbacks)       # a bad callback fails here, not after an epoch
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True.")
        if incremental:
            check_incremental_schedule(self)
        first = not hasattr(self, "network_") or not (incremental or self.warm_start)
        if not first:
            check_fitted_task(self)
        if not first and self._fitted.architecture is not None:   # (None: an older pickle)
            check_unchanged(self._fitted.architecture, self._built_from(self._fitted),
                            incremental)
        return first

    def _built_from(self, fitted=None):
        """The parameters a fitted network and its target were made from, comparable.

        :meth:`_architecture` and the ``loss``: a continued fit with other
        values is refused. ``fitted``: the record of a state saved without
        the loss leaves it out.
        """
        built = {**self._architecture(), "loss": self.loss}
        if fitted is not None and "loss" not in fitted.architecture:
            del built["loss"]
        return built

    def _new_state(self, X, Y, target, sample_weight, streams=None):
        """Build the network of a first fit; its state, without optimizer or training yet.

        With scikit-learn's ``streams`` (a RandomState), the Dense layers are
        initialised from it exactly as ``MLPClassifier`` does.
        """
        input_shape, dtype = sample_shape(X), as_list(X, tuple)[0][0].dtype
        architecture = self._built_from()
        network = self._build_network(input_shape, target.n_outputs)
        # continued=True: any fitted estimator may go on with partial_fit or warm_start
        check_memory(network, input_shape, dtype=dtype, n_samples=n_rows(X), continued=True,
                     **self._footprint(network, input_shape, n_rows(X), dtype))
        rng = generator(self.random_state) if streams is None else side_generator(
            self.random_state)
        network.build(input_shape, rng, dtype)
        if streams is None:
            init_output_bias(network, target, Y, sample_weight)
        else:
            initialize_like_sklearn(network, streams, getattr(self, "activation", None))
        return FittedState(network, target, None, rng, None, architecture=architecture)

    def _footprint(self, network, input_shape, n_samples, dtype):
        """What the memory check needs to know of the fit: batch, optimizer slots, copies of X."""
        if self.solver == "lbfgs":
            return {"batch_size": chunk_rows(network, input_shape, n_samples),
                    "optimizer_slots": memory_slots(dtype), "copies_of_x": 0}
        return {"batch_size": self._batch_size(n_samples),
                "optimizer_slots": len(OPTIMIZERS.get_class(self.solver or "adam").state_slots),
                "copies_of_x": int(bool(self.early_stopping))}

    def _architecture(self):
        """Hook: the parameters the network is built from, in a comparable form.

        Recorded at the first fit; a continued fit with different values is
        refused. Each estimator lists its architecture parameters.
        """
        return {}

    def _train(self, fitted, data, incremental, streams, options):
        """Run the epochs, then keep the best weights and publish the fitted attributes."""
        X, y, Y, sample_weight = data
        if self.solver == "lbfgs":
            train_lbfgs(self, fitted, X, Y, sample_weight, estimator_callbacks(self, fitted))
            publish(self, fitted)
            return
        evaluators = []
        if fitted.early_stopping:
            X, Y, sample_weight, held_out = validation_split(
                data, fitted, self.validation_fraction, is_classification(self),
                fitted.rng if streams is None else streams)
            evaluators.append(held_out)
        if options.validation_data is not None:
            evaluators.append(self._validation_data(fitted, options.validation_data))
        batch_size = options.batch_size or self._batch_size(n_rows(X))
        self._check_batch_norm(fitted.network, n_rows(X), batch_size)
        compiled = getattr(fitted.network, "compiled", None)
        trainer = Trainer(
            fitted.network, fitted.target.loss, fitted.optimizer, alpha=self.alpha,
            batch_size=min(batch_size, n_rows(X)), rng=fitted.rng,
            shuffle=EpochOrder(streams) if self.shuffle and streams is not None else self.shuffle,
            tol=None, verbose=self.verbose if options.verbose is None else options.verbose,
            callbacks=estimator_callbacks(self, fitted) + as_callbacks(options.callbacks),
            owner=self, metrics=None if compiled is None else compiled.metrics)
        max_epochs = 1 if incremental else options.epochs or self.max_iter
        fitted.training = trainer.fit(X, Y, sample_weight, state=fitted.training,
                                      max_epochs=max_epochs, evaluate=joined(evaluators),
                                      rollback=False)       # the call's snapshot covers it
        if not incremental and fitted.training.stopped is None:
            warn(f"Stochastic Optimizer: Maximum iterations ({max_epochs}) reached and the "
                 "optimization hasn't converged yet." + scale_hint(X), ConvergenceWarning)
        publish(self, fitted)

    def _validation_data(self, fitted, validation_data):
        """``evaluate()`` of Keras's ``validation_data=(X_val, y_val)``: the validation
        loss (without the L2 penalty) and metrics of the network as it trains."""
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a tuple (X_val, y_val).")
        X_val = self._validated_rows(validation_data[0], fitted.network.dtype)
        y_val = ravel_column(np.asarray(validation_data[1]))
        target, network = fitted.target, fitted.network
        Y_val = target.encode(y_val, network.dtype)
        if Y_val.shape[0] != n_rows(X_val):
            raise ValueError(f"validation_data holds {n_rows(X_val)} samples of X and "
                             f"{Y_val.shape[0]} of y.")
        compiled = getattr(network, "compiled", None)
        metrics = compiled.output_metrics(network) if compiled is not None else None

        def evaluate():
            raw = raw_output(network, target, X_val)
            record = {"val_loss": target.loss(raw, Y_val)[0]}
            if metrics:
                metrics.reset()
                metrics.update([raw], [Y_val])
                record.update(metrics.results("val_"))
            return record

        return evaluate

    def _check_batch_norm(self, network, n_samples, batch_size=None):
        """Refuse batches of one sample when the network normalizes batches.

        The batch statistics of one sample are its own values (variance 0):
        with only such batches the layer never learns any. A single sample
        left over at the end of an epoch is fine: ``BatchNorm`` normalizes it
        with its running statistics (see :class:`~skscratch.layers.BatchNorm`).
        """
        if not any(isinstance(leaf, BatchNorm) for leaf in leaf_layers(network)):
            return
        if (batch_size or self._batch_size(n_samples)) == 1:
            raise ValueError(
                f"Batch normalization needs batches of at least 2 samples: batch_size="
                f"{self.batch_size!r} on {n_samples} training sample(s) makes every batch "
                "a single sample, whose statistics are its own values. Use batch_size >= 2 "
                "(and at least 2 training samples), or batch_norm=False.")

    def _validate_Xy(self, X, y, reset):
        reject_datetimes(X)
        X, sample_shape = self._flatten_input(X)
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32),
                             accept_sparse=self._sparse_formats, multi_output=True,
                             y_numeric=not is_classification(self))
        if is_classification(self):
            check_label_types(y)
        return self._shape_input(csr(X), sample_shape, reset), ravel_column(y)

    def _build_network(self, input_shape, n_outputs):
        """Hook: the unbuilt network for samples of ``input_shape`` and ``n_outputs`` outputs.

        ``MLPFromScratch`` and ``ConvNetFromScratch`` chain the layers of
        :meth:`_make_layers`; ``NetworkEstimator`` calls its ``model``.
        """
        return Network(self._make_layers(input_shape, n_outputs))

    def _flatten_input(self, X):
        """Hook: turn multi-dimensional samples into rows before validation.

        Returns the rows and the original shape of one sample (None when
        ``X`` was already rows). Plain MLPs take rows only.
        """
        return X, None

    def _shape_input(self, X, sample_shape, reset):
        """Hook: give validated rows the shape the network's first layer expects."""
        return X

    def _check_solver(self):
        """True for a mini-batch solver; AttributeError (scikit-learn's) for "lbfgs"."""
        if self.solver == "lbfgs":
            raise AttributeError("partial_fit is only available for stochastic optimizers. "
                                 "lbfgs is not stochastic.")
        return True

    def _make_optimizer(self, template=None):
        """The solver's optimizer, set from the estimator's parameters of the same meaning.

        None for "lbfgs", which keeps no state between calls. With
        ``solver=None`` (what :class:`NetworkEstimator` defaults to), a fresh
        copy of ``template``: the optimizer the model was compiled with, or
        the one a continued fit's model was trained with; Adam without one.
        ``learning_rate_init`` (None: the template's rate, or 1e-3) sets the
        rate either way.
        """
        if self.solver == "lbfgs":
            return None
        if self.solver is None and template is not None:
            config = template.get_config()
            if self.learning_rate_init is not None:
                config["learning_rate"] = self.learning_rate_init
            return type(template)(**config)
        cls = OPTIMIZERS.get_class(self.solver or "adam")
        rate = DEFAULT_LEARNING_RATE if self.learning_rate_init is None else self.learning_rate_init
        settings = {arg: getattr(self, param) for arg, param in cls.estimator_params.items()}
        return cls(rate, **settings)

    def _batch_size_clipped(self, n_samples):
        """Whether a ``batch_size`` the user chose exceeds the samples (scikit-learn warns).

        A class default (``ConvNetFromScratch``'s 32) is no choice of the
        user's: small data trains on one full batch without a warning.
        """
        if self.solver == "lbfgs":             # no batches
            return False
        default = inspect.signature(type(self)).parameters["batch_size"].default
        return self.batch_size not in ("auto", default) and self.batch_size > n_samples

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

