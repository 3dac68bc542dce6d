"""Every Python block of the README and the docs runs, and prints the output shown under it.

A page's ``python`` blocks run in order in one namespace (later blocks use what
earlier ones defined), in an empty folder, offline. A ``text`` block right after
a ``python`` block (nothing but blank lines between) is that block's output: it
must be what the block prints, numbers read to the precision they are shown
with. A block whose first line is ``# Keras`` is Keras's code shown for
comparison and is not run; ``bash`` blocks are commands, run by CI itself
(``.ci/run``) or not at all.
"""

import contextlib
import io
import re
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
NOT_RUN = "# keras"


def code_blocks(text):
    """``(line, code, expected output or None)`` of each Python block to run."""
    fences = list(FENCE.finditer(text))
    blocks = []
    for i, fence in enumerate(fences):
        if fence.group(1) != "python" or fence.group(2).lower().startswith(NOT_RUN):
            continue
        expected = None
        following = fences[i + 1] if i + 1 < len(fences) else None
        if (following is not None and following.group(1) == "text"
                and not text[fence.end():following.start()].strip()):
            expected = following.group(2)
        blocks.append((text.count("\n", 0, fence.start()) + 1, fence.group(2), expected))
    return blocks


def same_output(expected, printed):
    """Whether ``printed`` is ``expected``, each number to the digits it is shown with."""
    want, got = expected.rstrip().splitlines(), printed.rstrip().splitlines()
    if len(want) != len(got):
        return False
    for a, b in zip(want, got):
        a, b = a.rstrip(), b.rstrip()
        if NUMBER.split(a) != NUMBER.split(b):
            return False
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
            if "." not in x and "e" not in x.lower():      # a count, an index: exact
                if x != y:
                    return False
                continue
            digits = len(x.split(".")[1].split("e")[0]) if "." in x else 0
            exponent = int(x.lower().split("e")[1]) if "e" in x.lower() else 0
            if abs(float(x) - float(y)) > 10.0 ** (exponent - digits) * 1.0001:
                return False
    return True


def test_the_output_comparison_reads_numbers_to_their_shown_digits():
    assert same_output("loss 0.408, 17 epochs\n", "loss 0.40839, 17 epochs")
    assert same_output("loss 0.408", "loss 0.409")          # one unit of the last digit
    assert not same_output("loss 0.408", "loss 0.410")
    assert not same_output("17 epochs", "16 epochs")
    assert not same_output("a\nb", "a")
    assert same_output("1.5e-05", "1.52e-05")
    assert not same_output("0.408 in 12 epochs", "0.408 in 13 epochs")
    assert [line for line, _, _ in code_blocks(
        "x\n```python\nprint(1)\n```\n\n```text\n1\n```\n```python\n# Keras\nimport keras\n```"
    )] == [2]


WITH_CODE = [p for p in PAGES if code_blocks(p.read_text(encoding="utf-8"))]


def test_the_pages_with_code_include_the_readme_and_the_guides():
    assert {"README.md", "callbacks.md", "keras_chapter.md"} <= {p.name for p in WITH_CODE}


@pytest.mark.parametrize("page", WITH_CODE, ids=[p.name for p in WITH_CODE])
def test_every_block_runs_and_prints_what_the_page_shows(page, tmp_path, monkeypatch):
    blocks = code_blocks(page.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SKSCRATCH_OFFLINE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    namespace = {"__name__": f"docs_{page.stem}"}
    for line, code, expected in blocks:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
            except Exception as exc:
                pytest.fail(f"{page.name}, block at line {line} raised {exc!r}")
        if expected is not None:
            assert same_output(expected, printed.getvalue()), (
                f"{page.name}, block at line {line} printed:\n{printed.getvalue()}\n"
                f"the page shows:\n{expected}")
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
