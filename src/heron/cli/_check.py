"""``heron check PATH``: verify every file of the newest commit; exit 1 naming each damaged one."""

from __future__ import annotations

import argparse

import heron
from heron import _terminal as terminal
from heron.cli._errors import FAILED

NAME = "check"
HELP = "verify every checksum of an index (exit 0: sound, 1: damaged files listed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("path", help="index directory")


def run(args: argparse.Namespace) -> int:
    """Check the index; list the damaged files on stderr."""
    problems = heron.check_index(args.path)
    if not problems:
        if not args.quiet:
            ix = heron.open_index(args.path)
            print(f"{args.path}: sound ({ix.doc_count():,} documents, every file of commit "
                  f"{ix.latest_generation()} verified)")
        return 0
    lines = [f"the index at {args.path} is damaged: {len(problems)} file"
             f"{'s' if len(problems) != 1 else ''} failed the check; rebuild it with "
             f"`heron index {args.path} FILE... --overwrite`"]
    lines += [f"  {terminal.plain(str(problem))}" for problem in problems]
    terminal.print_error(lines)
    return FAILED
