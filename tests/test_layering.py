"""The package's floors: imports at module level only, pointing down, no cycle, no private
module read from another package (parsed from the source); and the trip through one fit
stays short."""

import ast
import sys
import warnings
from pathlib import Path

from sklearn.datasets import load_iris

from skscratch import MLPFromScratch

PACKAGE = Path(__file__).resolve().parents[1] / "skscratch"


def _modules():
    """``{dotted name: (path, ast)}`` of every module of the package."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = (path, ast.parse(path.read_text(encoding="utf-8")))
    return modules


MODULES = _modules()


def _package_of(name, path):
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _targets(node, name, path):
    """The package modules an import statement names (a module, or a package's face)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "skscratch"]
    if node.level:
        base = _package_of(name, path).split(".")
        base = base[:len(base) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    elif node.module and node.module.split(".")[0] == "skscratch":
        source = node.module
    else:
        return []
    found = []
    for alias in node.names:
        candidate = f"{source}.{alias.name}"
        found.append(candidate if candidate in MODULES else source)
    return found


def _imports(top_level_only):
    """``(module, imported module, line, at module level)`` of every package import."""
    found = []
    for name, (path, tree) in MODULES.items():
        module_level = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                at_top = id(node) in module_level
                if top_level_only and not at_top:
                    continue
                found += [(name, target, node.lineno, at_top)
                          for target in _targets(node, name, path)]
    return found


def test_the_package_is_imported_at_module_level_only():
    # an import of the package hidden in a function is a cycle kept alive by hand
    hidden = [f"{name}:{line} imports {target}" for name, target, line, at_top in
              _imports(top_level_only=False) if not at_top]
    assert not hidden, hidden


def test_the_imports_between_modules_have_no_cycle():
    graph = {name: set() for name in MODULES}
    for name, target, _, _ in _imports(top_level_only=True):
        # a module reaching its own package's face: Python runs that face first anyway
        if target != name and not name.startswith(target + "."):
            graph[name].add(target)
    state, cycle = {}, []

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycle, cycle


def test_no_private_module_is_read_from_another_package():
    crossing = []
    for name, target, line, _ in _imports(top_level_only=True):
        leaf = target.rpartition(".")[2]
        if leaf.startswith("_") and not leaf.startswith("__"):
            if target.rpartition(".")[0] != _package_of(name, MODULES[name][0]):
                crossing.append(f"{name}:{line} reads {target}")
    assert not crossing, crossing


def test_package_code_imports_no_face_but_its_own_package():
    # the top face (skscratch/__init__) is for users: package code names the modules
    faces = [f"{name}:{line} imports the face {target}" for name, target, line, _ in
             _imports(top_level_only=True) if target == "skscratch" and name != "skscratch"]
    assert not faces, faces


def test_one_mlp_fit_runs_code_in_at_most_eighteen_package_files():
    # the trip a newcomer follows through fit (docs/architecture.md lists it): each
    # concern in one module, not spread over many small ones
    X, y = load_iris(return_X_y=True)
    root, files = str(PACKAGE), set()

    def trace(frame, event, arg):
        if frame.f_code.co_filename.startswith(root):
            files.add(Path(frame.f_code.co_filename).relative_to(PACKAGE).as_posix())

    estimator = MLPFromScratch((8,), early_stopping=True, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sys.setprofile(trace)
        try:
            estimator.fit(X, y)
        finally:
            sys.setprofile(None)
    assert hasattr(estimator, "coefs_") and len(files) <= 18, sorted(files)
    assert "estimators/mlp.py" in files and "training.py" in files


def test_the_estimators_package_holds_at_most_eleven_files():
    files = sorted(p.name for p in (PACKAGE / "estimators").glob("*.py"))
    assert len(files) <= 11, files
