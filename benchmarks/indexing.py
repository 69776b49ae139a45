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
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    Check,
    EngineRuns,
    SearchFn,
    TantivyField,
    Timer,
    add_common_arguments,
    dir_size,
    finish,
    heron_build,
    heron_search,
    peak_rss_mb,
    percentile,
    print_header,
    print_table,
    ratio,
    read_jsonl,
    require_paths,
    run_child_phase,
    run_child_script,
    run_info,
    tantivy_build,
    tantivy_search,
)

ENGINES = ("heron", "heron-2p", "whoosh", "tantivy")
#: heron's configurations: one process, and writer(procs=2) on this 2-core machine
HERONS = ("heron", "heron-2p")
NEWS_FILE = Path("news") / "reuters21578.jsonl.gz"
SEARCH_FIELDS = ("title", "body")
TOP = 10
QUERY_COUNT = 200
QUERY_SEED = 1987
WHOOSH_LIMIT_MB = 256
TANTIVY_HEAP_BYTES = 1_000_000_000

# NLTK's English stop words of three letters or more; query words are picked without them.
_STOP_WORDS_TEXT = """
    about above after again against all and any are because been before being below between
    both but can did does doing don down during each few for from further had has have
    having her here hers herself him himself his how into its itself just more most myself
    nor not now off once only other our ours ourselves out over own same she should some
    such than that the their theirs them themselves then there these they this those
    through too under until very was were what when where which while who whom why will
    with you your yours yourself yourselves
    ain aren couldn didn doesn hadn hasn haven isn mightn mustn needn shan shouldn wasn weren
    won wouldn
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"\w+")

Row = dict[str, Any]


# --------------------------------------------------------------------------- data


def load_news(path: Path, limit: int | None, comma_topics: bool = False) -> list[Row]:
    """Read the first ``limit`` articles as id/title/body/topics rows.

    Topics are a list of tags, or one comma-separated string when ``comma_topics``.
    """
    rows: list[Row] = []
    for article in read_jsonl(path):
        if limit is not None and len(rows) >= limit:
            break
        topics = list(article.get("topics") or [])
        rows.append(
            {
                "id": str(article["id"]),
                "title": article.get("title") or "",
                "body": article.get("body") or "",
                "topics": ",".join(topics) if comma_topics else topics,
            }
        )
    return rows


def text_megabytes(rows: Sequence[Row]) -> float:
    """Characters of every title and body, divided by 1e6."""
    return sum(len(row["title"]) + len(row["body"]) for row in rows) / 1e6


def title_words(title: str) -> list[str]:
    """Distinct lower-case alphabetic words of a title, without stop words and short words."""
    words = _WORD.findall(title.lower())
    kept = (w for w in words if w.isalpha() and len(w) >= 3 and w not in STOP_WORDS)
    return list(dict.fromkeys(kept))


def make_queries(rows: Sequence[Row], count: int, seed: int) -> list[str]:
    """Draw ``count`` queries of two to four words, each from one random title."""
    rng = random.Random(seed)
    candidates = [words for row in rows if len(words := title_words(row["title"])) >= 2]
    if not candidates:
        sys.exit("no title has two usable words to build queries from")
    queries = []
    for _ in range(count):
        words = rng.choice(candidates)
        queries.append(" ".join(rng.sample(words, rng.randint(2, min(4, len(words))))))
    return queries


# --------------------------------------------------------------------------- engines


def build_heron(path: Path, rows: list[Row], procs: int = 1) -> None:
    """Index with heron's bulk path; TEXT's default analyzer stems English."""
    import heron

    schema = heron.Schema(
        id=heron.ID(stored=True, unique=True),
        title=heron.TEXT(stored=True),
        body=heron.TEXT(stored=True),
        topics=heron.KEYWORD(stored=True, commas=True),
    )
    heron_build(path, schema, rows, procs)


def build_heron_2p(path: Path, rows: list[Row]) -> None:
    """heron with ``writer(procs=2)``: one worker process besides the writer's own."""
    build_heron(path, rows, procs=2)


def count_heron(path: Path) -> int:
    """Documents in a heron index."""
    import heron

    return int(heron.open_index(path).doc_count())


def search_heron(path: Path) -> AbstractContextManager[SearchFn]:
    """Search title and body of a heron index (OR of the words, BM25)."""
    return heron_search(path, SEARCH_FIELDS, TOP)


