"""The demo: index the documentation every Python installation carries, then query it.

The corpus is the Python reference documentation (`pydoc_data.topics`, one document per
section), the docstrings of the built-in functions, types, exceptions and the methods of the
types (``bytes.decode``, ``UnicodeDecodeError``; read with `inspect` from the running
interpreter, as they have no Python source) and those of the standard library's modules,
classes and functions, read from the source files with `ast` (nothing is imported), so it
needs no download and is the same on every run of one Python. Modules that are deprecated
and gone from newer Pythons (PEP 594, distutils), tests and tools (idlelib, lib2to3,
turtledemo) are left out.

What makes the ranking one a Python programmer expects, besides BM25 on the text:

- ``name``: the words of a dotted name (``codecs.StreamReader.read`` gives "codecs stream
  reader read") and of the CamelCase names a docstring mentions (``UnicodeDecodeError``
  gives "unicode decode error"), which the text analyzer keeps as single words;
- ``context``: the summary line of the module a class or function belongs to, so
  ``re.findall`` is known to be about regular expressions;
- the query (:func:`query_string`) favours documents holding every word, and words next to
  each other as they are in the query.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import itertools
import re
import sysconfig
import warnings
from collections.abc import Iterator
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
# Top-level modules left out: deprecated and removed from newer Pythons (PEP 594; distutils,
# imp, asynchat, asyncore, smtpd), and tools rather than library (IDLE, 2to3, turtle demos).
_LEFT_OUT = frozenset({
    "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis",
    "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
    "distutils", "imp", "asynchat", "asyncore", "smtpd", "idlelib", "lib2to3", "turtledemo",
})
# a heading in a reference topic: a line underlined with *, = or -
_HEADING = re.compile(r"^([^\n]+)\n([*=-]{3,})$", re.MULTILINE)
_CAMEL_NAME = re.compile(r"\b(?:[A-Z][a-z0-9]+){2,}\b")
_NAME_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def default_corpus() -> Iterator[dict[str, str]]:
    """Yield the demo documents: reference sections first, then standard-library docstrings.

    Each document has the keys ``id``, ``title``, ``body``, ``kind``, ``name`` (the words of
    its dotted name and of the CamelCase names its text mentions) and ``context`` (the
    summary line of its module); ids are unique and the order is deterministic.
    """
    seen: set[str] = set()
    for doc in _reference_sections():
        if doc["id"] not in seen:
            seen.add(doc["id"])
            yield _with_names(doc, "")
    summary = _summary(builtins.__doc__ or "")
    for doc in _builtin_docstrings():
        if doc["id"] not in seen:
            seen.add(doc["id"])
            yield _with_names(doc, summary)
    for module, path in _stdlib_modules(Path(sysconfig.get_paths()["stdlib"])):
        tree = _parse(path)
        if tree is None:
            continue
        summary = _summary(ast.get_docstring(tree) or "")
        for doc in _docstrings(module, tree):
            if doc["id"] not in seen:
                seen.add(doc["id"])
                yield _with_names(doc, "" if doc["kind"] == "module" else summary)


def _reference_sections() -> Iterator[dict[str, str]]:
    """One document per section of each reference topic, titled by its heading.

    The first section keeps the topic's id (``topic:with``); the others add their heading
    (``topic:typesseq#lists``). The reference repeats some sections in several topics: a
    section is given once, under the topic that starts with it if there is one.
    """
    split = {name: list(_sections(topics[name].strip(), name)) for name in sorted(topics)}
    seen = {sections[0][1] for sections in split.values() if sections}
    for name, sections in split.items():
        for number, (title, body) in enumerate(sections):
            if number and body in seen:
                continue
            seen.add(body)
            slug = "-".join(title.lower().split())
            yield {"id": f"topic:{name}#{slug}" if number else f"topic:{name}",
                   "title": title, "body": body, "kind": "reference", "name": name}


def _builtin_docstrings() -> Iterator[dict[str, str]]:
    """Yield the documents of the public built-in functions and classes, sorted by name,
    each class followed by the methods it defines itself (not those it inherits)."""
    for name, value in sorted(vars(builtins).items()):
        if name.startswith("_") or not (inspect.isclass(value) or inspect.isroutine(value)):
            continue  # constants and the site's helpers (help, exit, copyright)
        kind = "class" if inspect.isclass(value) else "function"
        yield from _builtin_document(kind, name, value)
        if inspect.isclass(value):
            for member, attribute in sorted(vars(value).items()):
                if not member.startswith("_") and inspect.isroutine(attribute):
                    yield from _builtin_document("function", f"{name}.{member}", attribute)


def _builtin_document(kind: str, name: str, value: object) -> Iterator[dict[str, str]]:
    """Yield the document of one built-in class or function if it has its own docstring."""
    text = value.__doc__ if isinstance(value.__doc__, str) else ""
    body = inspect.cleandoc(text).strip() if text else ""
    if body:
        prefix = "class" if kind == "class" else "def"
        yield {"id": f"{prefix}:{name}", "title": name, "body": body, "kind": kind}


def _sections(text: str, title: str) -> Iterator[tuple[str, str]]:
    """(heading, text) of each non-empty section of a topic; ``title`` before a heading."""
    start = 0
    for heading in [*_HEADING.finditer(text), None]:
        body = text[start : heading.start() if heading else len(text)].strip()
        if body:
            yield title, body
        if heading is not None:
            title, start = heading.group(1).strip(), heading.end()


def _name_words(name: str) -> str:
    """The words of a dotted, snake_case or CamelCase name, lower-cased.

    >>> _name_words("json.decoder.JSONDecodeError.raw_decode")
    'json decoder json decode error raw decode'
    """
    return " ".join(w.lower() for w in _NAME_WORD.findall(name))


def _with_names(doc: dict[str, str], context: str) -> dict[str, str]:
    """The document with its ``name`` and ``context`` fields."""
    mentioned = sorted(set(_CAMEL_NAME.findall(doc["body"])))
    words = [_name_words(doc.get("name", doc["title"]))] + [_name_words(m) for m in mentioned]
    return {**doc, "name": " ".join(words), "context": context}


def _summary(docstring: str) -> str:
    """The first paragraph of a module's docstring, on one line."""
    return " ".join(docstring.strip().split("\n\n")[0].split())


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
        if _is_module_name(path.stem) and path.stem not in _LEFT_OUT:
            found.append((path.stem, path))
    for init in root.glob("*/__init__.py"):
        if init.parent.name not in _LEFT_OUT:
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


def schema() -> heron.Schema:
    """Return the demo's schema."""
    return heron.Schema(
        id=heron.ID(stored=True, unique=True),
        title=heron.TEXT(stored=True),
        name=heron.TEXT(boost=0.7),
        context=heron.TEXT(),
        body=heron.TEXT(stored=True),
        kind=heron.KEYWORD(stored=True),
    )


def query_string(words: str) -> str:
    """The query the demo runs for what a user typed: any of the words, documents holding
    all of them and words side by side as typed (within three positions) ranked higher.

    >>> query_string("thread lock")
    '(thread lock) OR "thread lock"~3^2 OR (+thread +lock)^2'
    """
    typed = words.split()
    if len(typed) < 2:
        return words
    pairs = " OR ".join(f'"{a} {b}"~3^2' for a, b in itertools.pairwise(typed))
    every = " ".join(f"+{w}" for w in typed)
    return f"({words}) OR {pairs} OR ({every})^2"


def build(path: str, documents: list[dict[str, str]]) -> heron.Index:
    """Index ``documents`` into a new index at ``path`` (replacing what is there)."""
    ix = heron.create_index(path, schema(), overwrite=True)
    with ix.writer() as writer:
        writer.add_documents(documents)
    return ix
