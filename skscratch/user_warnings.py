"""Warnings that point at the user's line, whatever called skscratch on the way.

A fixed ``stacklevel`` names the right line for one call path only: ``fit``
called directly, through a ``Pipeline``, a grid search or cross-validation,
or ``partial_fit`` reach the code that warns through different numbers of
frames. :func:`warn` walks the stack instead, past skscratch's frames and
those of the libraries that call estimators on the user's behalf
(scikit-learn's pipelines, searches and cross-validation, joblib's loop,
skops's serialisation) and of the standard library's wrappers they call
through (``functools``, ``contextlib``), to the first frame of anything
else: the user's script or module. That is the location ``warnings`` shows, and the module
``filterwarnings(module=...)`` matches.
"""

import sys
import warnings

# packages whose frames stand between the user's call and the warning
INTERNAL_PACKAGES = ("skscratch", "sklearn", "joblib", "skops", "functools", "contextlib")


def _internal(frame):
    name = frame.f_globals.get("__name__") or ""
    return any(name == package or name.startswith(package + ".")
               for package in INTERNAL_PACKAGES)


def caller_stacklevel():
    """The ``stacklevel`` of the first frame outside :data:`INTERNAL_PACKAGES`.

    Counted from the function calling this one, as ``warnings.warn`` counts
    it when that function calls it. When every frame is internal (a worker
    process of a parallel search), the outermost frame.

    Returns
    -------
    stacklevel : int
    """
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and _internal(frame):
        frame, level = frame.f_back, level + 1
    return level


def warn(message, category=UserWarning):
    """``warnings.warn(message, category)`` located at the user's line.

    Parameters
    ----------
    message : str
    category : type of Warning, default=UserWarning
    """
    warnings.warn(message, category, stacklevel=caller_stacklevel())
