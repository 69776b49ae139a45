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
import heron.schema
from heron.schema import FieldType

SRC = Path(heron.__file__).resolve().parent

#: what each layer may import of ours, besides itself (DESIGN.md, "Layers")
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    # the inner loops of searching and indexing, numpy's and numba's (the ``fast`` extra)
    "_kernels": frozenset({"errors"}),
    "analysis": frozenset({"_kernels", "errors"}),
    "schema": frozenset({"analysis", "errors"}),
    "index": frozenset({"schema", "analysis", "_kernels", "errors"}),
    "scoring": frozenset({"errors"}),
    "query": frozenset({"index", "scoring", "schema", "analysis", "_kernels", "errors"}),
    "search": frozenset({"query", "index", "scoring", "highlight", "schema", "analysis",
                         "_kernels", "errors"}),
    "highlight": frozenset({"analysis", "errors"}),
    # the public face of the search layer's facet kinds (``from heron import facets``):
    # a module of re-exports, like heron/__init__.py, that only the top imports
    "facets": frozenset({"search"}),
    # colour, progress and tables for the commands (rich); imports nothing of ours
    "_terminal": frozenset(),
}
#: the top of the package may import anything (_writer gives the writer its query matcher;
#: _deprecated keeps old names for one release)
TOP = frozenset({"heron", "_api", "_deprecated", "_writer"})
#: modules that use only the public API: exactly these heron modules
PUBLIC_ONLY = {
    "cli": frozenset({"heron", "heron.demo", "heron._terminal", "heron.bench"}),
    "demo": frozenset({"heron"}),
    # sharded indexes: the public API, plus the index layer's pinned generations, the
    # query layer's statistics, the fuzzy query's blended weight (to score expansions
    # found over every shard), the scoring models, the search layer's argument checks,
    # and its sort values and facets to merge
    "distributed": frozenset({"heron", "heron.facets", "heron.query", "heron.index._pins",
                              "heron.query._fuzzy", "heron.query._term", "heron.scoring",
                              "heron.search._arguments", "heron.search._facet_kinds",
                              "heron.search._sorting"}),
    # Whoosh to heron: the public API, and its own modules
    "migrate": frozenset({"heron", "heron.migrate._fields", "heron.migrate._report",
                          "heron.migrate._whoosh", "heron.migrate._workdir"}),
    "__main__": frozenset({"heron.cli"}),
    # heron bench: the public API, the terminal helpers and its own modules
    "bench": frozenset({"heron", "heron._terminal"}),
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
                ok = target in PUBLIC_ONLY[own] or (own != "heron" and layer(target) == own)
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
        ("heron.cli._x", "from heron.search import Searcher", "imports heron.search"),
        ("heron.__main__", "from heron import demo", "imports heron.demo"),
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
        ("heron.cli._x", "from heron.cli._y import z\nfrom heron import _terminal"),
        ("heron.__main__", "from heron.cli import main"),
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


# -- A field type owns its behaviour: nothing outside heron/schema switches on one -----------

def concrete_field_types() -> frozenset[str]:
    """The names of heron's field type classes (every FieldType subclass in heron.schema)."""
    found: set[str] = set()
    todo = list(FieldType.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("heron.schema."):
            found.add(cls.__name__)
    return frozenset(found)


FIELD_TYPES = concrete_field_types()
FIELD_KINDS = frozenset(getattr(heron.schema, n).kind for n in heron.schema.__all__
                        if n in FIELD_TYPES)


def _names_in(node: ast.AST) -> set[str]:
    """Every name an expression mentions (``NUMERIC``, ``schema.NUMERIC``, tuples, ``A | B``)."""
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            names.add(inner.id)
        elif isinstance(inner, ast.Attribute):
            names.add(inner.attr)
    return names


def type_switches(module: str, source: str) -> list[str]:
    """Places outside the schema package that ask which concrete field type a value is."""
    if module == "heron.schema" or module.startswith("heron.schema."):
        return []
    found = []
    for node in ast.walk(ast.parse(source)):
        asked: set[str] = set()
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in {"isinstance", "issubclass"} and len(node.args) == 2):
            asked = _names_in(node.args[1])
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Call) and isinstance(s.func, ast.Name)
                   and s.func.id == "type" for s in sides):
                asked = set().union(*(_names_in(s) for s in sides))
            if any(isinstance(s, ast.Attribute) and s.attr == "kind" for s in sides):
                kinds = {s.value for s in ast.walk(node) if isinstance(s, ast.Constant)}
                asked |= {str(k) for k in kinds & FIELD_KINDS}
        elif isinstance(node, ast.MatchClass):
            asked = _names_in(node.cls)
        for name in sorted(asked & (FIELD_TYPES | FIELD_KINDS)):
            found.append(f"{module}:{node.lineno} asks whether a value is a {name}")
    return found


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_no_switch_on_field_types(module: str) -> None:
    assert type_switches(module, SOURCES[module].read_text("utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "isinstance(f, NUMERIC)",
        "isinstance(f, KEYWORD | ID)",
        "isinstance(f, (schema.DATETIME, int))",
        "issubclass(cls, BOOLEAN)",
        "type(f) is TEXT",
        "type(f) in {NGRAM, NGRAMWORDS}",
        "f.kind == 'STORED'",
        "match f:\n    case NUMERIC():\n        pass",
    ],
)
def test_switch_checker_catches(source: str) -> None:
    assert type_switches("heron.search._x", source) != []


