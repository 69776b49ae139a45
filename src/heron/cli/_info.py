"""``heron info PATH``: documents, segments, fields with their types and term counts, size.

``--json`` prints the same as one object, whose ``schema`` is what ``heron index --schema``
reads.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import heron
from heron import _terminal as terminal

NAME = "info"
HELP = "describe an index: documents, segments, fields, size on disk, format"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("path", help="index directory")
    parser.add_argument("--json", action="store_true", help="print the description as JSON")


def describe(path: Path) -> dict[str, Any]:
    """What ``heron info`` reports about the index at ``path``."""
    ix = heron.open_index(path)
    manifest = ix.manifest()
    schema = ix.schema
    fields = []
    with ix.searcher() as searcher:
        for name in schema.names():
            ftype = schema[name]
            try:
                terms: int | None = sum(1 for _ in searcher.lexicon(name))
            except heron.HeronError:
                terms = None  # a field that indexes nothing (STORED)
            fields.append({"name": name, "type": ftype.kind or type(ftype).__name__,
                           "stored": name in schema.stored_names(),
                           "unique": name == schema.unique_field(), "terms": terms})
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return {
        "path": str(path), "documents": ix.doc_count(),
        "deleted": sum(s.deleted_count for s in manifest.segments),
        "segments": len(manifest.segments), "generation": manifest.generation,
        "bytes": size, "format_version": manifest.version,
        "fields": fields, "schema": json.loads(schema.to_json()),
    }


def run(args: argparse.Namespace) -> int:
    """Print the description."""
    info = describe(Path(args.path))
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
        return 0
    from rich.table import Table  # noqa: PLC0415 - rich loads only to print

    out = terminal.console()
    out.print(f"index:      {terminal.plain(info['path'])}")
    out.print(f"documents:  {info['documents']:,} ({info['deleted']:,} deleted, not yet "
              "merged away)")
    out.print(f"segments:   {info['segments']} (commit {info['generation']})")
    out.print(f"size:       {info['bytes'] / 1e6:,.2f} MB on disk")
    out.print(f"format:     version {info['format_version']}")
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column in ("field", "type", "stored", "terms"):
        table.add_column(column, justify="right" if column == "terms" else "left")
    for field in info["fields"]:
        kind = field["type"] + (" unique" if field["unique"] else "")
        terms = "-" if field["terms"] is None else f"{field['terms']:,}"
        table.add_row(field["name"], kind, "yes" if field["stored"] else "no", terms)
    out.print(table)
    return 0

