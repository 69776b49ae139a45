"""Indexing speed, index size, memory and query latency of heron, Whoosh and tantivy on news.

The news collection (Reuters-21578) is indexed with the fields id (stored, unique), title and
body (stored, English stemming) and topics (stored keyword tags). Each engine indexes and
then searches in child processes of its own, so that its imports, caches and memory
high-water mark are its alone. Reading the collection is not timed; the timed part runs
from creating the index to the finished commit. MB counts the characters of every
document's title and body, divided by 1e6.

Search: 200 queries of two to four words picked at random (fixed seed) from the
titles, stop words and words under three letters left out, OR semantics over title and
body, top 10, each hit's stored id fetched; one warm-up pass, then a timed pass.

    .venv/bin/python benchmarks/indexing.py [--limit N] [--engines heron,whoosh,tantivy]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _report import Check, finish, load_targets, print_table, ratio, start_news
from _scenario import EngineRuns, child_index, overlap, parse_news_args, run_news_phases
from corpora import NEWS_FIELDS, QUERY_COUNT, QUERY_SEED, TOP, make_queries, text_megabytes
from heron.bench import child_main, engine, measure_search, percentile

ENGINES = ("heron", "heron-2p", "whoosh", "tantivy")


# --------------------------------------------------------------------------- child side


def child_search(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the queries once to warm up, then once timed; return latencies and hit ids."""
    return measure_search(engine(spec["engine"]), Path(spec["index"]), NEWS_FIELDS,
                          spec["queries"], TOP)


PHASES = {"index": child_index, "search": child_search}


# --------------------------------------------------------------------------- parent side


@dataclass
class Figures(EngineRuns):
    """What the parent learned about one engine; every figure is None when unmeasured."""

    megabytes: float = 0.0

    @property
    def mb_per_s(self) -> float | None:
        """Indexing throughput in MB of text per second."""
        return self.megabytes / self.built["seconds"] if self.built else None

    @property
    def index_mb(self) -> float | None:
        """Size of the index on disk in MB (1e6 bytes)."""
        return self.built["index_bytes"] / 1e6 if self.built else None

    @property
    def peak_rss_mb(self) -> float | None:
        """The indexing child's resident-set high-water mark in MB."""
        return float(self.built["peak_rss_mb"]) if self.built else None

    def latency_ms(self, q: float) -> float | None:
        """The q-th percentile query latency in milliseconds."""
        return percentile(self.searched["latencies"], q) * 1e3 if self.searched else None


def measure(
    name: str, args: argparse.Namespace, megabytes: float, queries: list[str], workdir: Path
) -> Figures:
    """Build then search one engine's index, each in its own child process."""
    built, searched = run_news_phases(__file__, name, args, workdir, "search", queries=queries)
    return Figures(name, built, searched, megabytes=megabytes)


def heron_figures(all_figures: Sequence[Figures]) -> Figures:
    """heron's figures, or an empty set when heron was not run."""
    return next((figures for figures in all_figures if figures.engine == "heron"), Figures("-"))


INDEXING_HEADERS = (
    "engine",
    "seconds",
    "docs/s",
    "MB/s",
    "x heron",
    "index MB",
    "x heron",
    "peak RSS MB",
    "RSS growth MB",
    "x heron",
)
SEARCH_HEADERS = (
    "engine",
    "docs",
    "median ms",
    "x heron",
    "p95 ms",
    "x heron",
    "hits/query",
    "top-10 overlap w/ heron",
)


def indexing_row(figures: Figures, heron: Figures, docs: int) -> list[object]:
    """One table row for indexing: speed, size and memory, each also relative to heron."""
    built = figures.built
    if not built:
        return [figures.engine, "failed"]
    return [
        figures.engine,
        f"{built['seconds']:.2f}",
        f"{docs / built['seconds']:,.0f}",
        f"{figures.mb_per_s:.2f}",
        ratio(figures.mb_per_s, heron.mb_per_s),
        f"{figures.index_mb:.1f}",
        ratio(figures.index_mb, heron.index_mb),
        f"{built['peak_rss_mb']:.0f}",
        f"{built['peak_rss_mb'] - built['rss_before_mb']:.0f}",
        ratio(figures.peak_rss_mb, heron.peak_rss_mb),
    ]


def latency_row(figures: Figures, heron: Figures) -> list[object]:
    """One table row for search: median and p95 latency, relative to heron, and hit overlap."""
    searched = figures.searched
    if not searched:
        return [figures.engine, "failed"]
    median, p95 = figures.latency_ms(50), figures.latency_ms(95)
    hits = searched["hits"]
    return [
        figures.engine,
        f"{searched['doc_count']:,}",
        f"{median:.3f}",
        ratio(median, heron.latency_ms(50)),
        f"{p95:.3f}",
        ratio(p95, heron.latency_ms(95)),
        f"{sum(map(len, hits)) / len(hits):.1f}",
        f"{overlap(hits, heron.searched['hits']):.2f}" if heron.searched else "-",
    ]


