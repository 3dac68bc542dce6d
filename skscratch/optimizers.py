"""Optimizers: update parameters in place from their gradients.

Each optimizer keeps its own state (velocities, moments) aligned with the list
of parameters it is given. Its ``learning_rate`` is a plain attribute that
schedules change between epochs (:mod:`skscratch.callbacks`: scikit-learn's
"invscaling" and "adaptive", Keras's schedulers), for any optimizer alike.
Updates write into the parameter arrays (``out=`` and in-place
operators) so the network's arrays, and any views of them, stay the same
objects.

Every optimizer is registered in :data:`OPTIMIZERS`; its constructor
arguments (:meth:`Optimizer.get_config`) and its state
(:meth:`Optimizer.get_state`) are all that saving and loading need, so a new
optimizer needs no change anywhere else.
"""

import math

import numpy as np

from .callbacks.base import check_flag, check_rate
from .registry import Registry

OPTIMIZERS = Registry("optimizer")
# how the rates and epsilons, open at both ends, are worded when refused
POSITIVE = "be positive and finite"


class Optimizer:
    """Base class: :meth:`step` applies one update with the current ``learning_rate``.

    Parameters
    ----------
    learning_rate : float
        Initial step size.

    Attributes
    ----------
    state_slots : tuple of str
        Names of the arrays the optimizer keeps per parameter array
        (``("velocity",)``, ``("m", "v")``); their values are
        :meth:`get_state`'s arrays.
    nonnegative_slots : tuple of str
        The slots that may not hold negative values (Adam's ``"v"``, a mean of
        squares): :meth:`set_state` refuses them.
    estimator_params : dict of str to str
        Constructor argument -> the scikit-learn MLP parameter that sets it
        (``{"beta_1": "beta_1"}``), read by the estimators.
    keras_defaults : dict
        Constructor arguments that differ from the class defaults when the
        optimizer is named in ``compile`` (``"adam"`` is Keras's Adam).
    """

    state_slots = ()
    nonnegative_slots = ()
    estimator_params = {}
    keras_defaults = {}

    def __init__(self, learning_rate, lr=None):
        learning_rate = learning_rate if lr is None else lr     # Keras 2's name
        learning_rate = check_rate(learning_rate, "learning_rate", closed="neither", must=POSITIVE)
        self.learning_rate_init = learning_rate
        self.learning_rate = learning_rate
        self._buffers = None

    @property
    def learning_rate(self):
        """The current step size, always a Python float.

        A NumPy scalar (a rate from ``np.logspace`` in a grid, a schedule's
        arithmetic on one) is not "weak" in NumPy's promotion rules: against
        a float32 array it would make every pass a float64 loop with casts,
        five times slower (measured on W1's 266k parameters), and round
        differently from float32 arithmetic.
        """
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        """Store ``value`` as a Python float (schedules set it between epochs)."""
        self._learning_rate = float(value)

    def step(self, params, grads):
        """Update each array of ``params`` in place from the matching ``grads``."""
        if self._buffers is None:
            self._buffers = [np.empty_like(p) for p in params]
            self._init_state(params)
        self._update(params, grads)

    def __getstate__(self):
        # the scratch arrays are rewritten by every step: pickle their shapes only
        state = self.__dict__.copy()
        if state.get("_buffers") is not None:
            state["_buffers"] = [(b.shape, b.dtype.str) for b in self._buffers]
        return state

    def __setstate__(self, state):
        buffers = state.get("_buffers")
        if buffers is not None:
            state["_buffers"] = [np.empty(shape, dtype) for shape, dtype in buffers]
        self.__dict__.update(state)

    @property
    def started(self):
        """Whether the optimizer has taken a step (a fresh one has not)."""
        return self._buffers is not None

    def _init_state(self, params):
        """Create per-parameter state on the first step."""
        for slot in self.state_slots:
            setattr(self, "_" + slot, [np.zeros_like(p) for p in params])

    def get_config(self):
        """The constructor arguments, as a dict."""
        return {"learning_rate": self.learning_rate_init}

    def get_state(self):
        """What continues training exactly: scalars and per-parameter arrays.

        Returns
        -------
        scalars : dict of str to float
            The current learning rate and counters.
        arrays : list of ndarray
            For each slot of :attr:`state_slots`, one array per parameter
            array (empty before the first step).
        """
        if self._buffers is None:
            return self._scalars(), []
        return self._scalars(), [a for slot in self.state_slots for a in getattr(self, "_" + slot)]

    def set_state(self, scalars, arrays, params):
        """Restore :meth:`get_state`'s output for the parameter arrays ``params``.

        Parameters
        ----------
        scalars : dict of str to float
        arrays : list of ndarray
            Empty (no step taken yet), or one array per slot and parameter,
            each shaped like its parameter.
        params : list of ndarray
            The parameter arrays the optimizer will step.
        """
        if len(arrays):
            self._check_state(arrays, params)     # before anything changes
        n = len(params)
        self.learning_rate = float(scalars["learning_rate"])
        self._restore_scalars(scalars)
        if not len(arrays):
            self._buffers = None
            return
        for i, slot in enumerate(self.state_slots):
            setattr(self, "_" + slot, [np.array(a, dtype=p.dtype) for a, p in
                                       zip(arrays[i * n:(i + 1) * n], params)])
        self._buffers = [np.empty_like(p) for p in params]

    def _check_state(self, arrays, params):
        """Refuse state arrays that do not fit ``params`` or hold forbidden values."""
        expected = [p.shape for p in params] * len(self.state_slots)
        if [np.shape(a) for a in arrays] != expected:
            raise ValueError(f"{type(self).__name__} state arrays of shapes "
                             f"{[np.shape(a) for a in arrays]} do not fit parameters {expected}.")
        n = len(params)
        for i, slot in enumerate(self.state_slots):
            if slot in self.nonnegative_slots and any(np.any(np.asarray(a) < 0)
                                                      for a in arrays[i * n:(i + 1) * n]):
                raise ValueError(f"{type(self).__name__} state {slot!r} may not be negative.")

    def _scalars(self):
        return {"learning_rate": self.learning_rate}

    def _restore_scalars(self, scalars):
        """Set counters other than the learning rate (Adam's step count)."""

    def _update(self, params, grads):
        raise NotImplementedError


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """Stochastic gradient descent with (Nesterov) momentum; Keras's defaults.

    ``v <- momentum * v - lr * g``; then ``p <- p + v`` or, with Nesterov,
    ``p <- p + momentum * v - lr * g`` (the look-ahead form scikit-learn and
    Keras use). Without momentum, ``p <- p - lr * g``.

    Parameters
    ----------
    learning_rate : float, default=0.01
    momentum : float in [0, 1], default=0.0
    nesterov : bool, default=False
    lr : float, optional
        Keras 2's name of ``learning_rate``.
    """

    state_slots = ("velocities",)
    estimator_params = {"momentum": "momentum", "nesterov": "nesterovs_momentum"}

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, *, lr=None):
        super().__init__(learning_rate, lr)
        self.momentum = check_rate(momentum, "momentum", 0.0, 1.0, "both")
        self.nesterov = check_flag(nesterov, "nesterov")
        self._velocities = None

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}

    def _update(self, params, grads):
        lr, mu = self.learning_rate, self.momentum
        for p, g, v, buf in zip(params, grads, self._velocities, self._buffers):
            np.multiply(g, lr, out=buf)          # buf = lr * g
            if mu == 0:
                p -= buf
                continue
            v *= mu
            v -= buf                             # v = mu * v - lr * g
            if self.nesterov:
                p -= buf
                np.multiply(v, mu, out=buf)
                p += buf                         # p += mu * v - lr * g
            else:
                p += v


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014) with bias correction folded into the step size.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g**2``,
    ``p <- p - lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + eps)``.

    The moments are stored unscaled, ``M = m / (1 - b1)`` and
    ``V = v / (1 - b2)``, so their updates are ``M <- b1 M + g`` and
    ``V <- b2 V + g**2`` and the constant factors move into the scalar step:
    the same arithmetic in ten passes over the arrays instead of twelve
    (measured 0.30 ms against 0.41 ms a step on W1's 266k parameters).

    Parameters
    ----------
    learning_rate : float, default=0.001
    beta_1, beta_2 : float in [0, 1), default=0.9, 0.999
    epsilon : float, default=1e-8
        scikit-learn's and PyTorch's default; Keras's is 1e-7, which
        ``compile(optimizer="adam")`` uses.
    lr : float, optional
        Keras 2's name of ``learning_rate``.
    """

    state_slots = ("m", "v")
    nonnegative_slots = ("v",)
    estimator_params = {"beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon"}
    keras_defaults = {"epsilon": 1e-7}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, *, lr=None):
        super().__init__(learning_rate, lr)
        self.beta_1 = check_rate(beta_1, "beta_1", 0.0, 1.0)
        self.beta_2 = check_rate(beta_2, "beta_2", 0.0, 1.0)
        self.epsilon = check_rate(epsilon, "epsilon", closed="neither", must=POSITIVE)
        self.t = 0
        self._m = self._v = None

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}

    def _scalars(self):
        return {**super()._scalars(), "t": self.t}

    def _restore_scalars(self, scalars):
        self.t = int(scalars["t"])

    def _update(self, params, grads):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        root = math.sqrt(1 - b2)
        # lr_t * m / (sqrt(v) + eps) with m = (1-b1) M, v = (1-b2) V; Python floats
        # (math, not np.sqrt), so a float32 network's passes stay float32 loops
        step = (self.learning_rate * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
                * (1 - b1) / root)
        eps = self.epsilon / root
        for p, g, M, V, buf in zip(params, grads, self._m, self._v, self._buffers):
            M *= b1
            M += g
            np.multiply(g, g, out=buf)
            V *= b2
            V += buf
            np.sqrt(V, out=buf)
            buf += eps
            np.divide(M, buf, out=buf)
            buf *= step
            p -= buf


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), as Keras computes it (Keras's default optimizer).

    ``v <- rho v + (1 - rho) g**2``, ``step = lr * g / sqrt(v + epsilon)``;
    then ``p <- p - step``, or with momentum ``m <- momentum m + step``,
    ``p <- p - m``.

    Parameters
    ----------
    learning_rate : float, default=0.001
    rho : float in [0, 1), default=0.9
    momentum : float in [0, 1], default=0.0
    epsilon : float, default=1e-7
    lr : float, optional
        Keras 2's name of ``learning_rate``.
    """

    state_slots = ("v", "m")
    nonnegative_slots = ("v",)

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, *, lr=None):
        super().__init__(learning_rate, lr)
        self.rho = check_rate(rho, "rho", 0.0, 1.0)
        self.momentum = check_rate(momentum, "momentum", 0.0, 1.0, "both")
        self.epsilon = check_rate(epsilon, "epsilon", closed="neither", must=POSITIVE)
        self._v = self._m = None

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon}

    def _update(self, params, grads):
        lr, rho = self.learning_rate, self.rho
        for p, g, v, m, buf in zip(params, grads, self._v, self._m, self._buffers):
            np.multiply(g, g, out=buf)
            buf *= 1 - rho
            v *= rho
            v += buf                             # v = rho v + (1 - rho) g**2
            np.add(v, self.epsilon, out=buf)
            np.sqrt(buf, out=buf)
            np.divide(g, buf, out=buf)
            buf *= lr                            # the step lr * g / sqrt(v + eps)
            if self.momentum:
                m *= self.momentum
                m += buf
                p -= m
            else:
                p -= buf


def get_optimizer(optimizer, learning_rate=None):
    """Return an :class:`Optimizer` from a name in :data:`OPTIMIZERS` or an instance.

    A name gives Keras's optimizer of that name, with Keras's defaults
    (``"sgd"``: learning rate 0.01, no momentum; ``"adam"``: epsilon 1e-7;
    ``"rmsprop"``), as ``compile(optimizer="sgd")`` does in Keras.

    Parameters
    ----------
    optimizer : str or Optimizer
        ``"sgd"``, ``"adam"``, ``"rmsprop"`` (or any registered name), or an
        instance, returned as is.
    learning_rate : float, optional
        Initial step size for a named optimizer; its default otherwise.

    Returns
    -------
    optimizer : Optimizer
    """
    if isinstance(optimizer, Optimizer):
        return optimizer
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be a name such as 'sgd' or 'adam', or an Optimizer; "
                        f"got {optimizer!r}.")
    cls = OPTIMIZERS.get_class(optimizer.lower())
    kwargs = dict(cls.keras_defaults)
    if learning_rate is not None:
        kwargs["learning_rate"] = learning_rate
    return cls(**kwargs)
