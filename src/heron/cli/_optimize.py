"""``heron optimize PATH``: merge every segment into one, dropping deleted documents."""

from __future__ import annotations

import argparse
from pathlib import Path

import heron
from heron import _terminal as terminal

NAME = "optimize"
HELP = "merge an index's segments into one (faster searches, deleted documents dropped)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("path", help="index directory")


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())


def run(args: argparse.Namespace) -> int:
    """Merge, then print one line of figures."""
    path = Path(args.path)
    ix = heron.open_index(path)
    before = ix.manifest()
    documents = sum(s.doc_count for s in before.segments)
    size = _size(path)
    # the merge reports no progress of its own: the bar shows that work goes on and for
    # how long, and the documents are counted once it is done
    with terminal.progress("merging", None, quiet=args.quiet) as bar:
        ix.optimize()
        bar.advance(documents)
        seconds = bar.seconds
    after = ix.manifest()
    if not args.quiet:
        print(f"optimized {path}: {len(before.segments)} segments -> {len(after.segments)}, "
              f"{ix.doc_count():,} documents ({documents - ix.doc_count():,} deleted dropped), "
              f"{size / 1e6:,.2f} MB -> {_size(path) / 1e6:,.2f} MB in {seconds:.2f} s")
    return 0