def build_whoosh(path: Path, rows: list[Row]) -> None:
    """Index with Whoosh 2.7: StemmingAnalyzer text, one writer, one process."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(stored=True, analyzer=StemmingAnalyzer()),
        body=fields.TEXT(stored=True, analyzer=StemmingAnalyzer()),
        topics=fields.KEYWORD(stored=True, commas=True),
    )
    writer = index.create_in(str(path), schema).writer(limitmb=WHOOSH_LIMIT_MB)
    for row in rows:
        writer.add_document(**row)
    writer.commit()


def count_whoosh(path: Path) -> int:
    """Documents in a Whoosh index."""
    from whoosh import index

    return int(index.open_dir(str(path)).doc_count())


@contextmanager
def search_whoosh(path: Path) -> Iterator[SearchFn]:
    """Search title and body of a Whoosh index (OR group, BM25F)."""
    from whoosh import index, qparser

    ix = index.open_dir(str(path))
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), ix.schema, group=qparser.OrGroup)
    with ix.searcher() as searcher:

        def search(text: str) -> list[str]:
            return [hit["id"] for hit in searcher.search(parser.parse(text), limit=TOP)]

        yield search


TANTIVY_FIELDS = {
    "id": TantivyField("raw", stored=True),
    "title": TantivyField("en_stem", stored=True),
    "body": TantivyField("en_stem", stored=True),
    "topics": TantivyField("raw", stored=True),
}


def build_tantivy(path: Path, rows: list[Row]) -> None:
    """Index with tantivy: en_stem text, raw id and tags, one thread, a 1 GB heap."""
    tantivy_build(path, TANTIVY_FIELDS, rows, heap_bytes=TANTIVY_HEAP_BYTES)


def count_tantivy(path: Path) -> int:
    """Documents in a tantivy index."""
    import tantivy

    return int(tantivy.Index.open(str(path)).searcher().num_docs)


def search_tantivy(path: Path) -> AbstractContextManager[SearchFn]:
    """Search title and body of a tantivy index (its parser ORs the words; BM25)."""
    return tantivy_search(path, SEARCH_FIELDS, TOP)


@dataclass(frozen=True)
class Engine:
    """How to build, count and search one engine's index."""

    build: Callable[[Path, list[Row]], None]
    count: Callable[[Path], int]
    search: Callable[[Path], AbstractContextManager[SearchFn]]
    comma_topics: bool
    """Whether topics go in as one comma-separated string (Whoosh-style KEYWORD)."""


ENGINE_TABLE = {
    "heron": Engine(build_heron, count_heron, search_heron, comma_topics=True),
    "heron-2p": Engine(build_heron_2p, count_heron, search_heron, comma_topics=True),
    "whoosh": Engine(build_whoosh, count_whoosh, search_whoosh, comma_topics=True),
    "tantivy": Engine(build_tantivy, count_tantivy, search_tantivy, comma_topics=False),
}


# --------------------------------------------------------------------------- child side


def child_index(spec: dict[str, Any]) -> dict[str, Any]:
    """Build one engine's index from the news rows; time it and record memory and size."""
    engine = ENGINE_TABLE[spec["engine"]]
    rows = load_news(Path(spec["data"]), spec["limit"], engine.comma_topics)
    path = Path(spec["index"])
    path.mkdir(parents=True)
    rss_before = peak_rss_mb()
    with Timer() as timer:
        engine.build(path, rows)
    return {
        "seconds": timer.seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
        "index_bytes": dir_size(path),
    }


