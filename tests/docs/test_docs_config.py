"""The docs' offline pieces: intersphinx inventories and the gallery's settings."""

import importlib
import os
import re
import runpy
import zlib
from pathlib import Path
from unittest import mock

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
INVENTORIES = DOCS / "_inventories"

pytestmark = pytest.mark.skipif(not DOCS.exists(), reason="docs/ not present")


def _body(data):
    """The uncompressed lines of an inventory (its four header lines stripped)."""
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    return zlib.decompress(data[header_end:]).decode().splitlines()


def test_committed_inventories_are_what_the_script_writes():
    # conf.py reads the .inv files; a name added to the script must be regenerated
    script = runpy.run_path(str(INVENTORIES / "make_inventories.py"))
    for key, (project, version, entries) in script["PROJECTS"].items():
        expected = script["inventory_bytes"](project, version, entries)
        committed = (INVENTORIES / f"{key}.inv").read_bytes()
        assert _body(committed) == _body(expected), f"{key}.inv is stale: run the script"
        assert committed.splitlines()[:3] == expected.splitlines()[:3]


def test_inventories_give_each_projects_own_urls():
    inventory = pytest.importorskip("sphinx.util.inventory")
    data = (INVENTORIES / "sklearn.inv").read_bytes()
    loaded = inventory.InventoryFile.loads(data, uri="https://scikit-learn.org/stable/")
    entries = loaded.data if hasattr(loaded, "data") else loaded
    name = "sklearn.neural_network.MLPClassifier"
    item = entries["py:class"][name]
    uri = item.uri if hasattr(item, "uri") else item[2]
    assert uri == ("https://scikit-learn.org/stable/modules/generated/"
                   f"{name}.html#{name}")
    numpy_lines = _body((INVENTORIES / "numpy.inv").read_bytes())
    assert ("numpy.random.Generator py:class 1 reference/random/generator.html#$ -"
            in numpy_lines)


def test_the_gallery_runs_every_example_but_those_it_names():
    # NOT_RUN names examples shown without running (none today); a renamed example
    # must not silently start running at build time, and the filename pattern must
    # run every other example
    with mock.patch.dict(os.environ):         # conf.py sets the examples' offline flag
        conf = runpy.run_path(str(DOCS / "conf.py"))
    not_run = set(conf["NOT_RUN"])
    examples = {p.stem for p in (DOCS.parent / "examples").glob("*.py")}
    assert not_run <= examples
    pattern = conf["sphinx_gallery_conf"]["filename_pattern"]
    ran = {name for name in examples
           if re.search(pattern, str(DOCS.parent / "examples" / f"{name}.py"))}
    assert ran == examples - not_run


def test_math_is_typeset_by_a_mathjax_served_with_the_site():
    # formulas must render offline: MathJax is copied into the built site, not a CDN
    pytest.importorskip("sphinx")
    with mock.patch.dict(os.environ):         # conf.py sets the examples' offline flag
        conf = runpy.run_path(str(DOCS / "conf.py"))
    assert "sphinx-mathjax-offline" in conf["extensions"]
    extension = importlib.import_module("sphinx-mathjax-offline")
    recorded = {}

    class App:
        config = type("Config", (), {})()

        def connect(self, event, handler):
            recorded[event] = handler

    app = App()
    extension.setup(app)
    assert app.config.mathjax_path == "mathjax/tex-chtml.js" and "build-finished" in recorded
    assert not app.config.mathjax_path.startswith("http")
