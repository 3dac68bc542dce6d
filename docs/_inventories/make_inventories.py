"""Write the intersphinx inventories of the names the docs link to, for offline builds.

The docs build reads no network (CI has none), so ``conf.py`` points intersphinx at
the ``*.inv`` files beside this script instead of each project's ``objects.inv``.
They hold only the names our pages and docstrings reference, with the URLs each
project's own documentation uses. A link to a name missing here renders as plain
code, without a warning: add the name below and run this script again
(``python docs/_inventories/make_inventories.py``).

The format is Sphinx's inventory version 2: four header lines, then zlib-compressed
lines ``name domain:role priority uri display-name``, where a ``uri`` ending in
``$`` stands for the uri with the name in place of the ``$`` and display-name
``-`` for the name itself (labels, priority -1, carry their section title).
"""

import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _generated(prefix, roles_and_names):
    """Names documented on their own page ``<prefix><name>.html`` (autosummary style)."""
    return [(name, role, f"{prefix}{name}.html#$") for role, names in roles_and_names
            for name in names]


def _on_page(page, roles_and_names):
    """Names documented on one shared page, anchored by their full name."""
    return [(name, role, f"{page}#$") for role, names in roles_and_names for name in names]


def _methods(prefix, cls, methods):
    """Methods documented on their class's page, ``<prefix><cls>.html#<cls>.<method>``."""
    return [(f"{cls}.{m}", "py:method", f"{prefix}{cls}.html#$") for m in methods]


SKLEARN = [
    *_generated("modules/generated/", [
        ("py:class", ["sklearn.neural_network.MLPClassifier",
                      "sklearn.neural_network.MLPRegressor",
                      "sklearn.model_selection.GridSearchCV",
                      "sklearn.model_selection.StratifiedKFold",
                      "sklearn.model_selection.KFold",
                      "sklearn.pipeline.Pipeline",
                      "sklearn.preprocessing.StandardScaler",
                      "sklearn.preprocessing.MinMaxScaler",
                      "sklearn.compose.ColumnTransformer",
                      "sklearn.compose.TransformedTargetRegressor",
                      "sklearn.base.BaseEstimator",
                      "sklearn.exceptions.ConvergenceWarning"]),
        ("py:function", ["sklearn.model_selection.cross_val_score",
                         "sklearn.model_selection.train_test_split",
                         "sklearn.pipeline.make_pipeline",
                         "sklearn.base.clone",
                         "sklearn.base.is_classifier",
                         "sklearn.utils.estimator_checks.check_estimator",
                         "sklearn.datasets.load_digits",
                         "sklearn.datasets.load_diabetes",
                         "sklearn.datasets.fetch_california_housing",
                         "sklearn.datasets.fetch_openml",
                         "sklearn.metrics.confusion_matrix",
                         "sklearn.metrics.mean_squared_error"]),
    ]),
    *_methods("modules/generated/", "sklearn.neural_network.MLPClassifier",
              ["fit", "partial_fit", "predict", "predict_proba", "score"]),
    # terms of scikit-learn's glossary: glossary.html#term-<term>
    *[(term, "std:term", f"glossary.html#term-{term.replace(' ', '-')}")
      for term in ["array-like", "random_state", "warm_start", "partial_fit", "n_jobs",
                   "sample_weight", "early stopping"]],
]