@dataclass(frozen=True)
class Target:
    """heron must be at least ``need`` times as fast as ``peer`` on one figure."""

    peer: str
    figure: str
    need: float
    engine: str = "heron"

    def name(self, who: str = "heron") -> str:
        """The target as a sentence."""
        if self.figure == "MB/s":
            return f"{who} indexing MB/s >= {self.need:g}x {self.peer}"
        if self.need >= 1:
            return f"{who} median latency <= {self.peer} / {self.need:g}"
        return f"{who} median latency <= {1 / self.need:g}x {self.peer}"

    def value(self, figures: Figures) -> float | None:
        """The figure this target compares: MB/s or median ms."""
        return figures.mb_per_s if self.figure == "MB/s" else figures.latency_ms(50)

    def check(self, heron: Figures | None, peer: Figures | None, who: str = "heron") -> Check:
        """Compare heron with the peer; SKIP when either was not run or the peer failed."""
        if heron is None or peer is None:
            return Check(self.name(who), None, f"needs {who} and {self.peer} in --engines")
        mine, theirs = self.value(heron), self.value(peer)
        if theirs is None:
            return Check(self.name(who), None, f"{self.peer} failed")
        if mine is None:
            return Check(self.name(who), False, f"{who} failed")
        advantage = mine / theirs if self.figure == "MB/s" else theirs / mine
        detail = (
            f"{who} {mine:.3g} {self.figure}, {self.peer} {theirs:.3g} {self.figure}: "
            f"{who} is {advantage:.2f}x as fast"
        )
        return Check(self.name(who), advantage >= self.need, detail)


TARGETS = tuple(
    Target(entry["peer"], entry["figure"], entry["need"], entry["engine"])
    for entry in load_targets("indexing")["speed"]
)


def check_targets(all_figures: Sequence[Figures]) -> list[Check]:
    """Check heron's speed targets (benchmarks/targets.json) against Whoosh and tantivy."""
    by_name = {figures.engine: figures for figures in all_figures}
    return [
        target.check(by_name[target.engine], by_name.get(target.peer), target.engine)
        for target in TARGETS
        if target.engine in by_name
    ]


def summary(all_figures: Sequence[Figures]) -> list[dict[str, Any]]:
    """The per-engine figures as plain values for --json."""
    out = []
    for figures in all_figures:
        entry: dict[str, Any] = {"engine": figures.engine}
        if figures.built:
            entry.update(figures.built, mb_per_s=figures.mb_per_s)
        if figures.searched:
            entry.update(
                doc_count=figures.searched["doc_count"],
                median_ms=figures.latency_ms(50),
                p95_ms=figures.latency_ms(95),
            )
        out.append(entry)
    return out


def print_report(all_figures: Sequence[Figures], docs: int, queries: int) -> None:
    """Print the indexing and search tables."""
    heron = heron_figures(all_figures)
    print(
        f"Indexing (whoosh: {engine('whoosh').settings}; tantivy: {engine('tantivy').settings};"
        " x heron = engine / heron)"
    )
    rows = [indexing_row(figures, heron, docs) for figures in all_figures]
    print_table(INDEXING_HEADERS, rows)
    print(f"Search ({queries} queries after one warm-up pass; top {TOP}, ids fetched)")
    print_table(SEARCH_HEADERS, [latency_row(figures, heron) for figures in all_figures])


def main(argv: list[str] | None = None) -> int:
    """Measure every chosen engine and print the tables and targets."""
    args = parse_news_args(argv, __doc__, ENGINES)
    if args.child:
        return child_main(args.child, PHASES)
    info, rows = start_news(
        args,
        "indexing speed, size, memory and query latency on news",
        ["heron", "whoosh", "tantivy", "numpy", "nltk"],
    )
    megabytes = text_megabytes(rows)
    queries = make_queries(rows, QUERY_COUNT, QUERY_SEED)
    print(
        f"news: {len(rows):,} articles, {megabytes:.2f} MB of title+body text "
        f"(MB = characters / 1e6); {len(queries)} queries, e.g. {queries[:3]}"
    )
    with tempfile.TemporaryDirectory(prefix="heron-bench-news-") as tmp:
        all_figures = [
            measure(name, args, megabytes, queries, Path(tmp)) for name in args.engines
        ]
    print()
    print_report(all_figures, len(rows), len(queries))
    return finish(
        args,
        info,
        check_targets(all_figures),
        corpus={"articles": len(rows), "megabytes": megabytes, "queries": queries},
        engines=summary(all_figures),
    )


if __name__ == "__main__":
    sys.exit(main())