@pytest.mark.parametrize(
    "source",
    [
        "isinstance(f, FieldType)",
        "isinstance(q, Term | Phrase)",
        "f.columnar and f.can_sort",
        "type(value) is str",
        "f.kind == 'IP'",
    ],
)
def test_switch_checker_allows(source: str) -> None:
    assert type_switches("heron.search._x", source) == []


def test_switch_checker_knows_the_field_types() -> None:
    assert {"TEXT", "KEYWORD", "ID", "NUMERIC", "DATETIME", "BOOLEAN", "STORED", "NGRAM",
            "NGRAMWORDS"} <= FIELD_TYPES
    assert type_switches("heron.schema._schema", "isinstance(f, TEXT)") == []


# -- One module owns the on-disk format: nothing else spells its names or magic numbers ---------

FORMAT_MODULE = "heron.index._format"


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def format_spellings(source: str) -> frozenset[str | bytes]:
    """What only the format module may spell, read from its source: the values of its str
    and bytes constants (magic numbers, segment formats, suffixes, array names; a kind such
    as ``fwd.*.terms`` by its head ``fwd.``) and the heads of the names its functions build
    (``seg_``, ``manifest_``). Plain words (no ``.``, ``_`` or ``-``) and numbers (versions)
    are too common to tell apart and are left out."""
    tree = ast.parse(source)
    found: set[str | bytes] = set()
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str | bytes):
            found.add(value.value.partition("*")[0] if isinstance(value.value, str)
                      else value.value)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                found.add(head.value)
    return frozenset(t for t in found
                     if isinstance(t, bytes) or (any(c in t for c in "._-") and "\\" not in t))


SPELLINGS = format_spellings(SOURCES[FORMAT_MODULE].read_text("utf-8"))


def format_leaks(module: str, source: str) -> set[tuple[str, str | bytes]]:
    """(module, spelling) for each format spelling in a string of ``module`` (docstrings,
    which describe the format, aside). Modules that use only the public API (the command,
    the migration) keep files of their own, outside the index format."""
    if module == FORMAT_MODULE or layer(module) in PUBLIC_ONLY:
        return set()
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes) and (
                id(node) not in docs):
            found |= {(module, t) for t in SPELLINGS
                      if type(t) is type(node.value) and t in node.value}
    return found


def test_the_format_module_is_read() -> None:
    assert {b"HERONSEG", b"HERONDEL", ".hsg", ".hdl", ".tmp", "write.lock", "manifest_",
            "seg_", "terms.blob", "post.docs", "norms.", "col.", "fwd.", "surf.",
            "heron-segment-2", "heron-index"} <= SPELLINGS


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_only_the_format_module_spells_the_format(module: str) -> None:
    leaks = format_leaks(module, SOURCES[module].read_text("utf-8"))
    assert leaks == set()


@pytest.mark.parametrize(
    ("source", "spelling"),
    [
        ("x = b'HERONSEG'", b"HERONSEG"),
        ("name = f'{seg}.hsg'", ".hsg"),
        ("c.array('terms.blob')", "terms.blob"),
        ("c.array(f'norms.{field}')", "norms."),
        ("p = d / 'write.lock'", "write.lock"),
        ("def f():\n    '''x'''\n    return f'manifest_{g:08d}.json'", "manifest_"),
    ],
)
def test_format_checker_catches(source: str, spelling: str | bytes) -> None:
    assert format_leaks("heron.index._x", source) == {("heron.index._x", spelling)}


def test_format_checker_allows_docstrings_and_names() -> None:
    source = '"""Writes ``terms.blob`` and ``write.lock``."""\nx = field_array(NORMS, name)\n'
    assert format_leaks("heron.index._x", source) == set()
