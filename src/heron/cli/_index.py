"""``heron index PATH SOURCE...``: add documents to an index, creating it if needed.

Documents are appended to an existing index (``--overwrite`` starts it again); one whose
unique field holds a value the index has replaces that document. Everything read in one
run is one commit: an error or an interrupt (Ctrl-C) leaves the index as its last commit
left it, with its lock free.

When the environment variable ``HERON_SIGNAL_STARTED`` is set, the command writes the line
``heron: indexing started`` on stderr once the writer holds the lock and has taken the first
document (for tests and scripts that must interrupt a run at a known point).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import heron
from heron import _terminal as terminal
from heron.cli._infer import SAMPLE, describe_schema, infer_schema
from heron.cli._inputs import Documents, check_sources, is_table, total_bytes

NAME = "index"
HELP = "add documents (JSON lines, CSV, TSV, folders of text) to an index"
STARTED_ENV = "HERON_SIGNAL_STARTED"
_TICK = 256  # documents between progress updates

Located = tuple[str, dict[str, Any]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("path", help="index directory (created if it does not exist)")
    parser.add_argument(
        "sources", nargs="+", metavar="SOURCE",
        help="files of documents: .jsonl/.ndjson/.json (JSON lines), .csv, .tsv (each may be "
        ".gz), '-' for JSON lines on stdin, or folders of .txt/.md/.html files")
    parser.add_argument("--schema", metavar="FILE",
                        help="field types (JSON, as `heron info --json` prints them); "
                        "default: inferred from the first documents and printed")
    parser.add_argument("--overwrite", action="store_true",
                        help="start the index again instead of adding to it")
    parser.add_argument("--buffer-mb", type=float, default=256.0, metavar="MB",
                        help="writer memory before a segment is flushed (%(default)s)")


def _load_schema(file: str) -> heron.Schema:
    try:
        text = Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        raise heron.InputError(f"{file}: cannot read the schema ({exc.strerror})") from None
    try:
        return heron.Schema.from_json(text)
    except (heron.SchemaError, ValueError) as exc:
        raise heron.SchemaError(f"{file}: not a valid schema ({exc})") from None


def _located(docs: Documents) -> Iterator[Located]:
    for doc in docs:
        yield docs.where, doc


class _Feed:
    """Hands documents to the writer, converting text values (CSV) to the field's type,
    counting them on the progress bar and remembering where the current one came from."""

    def __init__(self, schema: heron.Schema, docs: Documents, bar: terminal.Progress, *,
                 from_text: bool) -> None:
        self.schema = schema
        self.docs = docs
        self.bar = bar
        self.from_text = from_text
        self.where = ""
        self.count = 0
        self._names = frozenset(schema.names())

    def __call__(self, located: Iterator[Located]) -> Iterator[dict[str, Any]]:
        signal = bool(os.environ.get(STARTED_ENV))
        for self.where, doc in located:
            yield self._convert(doc) if self.from_text else doc
            self.count += 1
            if signal:
                signal = False
                sys.stderr.write("heron: indexing started\n")
                sys.stderr.flush()
            if self.count % _TICK == 0:
                self.bar.advance(_TICK, work_done=self.docs.bytes_read)
        self.bar.advance(self.count % _TICK, work_done=self.docs.bytes_read)

    def _convert(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Values read as text, converted as the field's type reads them."""
        out = {}
        for name, value in doc.items():
            if name in self._names and isinstance(value, str):
                ftype = self.schema[name]
                try:
                    value = ftype.convert(name, value)  # noqa: PLW2901
                except heron.SchemaError:
                    value = ftype.from_text(name, value)  # noqa: PLW2901
            out[name] = value
        return out


def run(args: argparse.Namespace) -> int:
    """Index the sources; print one line of figures."""
    check_sources(args.sources)
    path = Path(args.path)
    docs = Documents(args.sources)
    located = _located(docs)
    from_text = any(is_table(source) for source in args.sources)
    head: list[Located] = []
    made = not path.exists()
    replace = False
    if heron.exists_in(path) and not args.overwrite:
        ix = heron.open_index(path)
        if args.schema and _load_schema(args.schema).to_json() != ix.schema.to_json():
            raise heron.SchemaError(
                f"{args.schema} differs from the schema of the index at {path}; documents "
                "are added with the index's schema (--overwrite to start it again)")
    else:
        if args.schema:
            schema = _load_schema(args.schema)
        else:
            head = list(itertools.islice(located, SAMPLE))
            schema = infer_schema((doc for _, doc in head), from_text=from_text)
            if not args.quiet:
                print(f"schema (inferred from {len(head)} documents; --schema FILE to choose):"
                      f" {describe_schema(schema)}")
        replace = args.overwrite and _has_schema(path, schema)
        # the same schema: the old documents are deleted in the run's one commit, so a
        # failed run leaves them; another schema needs a new (empty) index first
        ix = heron.open_index(path) if replace else heron.create_index(
            path, schema, overwrite=args.overwrite)
    before = ix.doc_count()
    try:
        added, seconds = _write(ix, docs, itertools.chain(head, located), args,
                                from_text=from_text, replace=replace)
    except BaseException:
        if made and heron.exists_in(path) and ix.doc_count() == 0:
            shutil.rmtree(path, ignore_errors=True)  # nothing of this run is left behind
        raise
    if not args.quiet:
        after = ix.doc_count()
        rate = added / seconds if seconds > 0 else float("inf")
        megabytes = docs.bytes_read / 1e6
        print(f"indexed {added:,} documents ({megabytes:.2f} MB) into {path} in "
              f"{seconds:.2f} s ({rate:,.0f} docs/s); the index has {after:,} documents "
              f"({after - before:+,})")
    return 0


def _has_schema(path: Path, schema: heron.Schema) -> bool:
    """Whether ``path`` holds a readable index with ``schema``."""
    if not heron.exists_in(path):
        return False
    try:
        return heron.open_index(path).schema.to_json() == schema.to_json()
    except heron.HeronError:
        return False


def _write(ix: heron.Index, docs: Documents, located: Iterator[Located],
           args: argparse.Namespace, *, from_text: bool, replace: bool = False
           ) -> tuple[int, float]:
    """Add the documents in one commit (``replace``: instead of every document the index
    holds); return how many and the seconds it took."""
    work = total_bytes(args.sources)
    with terminal.progress("indexing", work_total=work or None, quiet=args.quiet) as bar:
        feed = _Feed(ix.schema, docs, bar, from_text=from_text)
        writer = ix.writer(buffer_mb=args.buffer_mb)
        with writer:
            if replace:
                writer.delete_by_query(heron.query.Every())
            try:
                writer.add_documents(feed(located))
            except heron.SchemaError as exc:
                raise heron.SchemaError(f"{feed.where}: {exc}") from None
        return feed.count, bar.seconds
