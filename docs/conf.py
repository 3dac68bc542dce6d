"""Sphinx configuration: build with ``python -m sphinx -W -b html docs docs/_build/html``.

The build reads nothing from the network: cross-references to scikit-learn, NumPy,
SciPy, Python and Matplotlib use the inventories in ``_inventories/`` (made by
``_inventories/make_inventories.py``), and the example gallery runs its examples
offline (``SKSCRATCH_OFFLINE=1``: the bundled stand-in data sets).
"""

import os
import re
import sys
from pathlib import Path

import skscratch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # _gallery_order

project = "skscratch"
author = "the skscratch developers"
copyright = "2026, the skscratch developers"
release = version = skscratch.__version__

templates_path = ["_templates"]
extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    # MathJax served from the built site (_static/mathjax), not a CDN: formulas render
    # offline; the extension sets mathjax_path and copies MathJax in after the build
    "sphinx-mathjax-offline",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
autosummary_generate = True
# "On this page" of an API page lists fit(), predict(), ... rather than repeating the class
toc_object_entries_show_parents = "hide"

# ----------------------------------------------------------------------------- MyST
# $...$ and $$...$$ formulas and amsmath environments, typeset by MathJax
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# ------------------------------------------------------------------------- numpydoc
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# parameter types become links ("ndarray" -> numpy.ndarray); the words below are prose
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "array-like": ":term:`array-like <sklearn:array-like>`",
    "sparse matrix": "scipy.sparse.csr_matrix",
    "Generator": "numpy.random.Generator",
    "RandomState": "numpy.random.RandomState",
    "dtype": "numpy.dtype",
    "path-like": "os.PathLike",
    "Path": "pathlib.Path",
    "estimator": "sklearn.base.BaseEstimator",
    "Pipeline": "sklearn.pipeline.Pipeline",
    # our own classes, named without their module in the docstrings
    **{name.rsplit(".", 1)[-1]: name for name in [
        "skscratch.MLPFromScratch", "skscratch.ConvNetFromScratch",
        "skscratch.NetworkEstimator", "skscratch.Network", "skscratch.Model",
        "skscratch.Trainer", "skscratch.training.TrainingState", "skscratch.losses.Loss",
        "skscratch.optimizers.Optimizer", "skscratch.layers.Layer",
        "skscratch.layers.WeightSpec", "skscratch.layers.SymbolicTensor",
        "skscratch.callbacks.Callback", "skscratch.registry.Registry"]},
}
# words of the type descriptions that are prose, not names to link
numpydoc_xref_ignore = {
    "of", "or", "and", "shape", "default", "optional", "keyword-only", "a", "an", "the",
    "one", "per", "each", "in", "with", "to", "from", "by", "as", "for", "any", "them",
    "self", "same", "instance", "lists", "indices", "slices", "ranges", "column", "batch",
    "chain", "rule", "output", "width", "height", "GiB", "floating", "n_samples",
    "n_features", "n_outputs", "n_classes", "n_images", "x_val", "y_val", "positive",
}

# ----------------------------------------------------------------------- intersphinx
# Local inventories, so the offline build resolves the links; the URLs are the
# projects' own (see _inventories/make_inventories.py, which lists every name).
intersphinx_mapping = {
    name: (url, os.path.join("_inventories", f"{name}.inv"))
    for name, url in [("sklearn", "https://scikit-learn.org/stable/"),
                      ("numpy", "https://numpy.org/doc/stable/"),
                      ("scipy", "https://docs.scipy.org/doc/scipy/"),
                      ("python", "https://docs.python.org/3/"),
                      ("matplotlib", "https://matplotlib.org/stable/")]
}
intersphinx_timeout = 1     # never wait on a network: the inventories are local files

# -------------------------------------------------------------------------- gallery
# Every example executes at build time, offline, with its output and figures: the
# slowest are the quickstart (about 10 s; its output is what the README's first
# command prints), the dask grid search (about 8 s, a local cluster) and
# fashion_mnist_mlp (about 4 s: offline it trains on the bundled digits). An example
# too slow for the build would be listed here, shown with its code but not run.
NOT_RUN = []
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
os.environ["SKSCRATCH_OFFLINE"] = "1"     # the examples' loaders use bundled data
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": ("^(?!.*(" + "|".join(map(re.escape, NOT_RUN)) + r")\.py$)"
                         if NOT_RUN else r"\.py$"),
    "ignore_pattern": r"(__init__|example_data)\.py$",   # a helper module, not an example
    "within_subsection_order": "_gallery_order.ReadingOrder",
    "download_all_examples": False,
    "remove_config_comments": True,
    "capture_repr": (),
    "min_reported_time": 1,
    "show_signature": False,
    # names from skscratch in the examples' code link to the API reference, and each
    # API page lists the examples that use it (the "minigallery" in the class template)
    "doc_module": ("skscratch",),
    "backreferences_dir": os.path.join("generated", "backreferences"),
}

# ----------------------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = "skscratch"
html_static_path = ["_static"]
html_css_files = ["skscratch.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 5,
    # the examples' pages are code and output: their width matters more than a TOC
    # (exact page names: pydata-sphinx-theme warns when two wildcard patterns match)
    "secondary_sidebar_items": {
        "**": ["page-toc", "sourcelink"],
        "auto_examples/index": [],
        **{f"auto_examples/{path.stem}": [] for path in EXAMPLES.glob("*.py")},
    },
}
# the landing page has no section to navigate: no empty left column there
html_sidebars = {"index": []}
