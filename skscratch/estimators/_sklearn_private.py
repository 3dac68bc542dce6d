"""Every private scikit-learn name skscratch uses, imported in this one place.

scikit-learn's declarative parameter validation (``Interval``, ``StrOptions``,
``Options``, ``validate_parameter_constraints``) is what its own estimators
use, but it lives in a private module that a release may move. Importing it
only here means a move breaks one import with a clear message (and
``tests/estimators/test_sklearn_parity.py`` fails loudly), never a scattered
``ImportError``; ``pyproject.toml`` caps scikit-learn below the first release
not yet tested, so a new release cannot break installs silently.
"""

try:
    from sklearn.utils._param_validation import (
        Interval,
        InvalidParameterError,
        Options,
        StrOptions,
        validate_parameter_constraints,
    )
except ImportError as exc:                                    # pragma: no cover
    import sklearn
    raise ImportError(
        f"skscratch needs sklearn.utils._param_validation, which scikit-learn "
        f"{sklearn.__version__} does not provide; install a scikit-learn release that "
        "skscratch supports (see its pyproject.toml).") from exc

__all__ = ["Interval", "InvalidParameterError", "Options", "StrOptions",
           "validate_parameter_constraints"]
