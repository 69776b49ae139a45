"""The layering of DESIGN.md, checked on the source with ``ast``.

No module imports a heron module from a layer above its own, no heron import hides in a
function body, no module passes 800 lines, and nothing can run code out of data.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import heron

SRC = Path(heron.__file__).resolve().parent

#: what each layer may import of ours, besides itself (DESIGN.md, "Layers")
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "analysis": frozenset({"errors"}),
    "schema": frozenset({"analysis", "errors"}),
    "index": frozenset({"schema", "analysis", "errors"}),
    "scoring": frozenset({"errors"}),
    "query": frozenset({"index", "scoring", "schema", "analysis", "errors"}),
    "search": frozenset({"query", "index", "scoring", "highlight", "schema", "analysis", "errors"}),
    "highlight": frozenset({"analysis", "errors"}),
    # the public face of the search layer's facet kinds (``from heron import facets``):
    # a module of re-exports, like heron/__init__.py, that only the top imports
    "facets": frozenset({"search"}),
    # colour, progress and tables for the commands (rich); imports nothing of ours
    "_terminal": frozenset(),
}
#: the top of the package may import anything (_writer adds query deletes to the writer)
TOP = frozenset({"heron", "_api", "_writer"})
#: modules that use only the public API: exactly these heron modules
PUBLIC_ONLY = {
    "cli": frozenset({"heron", "heron.demo", "heron._terminal"}),
    "demo": frozenset({"heron"}),
    # sharded indexes: the public API, plus the index layer's pinned generations, the
    # query layer's statistics and the search layer's sort values and facets to merge
    "distributed": frozenset({"heron", "heron.facets", "heron.query", "heron.index._pins",
                              "heron.search._facet_kinds", "heron.search._sorting"}),
}

FORBIDDEN_MODULES = frozenset({"pickle", "_pickle", "cPickle", "marshal", "shelve", "dill"})
FORBIDDEN_CALLS = frozenset({"eval", "exec", "compile", "__import__"})


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(name: str) -> bool:
    return (SRC.parent / name.replace(".", "/") / "__init__.py").exists()


def exists(name: str) -> bool:
    return is_package(name) or (SRC.parent / (name.replace(".", "/") + ".py")).exists()


def layer(name: str) -> str:
    return name.split(".")[1] if "." in name else "heron"


def imported(node: ast.Import | ast.ImportFrom, module: str) -> Iterator[str]:
    """The heron modules an import statement in ``module`` names."""
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names if a.name.split(".")[0] == "heron")
        return
    base = node.module or ""
    if node.level:
        package = module if is_package(module) else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    if base.split(".")[0] != "heron":
        return
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        yield sub if exists(sub) else base


def violations(module: str, source: str) -> list[str]:
    """Every breach of the layering rules in one module's source."""
    found = []
    own = layer(module)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom) and any(imported(inner, module)):
                    found.append(f"{module}:{inner.lineno} imports heron inside a function")
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        for target in imported(node, module):
            if own in PUBLIC_ONLY:
                ok = target in PUBLIC_ONLY[own] or layer(target) == own
            elif own in TOP:
                ok = True
            elif own not in ALLOWED:
                found.append(f"{module}: layer {own!r} is not in the table of DESIGN.md")
                continue
            else:
                ok = layer(target) in ALLOWED[own] | {own}
            if not ok:
                found.append(f"{module}:{node.lineno} ({own}) imports {target}")
    return sorted(set(found))


SOURCES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def test_every_layer_is_known() -> None:
    layers = {layer(m) for m in SOURCES}
    assert layers <= set(ALLOWED) | TOP | set(PUBLIC_ONLY)
    assert {"errors", "analysis", "schema", "index", "scoring", "query", "search"} <= layers


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_layering(module: str) -> None:
    assert violations(module, SOURCES[module].read_text("utf-8")) == []


@pytest.mark.parametrize(
    ("module", "source", "breach"),
    [
        ("heron.analysis._x", "from heron.schema import TEXT", "imports heron.schema"),
        ("heron.analysis._x", "import heron.index._files", "imports heron.index._files"),
        ("heron.scoring", "from heron import analysis", "imports heron.analysis"),
        ("heron.scoring", "from heron import BM25", "imports heron"),
        ("heron.highlight._x", "from ..search import Hit", "imports heron.search"),
        ("heron.index._x", "def f():\n    from heron.index import _y", "inside a function"),
        ("heron.query._x", "class Q:\n    def m(self):\n        import heron.query._y",
         "inside a function"),
        ("heron.cli", "from heron.analysis import Token", "imports heron.analysis"),
        ("heron.demo", "from heron import cli", "imports heron.cli"),
        ("heron.newthing", "from heron.errors import HeronError", "not in the table"),
    ],
)
def test_checker_catches(module: str, source: str, breach: str) -> None:
    (found,) = violations(module, source)
    assert breach in found


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("heron.query._x", "from heron.index import SegmentReader\nfrom . import _base"),
        ("heron.search._x", "from heron.highlight import x\nimport numpy"),
        ("heron._api", "from heron.search import Searcher"),
        ("heron.cli", "import heron\nfrom heron import demo"),
        ("heron.index._x", "def f():\n    import json"),
    ],
)
def test_checker_allows(module: str, source: str) -> None:
    assert violations(module, source) == []


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_module_size(module: str) -> None:
    lines = SOURCES[module].read_text("utf-8").count("\n")
    assert lines <= 800, f"{module} has {lines} lines; past 800 a module is two modules"


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_no_code_from_data(module: str) -> None:
    found = []
    for node in ast.walk(ast.parse(SOURCES[module].read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [(node.module or "").split(".")[0]]
        else:
            names = []
        found += [f"{node.lineno}: import {n}" for n in names if n in FORBIDDEN_MODULES]
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
                found.append(f"{node.lineno}: {node.func.id}()")
            for kw in node.keywords:
                if kw.arg == "allow_pickle" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    found.append(f"{node.lineno}: allow_pickle")
    assert found == []
