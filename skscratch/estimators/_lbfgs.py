"""``solver="lbfgs"``: the full-batch fit, as scikit-learn's MLP runs it, and its warning.

scikit-learn hands SciPy's L-BFGS-B the loss and gradient of the whole
training set with ``maxiter=max_iter``, ``maxfun=max_fun`` and
``gtol=tol``, and warns (``ConvergenceWarning``) when SciPy's status is not
0. The mini-batch parameters (``batch_size``, ``shuffle``, the learning
rates, momentum, Adam's, ``early_stopping`` and its validation split,
``n_iter_no_change``) play no part, as there; ``partial_fit`` is not offered.
The loop itself is the engine's :class:`~skscratch.lbfgs.LBFGSTrainer`.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..callbacks.base import warn
from ..lbfgs import LBFGS_PARAMETER_COPIES, LBFGSTrainer
from ._data import scale_hint


def memory_slots(dtype):
    """L-BFGS-B's float64 arrays, as the memory estimate's optimizer slots in ``dtype``.

    :func:`skscratch.container.training_memory` counts each optimizer slot twice
    in a continued fit (what the estimators declare): itself and its snapshot.
    """
    copies = LBFGS_PARAMETER_COPIES * 8 // np.dtype(dtype).itemsize
    return -(-copies // 2)


def train_lbfgs(estimator, fitted, X, Y, sample_weight, callbacks):
    """Minimise the fit's loss with L-BFGS-B; warn as scikit-learn when it did not converge.

    Parameters
    ----------
    estimator : BaseNeuralEstimator
        Its ``alpha``, ``max_fun``, ``max_iter``, ``tol``, ``verbose`` and
        ``callbacks``.
    fitted : FittedState
        The fit in progress; its ``training`` is continued (``warm_start``).
    X, Y : ndarray, or tuple of ndarray
    sample_weight : ndarray or None
    callbacks : list of Callback
        The estimator's callbacks for this fit.
    """
    trainer = LBFGSTrainer(fitted.network, fitted.target.loss, alpha=estimator.alpha,
                           max_fun=estimator.max_fun, tol=estimator.tol,
                           verbose=estimator.verbose, owner=estimator,
                           callbacks=callbacks)
    fitted.training = trainer.fit(X, Y, sample_weight, max_iter=estimator.max_iter,
                                  state=fitted.training)
    if fitted.training.stopped is None:
        n_iter = fitted.training.n_iter - fitted.epochs_before
        warn(convergence_message(trainer.result, n_iter, estimator.max_iter, estimator.max_fun)
             + scale_hint(X, steps="iterations"), ConvergenceWarning)


def convergence_message(result, n_iter, max_iter, max_fun):
    """scikit-learn's words for an L-BFGS run that stopped before converging.

    SciPy's status and message, then which budget to raise when one ran out.

    Parameters
    ----------
    result : scipy.optimize.OptimizeResult
    n_iter : int
        The iterations of this fit.
    max_iter, max_fun : int

    Returns
    -------
    message : str
    """
    message = (f"lbfgs failed to converge after {n_iter} iteration(s) "
               f"(status={result.status}):\n{result.message}\n")
    if n_iter == max_iter:
        message += ("\nIncrease the number of iterations to improve the convergence "
                    f"(max_iter={max_iter}).")
    elif result.status == 1:
        message += ("\nIncrease the number of loss evaluations to improve the convergence "
                    f"(max_fun={max_fun}).")
    return message
