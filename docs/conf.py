"""Sphinx configuration: build with ``python -m sphinx -W -b html docs docs/_build/html``."""

import skscratch

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
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
myst_heading_anchors = 3
intersphinx_mapping = {}
html_theme = "pydata_sphinx_theme"
html_title = "skscratch"
html_static_path = ["_static"]
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
