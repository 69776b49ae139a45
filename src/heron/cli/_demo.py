"""``heron demo``: index the Python documentation and show what a few queries find."""

from __future__ import annotations

import argparse

from heron import demo

NAME = "demo"
HELP = "index the Python documentation that ships with Python and query it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("--path", default=demo.DEFAULT_PATH,
                        help="index directory (%(default)s)")


def run(args: argparse.Namespace) -> int:
    """Run the demo."""
    return demo.main(["--path", args.path])
