"""``heron demo``: index the Python documentation and show what a few queries find."""

from __future__ import annotations

import argparse
import time

from heron import _terminal as terminal
from heron import demo
from heron.cli._hits import hit_lines

NAME = "demo"
HELP = "index the Python documentation that ships with Python and query it"
_HITS = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("--path", default=demo.DEFAULT_PATH,
                        help="index directory, replaced on each run (%(default)s)")


def run(args: argparse.Namespace) -> int:
    """Build the demo index, show the best hits of each query, then one line of figures."""
    from rich.text import Text  # noqa: PLC0415 - rich loads only to print

    out = terminal.console()
    documents = list(demo.default_corpus())
    megabytes = sum(len(d["title"]) + len(d["body"]) for d in documents) / 1e6
    out.print(f"indexing {len(documents):,} documents ({megabytes:.2f} MB) of Python's own "
              f"documentation into {args.path} ...")
    start = time.perf_counter()
    ix = demo.build(args.path, documents)
    seconds = time.perf_counter() - start
    with ix.searcher() as searcher:
        for words in demo.QUERIES:
            results = searcher.search(demo.query_string(words), limit=_HITS)
            out.print()
            out.print(Text.assemble((repr(words), "bold"), f": {results.total:,} hits"))
            for hit in results:
                for line in hit_lines(hit, ix.schema, snippet_chars=120):
                    out.print(line)
    rate = megabytes / seconds if seconds > 0 else float("inf")
    out.print(f"\n{ix.doc_count()} documents, {megabytes:.2f} MB, {seconds:.2f} s, "
              f"{rate:.2f} MB/s")
    return 0
