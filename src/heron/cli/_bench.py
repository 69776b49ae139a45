"""``heron bench DATA``: indexing speed on the user's own documents, heron against its peers."""

from __future__ import annotations

import argparse

import heron.bench

NAME = "bench"
HELP = "measure indexing speed, size, memory and query latency on your own JSON lines"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments (``--quiet`` comes with every command)."""
    heron.bench.add_arguments(parser, quiet=False)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark (see :mod:`heron.bench`)."""
    return heron.bench.run(args)
