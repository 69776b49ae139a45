"""The ``heron`` command: build, search and describe indexes from the shell.

Subcommands: ``demo``, ``index``, ``search`` and ``info`` (``heron COMMAND --help`` for each).
Errors heron raises on purpose print one line on stderr and exit with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import heron
from heron import demo

_VALUE_WIDTH = 60


def main(argv: list[str] | None = None) -> int:
    """Run the ``heron`` command with ``argv`` (default: the process arguments)."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except BrokenPipeError:  # output piped into a reader that stopped (`| head`): end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (heron.HeronError, OSError) as exc:
        return _fail(str(exc) or type(exc).__name__)
    return status


def _parser() -> argparse.ArgumentParser:
    """Build the argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(prog="heron", description="Full-text search for Python.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    run = commands.add_parser("demo", help="index the Python documentation and query it")
    run.add_argument("--path", default=demo.DEFAULT_PATH, help="index directory (%(default)s)")
    run.set_defaults(run=_demo)

    run = commands.add_parser("index", help="build an index from a JSON-lines file")
    run.add_argument("path", help="index directory to create")
    run.add_argument("--jsonl", required=True, help="file with one JSON object per line")
    run.add_argument(
        "--schema",
        help="schema file (JSON, as `heron info` prints it); default: every key a stored "
        "TEXT field, except 'id' as a stored unique ID",
    )
    run.add_argument("--overwrite", action="store_true", help="replace an existing index")
    run.set_defaults(run=_index)

    run = commands.add_parser("search", help="search an index and print the top hits")
    run.add_argument("path", help="index directory")
    run.add_argument("query", help="query string")
    run.add_argument("--limit", type=_positive, default=10, help="number of hits (%(default)s)")
    run.add_argument(
        "--fields", help="comma-separated stored fields to print (default: id and title)"
    )
    run.set_defaults(run=_search)

    run = commands.add_parser("info", help="print an index's document count and schema")
    run.add_argument("path", help="index directory")
    run.set_defaults(run=_info)
    return parser


def _positive(text: str) -> int:
    """Parse a positive integer argument."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _fail(message: str) -> int:
    """Print a one-line error on stderr and return the failure status."""
    print(f"heron: error: {' '.join(message.split())}", file=sys.stderr)
    return 1


def _demo(args: argparse.Namespace) -> int:
    """Run the demo."""
    return demo.main(["--path", args.path])


def _index(args: argparse.Namespace) -> int:
    """Build an index from a JSON-lines file, checking every line before creating it."""
    source = Path(args.jsonl)
    try:
        if args.schema:
            schema = heron.Schema.from_json(Path(args.schema).read_text(encoding="utf-8"))
        else:
            schema = _default_schema(_scan_jsonl(source))
        _scan_jsonl(source, schema)
    except (ValueError, heron.SchemaError) as exc:
        return _fail(f"{source}: {exc}")
    start = time.perf_counter()
    try:
        ix = heron.create_index(args.path, schema, overwrite=args.overwrite)
    except heron.IndexExistsError:
        return _fail(f"an index already exists at {args.path}; use --overwrite to replace it")
    with ix.writer() as writer:
        writer.add_documents(_read_jsonl(source))
    seconds = time.perf_counter() - start
    print(f"indexed {ix.doc_count()} documents into {args.path} in {seconds:.2f} s")
    return 0


def _scan_jsonl(path: Path, schema: heron.Schema | None = None) -> list[str]:
    """Check every non-blank line (a JSON object fitting `schema`); return the keys seen.

    Raises:
        ValueError: naming the first line that is not valid JSON or not an object.
        SchemaError: naming the first line whose document does not fit `schema`.
    """
    keys: dict[str, None] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: not valid JSON ({exc.msg})") from None
            if not isinstance(doc, dict):
                raise ValueError(f"line {number}: a document must be a JSON object")
            if schema is not None:
                try:
                    schema.validate(doc)
                except heron.SchemaError as exc:
                    raise heron.SchemaError(f"line {number}: {exc}") from None
            keys.update(dict.fromkeys(doc))
    return list(keys)


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the documents of a JSON-lines file checked by :func:`_scan_jsonl`."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _default_schema(keys: list[str]) -> heron.Schema:
    """Return the schema of a file without one: stored TEXT fields, and 'id' a unique ID."""
    if not keys:
        raise heron.SchemaError("no documents to infer a schema from; give --schema")
    return heron.Schema(
        **{
            key: heron.ID(stored=True, unique=True) if key == "id" else heron.TEXT(stored=True)
            for key in keys
        }
    )


def _search(args: argparse.Namespace) -> int:
    """Search an index and print rank, score and some stored fields of each hit."""
    ix = heron.open_index(args.path)
    stored = ix.schema.stored_names()
    if args.fields:
        fields = [name.strip() for name in args.fields.split(",") if name.strip()]
        unknown = [name for name in fields if name not in stored]
        if unknown:
            return _fail(f"not stored fields: {', '.join(unknown)}; stored: {', '.join(stored)}")
    else:
        fields = [name for name in ("id", "title") if name in stored] or stored[:2]
    with ix.searcher() as searcher:
        results = searcher.search(args.query, limit=args.limit)
        shown = min(args.limit, results.total)
        print(f"{results.total} hits for {args.query!r}, showing {shown}")
        for hit in results:
            values = "  ".join(f"{name}={_short(_stored(hit, name))}" for name in fields)
            print(f"{hit.rank:>4}  {hit.score:8.3f}  {values}")
    return 0


def _stored(hit: Any, name: str) -> Any:
    """Return a hit's stored value for ``name``, or None when the document has none."""
    try:
        return hit[name]
    except KeyError:
        return None


def _short(value: Any) -> str:
    """Render a stored value on one line, cut to a readable width."""
    text = " ".join(str(value).split())
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 3] + "..."


def _info(args: argparse.Namespace) -> int:
    """Print the document count and the schema of an index."""
    ix = heron.open_index(args.path)
    print(f"path: {args.path}")
    print(f"documents: {ix.doc_count()}")
    print("schema:")
    print(ix.schema.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
