"""The demo: index the documentation every Python installation carries, then query it.

The corpus is the Python reference documentation (`pydoc_data.topics`) and the docstrings of
the standard library's modules, classes and functions, read from the source files with `ast`
(nothing is imported), so it needs no download and is the same on every run of one Python.
"""

from __future__ import annotations

import argparse
import ast
import sysconfig
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from pydoc_data.topics import topics

import heron

DEFAULT_PATH = "index/demo"
QUERIES = (
    "context manager",
    "unicode decode error",
    "thread lock",
    "sort list in place",
    "regular expression groups",
)
# Parts of the standard library that hold tests or third-party code, not documentation.
_SKIP = frozenset(
    {"test", "tests", "idle_test", "site-packages", "dist-packages", "__hello__", "__phello__"}
)
_LINE_WIDTH = 90


def default_corpus() -> Iterator[dict[str, str]]:
    """Yield the demo documents: reference topics first, then standard-library docstrings.

    Each document has the keys ``id``, ``title``, ``body`` and ``kind``; ids are unique and
    the order is deterministic.
    """
    for name in sorted(topics):
        body = topics[name].strip()
        if body:
            yield {"id": f"topic:{name}", "title": name, "body": body, "kind": "reference"}
    seen: set[str] = set()
    for module, path in _stdlib_modules(Path(sysconfig.get_paths()["stdlib"])):
        tree = _parse(path)
        if tree is None:
            continue
        for doc in _docstrings(module, tree):
            if doc["id"] not in seen:
                seen.add(doc["id"])
                yield doc


def _is_public(name: str) -> bool:
    """Tell whether a module, class or function name is public (dunder names count)."""
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _is_module_name(name: str) -> bool:
    """Tell whether a file or directory name is a public, non-test module of the library."""
    return name.isidentifier() and _is_public(name) and name not in _SKIP


def _stdlib_modules(root: Path) -> Iterator[tuple[str, Path]]:
    """Yield (dotted module name, source path) for the public standard library, sorted."""
    found: list[tuple[str, Path]] = []
    for path in root.glob("*.py"):
        if _is_module_name(path.stem):
            found.append((path.stem, path))
    for init in root.glob("*/__init__.py"):
        found.extend(_package_modules(init.parent, init.parent.name))
    yield from sorted(found)


def _package_modules(directory: Path, package: str) -> Iterator[tuple[str, Path]]:
    """Yield the modules of one package and, recursively, of its public subpackages."""
    if not _is_module_name(directory.name):
        return
    for path in directory.iterdir():
        if path.is_dir() and (path / "__init__.py").is_file():
            yield from _package_modules(path, f"{package}.{path.name}")
        elif path.suffix == ".py" and _is_module_name(path.stem):
            yield (package if path.stem == "__init__" else f"{package}.{path.stem}"), path


def _parse(path: Path) -> ast.Module | None:
    """Parse one source file, or return None if it is unreadable, not UTF-8 or not valid."""
    try:
        source = path.read_bytes().decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in old modules
            return ast.parse(source, filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def _docstrings(module: str, tree: ast.Module) -> Iterator[dict[str, str]]:
    """Yield the documents of one module: its docstring, public classes, functions, methods."""
    text = ast.get_docstring(tree)
    if text and text.strip():
        yield {"id": f"module:{module}", "title": module, "body": text.strip(), "kind": "module"}
    for node in _top_level_definitions(tree.body):
        if not _is_public(node.name):
            continue
        name = f"{module}.{node.name}"
        if isinstance(node, ast.ClassDef):
            yield from _document("class", name, node)
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    not member.name.startswith("_")
                ):
                    yield from _document("function", f"{name}.{member.name}", member)
        else:
            yield from _document("function", name, node)


def _document(
    kind: str, name: str, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
) -> Iterator[dict[str, str]]:
    """Yield the document of one class or function if it has a docstring."""
    text = ast.get_docstring(node)
    if text and text.strip():
        prefix = "class" if kind == "class" else "def"
        yield {"id": f"{prefix}:{name}", "title": name, "body": text.strip(), "kind": kind}


def _top_level_definitions(
    body: list[ast.stmt],
) -> Iterator[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef]:
    """Yield the classes and functions a module defines, also under top-level if/try."""
    for node in body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            yield node
        elif isinstance(node, ast.If):
            yield from _top_level_definitions(node.body)
            yield from _top_level_definitions(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                yield from _top_level_definitions(block)


def _first_line(text: str, width: int = _LINE_WIDTH) -> str:
    """Return the first non-empty line of a text, cut to about `width` characters."""
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= width else line[: width - 3].rstrip() + "..."


def _schema() -> heron.Schema:
    """Return the demo's schema."""
    return heron.Schema(
        id=heron.ID(stored=True, unique=True),
        title=heron.TEXT(stored=True, boost=2.0),
        body=heron.TEXT(stored=True),
        kind=heron.KEYWORD(stored=True),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Build the demo index, print the top hits of a few queries and the indexing figures."""
    parser = argparse.ArgumentParser(prog="heron demo", description=main.__doc__)
    parser.add_argument("--path", default=DEFAULT_PATH, help=f"index directory ({DEFAULT_PATH})")
    args = parser.parse_args(argv)

    documents = list(default_corpus())
    megabytes = sum(len(d["title"]) + len(d["body"]) for d in documents) / 1e6
    print(f"indexing {len(documents)} documents ({megabytes:.2f} MB) into {args.path} ...")
    start = time.perf_counter()
    ix = heron.create_index(args.path, _schema(), overwrite=True)
    with ix.writer() as writer:
        writer.add_documents(documents)
    seconds = time.perf_counter() - start

    with ix.searcher() as searcher:
        for query in QUERIES:
            results = searcher.search(query, limit=5)
            print(f"\n{query!r}: {results.total} hits")
            for hit in results:
                title, line = str(hit["title"]), _first_line(str(hit["body"]))
                print(f"  {hit.rank:>2}  {hit.score:7.3f}  {title:<32}  {line}")

    rate = megabytes / seconds if seconds > 0 else float("inf")
    print(f"\n{ix.doc_count()} documents, {megabytes:.2f} MB, {seconds:.2f} s, {rate:.2f} MB/s")
    return 0