def child_search(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the queries once to warm up, then once timed; return latencies and hit ids."""
    engine = ENGINE_TABLE[spec["engine"]]
    path = Path(spec["index"])
    queries: list[str] = spec["queries"]
    latencies, hits = [], []
    with engine.search(path) as search:
        for text in queries:
            search(text)
        for text in queries:
            start = time.perf_counter()
            ids = search(text)
            latencies.append(time.perf_counter() - start)
            hits.append(ids)
    return {"doc_count": engine.count(path), "latencies": latencies, "hits": hits}


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


def run_news_phases(
    script: str, engine: str, args: argparse.Namespace, workdir: Path, phase: str, **spec: Any
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Build one engine's news index (``child_index``) in a child process of ``script``,
    then, if that worked, run ``script``'s ``phase`` in another; return both results.

    The phases' spec holds the engine, the news file, --limit, the index folder under
    ``workdir`` and the keyword arguments. A result is None when its phase failed or did
    not run.
    """
    spec = {
        "engine": engine,
        "data": str(args.data / NEWS_FILE),
        "limit": args.limit,
        "index": str(workdir / engine),
        **spec,
    }
    path = Path(script).resolve()
    built = run_child_script(path, {**spec, "phase": "index"}, workdir)
    measured = run_child_script(path, {**spec, "phase": phase}, workdir) if built else None
    return built, measured


def measure(
    engine: str, args: argparse.Namespace, megabytes: float, queries: list[str], workdir: Path
) -> Figures:
    """Build then search one engine's index, each in its own child process."""
    built, searched = run_news_phases(__file__, engine, args, workdir, "search", queries=queries)
    return Figures(engine, built, searched, megabytes=megabytes)


def heron_figures(all_figures: Sequence[Figures]) -> Figures:
    """heron's figures, or an empty set when heron was not run."""
    return next((figures for figures in all_figures if figures.engine == "heron"), Figures("-"))


def overlap(hits: Sequence[Sequence[str]], reference: Sequence[Sequence[str]]) -> float:
    """Mean share of the reference's top ids that the other engine also returned."""
    shares = [
        len(set(mine) & set(theirs)) / len(theirs)
        for mine, theirs in zip(hits, reference, strict=True)
        if theirs
    ]
    return sum(shares) / len(shares) if shares else 0.0


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


TARGETS = (
    Target("whoosh", "MB/s", 20.0),
    Target("tantivy", "MB/s", 0.5),
    Target("whoosh", "ms", 20.0),
    Target("tantivy", "ms", 0.25),
)


def targets(all_figures: Sequence[Figures]) -> list[Check]:
    """Check heron's speed targets against Whoosh and tantivy."""
    by_name = {figures.engine: figures for figures in all_figures}
    return [
        target.check(by_name[who], by_name.get(target.peer), who)
        for who in HERONS if who in by_name
        for target in TARGETS
        if who == "heron" or target.figure == "MB/s"
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
        f"Indexing (whoosh: writer limitmb={WHOOSH_LIMIT_MB}; tantivy: num_threads=1, "
        f"heap {TANTIVY_HEAP_BYTES / 1e9:g} GB; x heron = engine / heron)"
    )
    rows = [indexing_row(figures, heron, docs) for figures in all_figures]
    print_table(INDEXING_HEADERS, rows)
    print(f"Search ({queries} queries after one warm-up pass; top {TOP}, ids fetched)")
    print_table(SEARCH_HEADERS, [latency_row(figures, heron) for figures in all_figures])


def parse_news_args(
    argv: list[str] | None, doc: str, engines: Sequence[str]
) -> argparse.Namespace:
    """Read the command line of a benchmark on news: the common options, --limit and the
    hidden --child SPEC of its child processes. ``doc``'s first line describes it."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    add_common_arguments(parser, engines)
    parser.add_argument("--limit", type=int, metavar="N", help="index only the first N articles")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child:
        require_paths(args.data / NEWS_FILE)
    return args


def start_news(
    args: argparse.Namespace, title: str, packages: Sequence[str]
) -> tuple[dict[str, Any], list[Row]]:
    """Describe the run (with the versions of ``packages``) and print that under ``title``,
    then read the first --limit news articles; return the description and the articles."""
    info = run_info(packages)
    print_header(title, info)
    return info, load_news(args.data / NEWS_FILE, args.limit)


def main(argv: list[str] | None = None) -> int:
    """Measure every chosen engine and print the tables and targets."""
    args = parse_news_args(argv, __doc__, ENGINES)
    if args.child:
        return run_child_phase(args.child, PHASES)
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
            measure(engine, args, megabytes, queries, Path(tmp)) for engine in args.engines
        ]
    print()
    print_report(all_figures, len(rows), len(queries))
    return finish(
        args,
        info,
        targets(all_figures),
        corpus={"articles": len(rows), "megabytes": megabytes, "queries": queries},
        engines=summary(all_figures),
    )


if __name__ == "__main__":
    sys.exit(main())
