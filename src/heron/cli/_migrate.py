"""``heron migrate-whoosh SRC DST``: copy a Whoosh index into a new heron index."""

from __future__ import annotations

import argparse
import contextlib
import io

import heron
from heron import _terminal as terminal

NAME = "migrate-whoosh"
HELP = "copy a Whoosh index (fields, analyzers, stored documents) into a heron index"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("source", help="the Whoosh index directory")
    parser.add_argument("target", help="the heron index directory to create")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace a heron index already at TARGET")


def run(args: argparse.Namespace) -> int:
    """Migrate with a progress bar; the migration prints its report (unless --quiet)."""
    with terminal.progress("migrating", None, quiet=args.quiet) as bar:

        def advance(done: int, total: int) -> None:
            if bar.total is None:
                bar.set_total(total)
            bar.advance(done - bar.done)

        # the migration prints its report; --quiet keeps it (and only it) off stdout
        quiet = contextlib.redirect_stdout(io.StringIO()) if args.quiet else None
        with quiet or contextlib.nullcontext():
            heron.migrate.from_whoosh(args.source, args.target, overwrite=args.overwrite,
                                      progress=advance)
    return 0
