"""What a unique field costs a bulk load: news loaded with the id unique and not, alternately.

A document whose unique value is already there replaces it (issue #8), so the writer keeps
the values it has seen; this measures that bookkeeping on a load into an empty index, in
one process (CPU seconds, which count the compression thread too), the two variants
alternating so that both see the same machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _checkout import use_checkout_heron
from _scenario import require_paths
from corpora import DEFAULT_DATA, NEWS_FILE, load_news

use_checkout_heron()

import heron  # noqa: E402 - the checkout's heron, chosen just above


def load_seconds(rows: list[dict[str, str]], unique: bool) -> float:
    """CPU seconds of one load of ``rows`` into a new index."""
    schema = heron.Schema(id=heron.ID(stored=True, unique=unique),
                          title=heron.TEXT(stored=True), body=heron.TEXT(stored=True))
    with tempfile.TemporaryDirectory(prefix="heron-unique-") as tmp:
        ix = heron.create_index(Path(tmp) / "ix", schema)
        start = time.process_time()
        with ix.writer() as w:
            w.add_documents({"id": r["id"], "title": r["title"], "body": r["body"]}
                            for r in rows)
        return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    """Print the CPU seconds of each load and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    require_paths(args.data / NEWS_FILE)
    rows = [dict(r) for r in load_news(args.data / NEWS_FILE, None)]
    heron.analysis.StandardAnalyzer().terms("warming up the stemmer")  # nltk's import
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.rounds):
        for unique in (True, False):
            times[unique].append(load_seconds(rows, unique))
    for unique, values in times.items():
        print(f"unique={unique!s:5}  CPU s {' '.join(f'{v:.3f}' for v in values)}  "
              f"median {statistics.median(values):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