NUMPY = [
    *_generated("reference/generated/", [
        ("py:class", ["numpy.ndarray", "numpy.dtype"]),
        ("py:class", ["numpy.ndenumerate"]),
        ("py:function", ["numpy.matmul", "numpy.einsum",
                         "numpy.lib.stride_tricks.sliding_window_view", "numpy.isfinite",
                         "numpy.savez", "numpy.array", "numpy.array_equal", "numpy.argmax",
                         "numpy.eye", "numpy.linspace", "numpy.logspace", "numpy.meshgrid",
                         "numpy.mean", "numpy.std", "numpy.sum", "numpy.round", "numpy.sin",
                         "numpy.cos", "numpy.linalg.norm"]),
        ("py:data", ["numpy.c_"]),
    ]),
    *_on_page("reference/random/generator.html", [
        ("py:class", ["numpy.random.Generator"]),
        ("py:function", ["numpy.random.default_rng"]),
    ]),
    *_on_page("reference/random/legacy.html", [("py:class", ["numpy.random.RandomState"])]),
    *_on_page("reference/arrays.scalars.html", [
        ("py:class", ["numpy.float32", "numpy.float64", "numpy.int64"]),
    ]),
    ("numpy", "py:module", "reference/index.html#module-numpy"),
    # numpydoc links "array_like" in parameter types to this term
    ("array_like", "std:term", "glossary.html#term-array_like"),
]

SCIPY = _generated("reference/generated/", [
    ("py:class", ["scipy.sparse.csr_matrix", "scipy.sparse.csr_array",
                  "scipy.sparse.csc_matrix"]),
    ("py:function", ["scipy.signal.correlate2d", "scipy.special.logsumexp",
                     "scipy.special.expit", "scipy.sparse.issparse"]),
])

PYTHON = [
    *_on_page("library/stdtypes.html", [("py:class", ["dict", "list", "tuple", "str",
                                                      "bytes", "set", "range"])]),
    *_on_page("library/functions.html", [("py:class", ["int", "float", "bool", "object"]),
                                         ("py:function", ["callable"])]),
    *_on_page("library/constants.html", [("py:data", ["None", "True", "False"])]),
    *_on_page("library/exceptions.html", [("py:exception", [
        "ValueError", "TypeError", "KeyError", "RuntimeError", "ImportError",
        "KeyboardInterrupt", "UserWarning", "RuntimeWarning"])]),
    *_on_page("library/os.html", [("py:class", ["os.PathLike"])]),
    *_on_page("library/pathlib.html", [("py:class", ["pathlib.Path"])]),
    *[(module, "py:module", f"library/{module}.html#module-{module}")
      for module in ["pickle", "json", "zipfile", "csv", "warnings", "copy"]],
    # numpydoc links "bool", "sequence", "iterable", "function" in types to these
    ("bltin-boolean-values", "std:label", "library/stdtypes.html#$", "Boolean Values"),
    *[(term, "std:term", f"glossary.html#term-{term.replace(' ', '-')}")
      for term in ["sequence", "iterable", "function", "path-like object", "file object"]],
]

MATPLOTLIB = [
    ("matplotlib.pyplot", "py:module", "api/pyplot_summary.html#module-matplotlib.pyplot"),
    *_generated("api/_as_gen/", [("py:function", ["matplotlib.pyplot.subplots",
                                                  "matplotlib.pyplot.figure",
                                                  "matplotlib.pyplot.show"])]),
]

PROJECTS = {
    "sklearn": ("scikit-learn", "stable", SKLEARN),
    "numpy": ("NumPy", "stable", NUMPY),
    "scipy": ("SciPy", "stable", SCIPY),
    "python": ("Python", "3", PYTHON),
    "matplotlib": ("Matplotlib", "stable", MATPLOTLIB),
}


def inventory_bytes(project, version, entries):
    """The bytes of an inventory (format version 2) listing ``entries``."""
    header = (f"# Sphinx inventory version 2\n# Project: {project}\n# Version: {version}\n"
              "# The remainder of this file is compressed using zlib.\n")
    lines = "".join(f"{name} {role} {-1 if role == 'std:label' else 1} {uri} {display}\n"
                    for name, role, uri, *rest in sorted(set(entries))
                    for display in [rest[0] if rest else "-"])
    return header.encode() + zlib.compress(lines.encode(), 9)


def main():
    for key, (project, version, entries) in PROJECTS.items():
        path = HERE / f"{key}.inv"
        path.write_bytes(inventory_bytes(project, version, entries))
        print(f"{path.name}: {len(set(entries))} names")


if __name__ == "__main__":
    main()
