"""What applications use after plain search, heron against Whoosh on news, in the same run.

Both engines index the news collection (Reuters-21578) with the same fields: id; title
and body (stored, English stemming); topics and places as comma-separated keywords; the
body's word count (NUMERIC); the date as written (``26-FEB-1987 15:01:01.79``, a
DATETIME); and the title again as word n-grams of 2 to 6 letters (NGRAMWORDS). Each engine
builds its index and then runs the tasks below in a child process of its own, 100 queries
per task (fixed seed, each word from the title of a random article, as benchmarks/
indexing.py draws its keyword queries); each query runs once to warm up (filling Whoosh's
field caches and recording how many documents matched), then once timed, ids of the hits
fetched:

- page2: page 2 of 10 hits of a two-word OR query on title and body (``search_page``).
- collapse: the top 10 of the same queries with at most one hit per place
  (heron ``collapse="place"``; Whoosh ``collapse="place"``).
- groups: every matching document per topic (heron ``results.groups("topics")``; Whoosh
  ``groupedby=FieldFacet("topics", allow_overlap=True)`` and ``results.groups``).
- facets: word counts in buckets of 100 from 0 to 1000 and dates by month (heron
  ``facets.Range`` and ``facets.DateBuckets``; Whoosh ``RangeFacet`` and
  ``DateRangeFacet`` with a 30-day gap, as Whoosh needs dateutil for calendar months).
- timelimit: a 20-word OR query (words of 20 random titles) with a generous time limit
  of 1 s, so both finish (heron ``time_limit=1.0``; Whoosh ``TimeLimitCollector``): the
  cost of the mechanism.
- ngram: as-you-type, the first 3 to 5 letters of a title word on the n-gram field
  (``title_ng:petr``).

    .venv/bin/python benchmarks/applications.py [--limit N] [--engines heron,whoosh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from _report import Check, finish, load_targets, milliseconds, print_table, ratio, start_news
from _scenario import parse_news_args, run_child_phase, run_child_script
from corpora import NEWS_FILE, title_words
from heron.bench import STOP_WORDS, dir_size, percentile, read_jsonl

ENGINES = ("heron", "whoosh")
TASKS = ("page2", "collapse", "groups", "facets", "timelimit", "ngram")
TARGET_SPEEDUP = float(load_targets("applications")["speedup_over_whoosh"])
QUERY_COUNT = 100
QUERY_SEED = 11
LONG_QUERY_WORDS = 20
TIME_LIMIT = 1.0
SEARCH_FIELDS = ("title", "body")
WORDS_RANGE = (0, 1000, 100)
DATE_RANGE = (dt.datetime(1987, 1, 1), dt.datetime(1988, 1, 1))

Row = dict[str, Any]
TaskRun = Callable[[str], tuple[list[str], int]]
"""run(query): the ids the task returns and how many documents it counted."""


# --------------------------------------------------------------------------- data


def news_date(text: str | None) -> dt.datetime | None:
    """The date of an article as written (``26-FEB-1987 15:01:01.79``), or None."""
    try:
        return dt.datetime.strptime((text or "")[:20].strip(), "%d-%b-%Y %H:%M:%S")
    except ValueError:
        return None


def load_rows(path: Path, limit: int | None) -> list[Row]:
    """The first ``limit`` articles with the fields both engines index."""
    rows: list[Row] = []
    for article in read_jsonl(path):
        if limit is not None and len(rows) >= limit:
            break
        body = article.get("body") or ""
        rows.append({
            "id": str(article["id"]),
            "title": article.get("title") or "",
            "body": body,
            "topics": ",".join(article.get("topics") or []),
            "place": ",".join(article.get("places") or []),
            "words": len(body.split()),
            "date": news_date(article.get("date")),
        })
    return rows


def make_queries(rows: Sequence[Row], count: int, seed: int) -> dict[str, list[str]]:
    """The queries of every task, each word from the title of a random article.

    Words are drawn as benchmarks/indexing.py draws its keyword queries (words of random
    titles, so common words come up as often as users type them), which gives most
    queries a page 2 and matches to group and count.
    """
    rng = random.Random(seed)
    titles = [words for row in rows if (words := [w for w in title_words(row["title"])
                                                  if w.isalpha() and w not in STOP_WORDS])]
    long_words = [[w for w in words if len(w) >= 5] for words in titles]
    long_words = [words for words in long_words if words]

    def pair() -> str:
        words = rng.choice([w for w in titles if len(w) >= 2])
        return " OR ".join(rng.sample(words, 2))

    def long() -> str:
        return " OR ".join(rng.choice(rng.choice(titles)) for _ in range(LONG_QUERY_WORDS))

    def typed() -> str:
        return f"title_ng:{rng.choice(rng.choice(long_words))[: rng.randint(3, 5)]}"

    pairs = [pair() for _ in range(count)]
    return {"page2": pairs, "collapse": pairs, "groups": pairs, "facets": pairs,
            "timelimit": [long() for _ in range(count)],
            "ngram": [typed() for _ in range(count)]}


# --------------------------------------------------------------------------- engines


def build_heron(path: Path, rows: list[Row]) -> None:
    """Index the rows with heron in one commit."""
    import heron

    schema = heron.Schema(
        id=heron.ID(stored=True, unique=True),
        title=heron.TEXT(stored=True), body=heron.TEXT(stored=True),
        topics=heron.KEYWORD(stored=True, commas=True),
        place=heron.KEYWORD(stored=True, commas=True),
        words=heron.NUMERIC(stored=True), date=heron.DATETIME(stored=True),
        title_ng=heron.NGRAMWORDS(minsize=2, maxsize=6),
    )
    index = heron.create_index(path, schema, overwrite=True)
    with index.writer() as writer:
        writer.add_documents({**row, "title_ng": row["title"]} for row in rows)


def build_whoosh(path: Path, rows: list[Row]) -> None:
    """Index the rows with Whoosh in one commit."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(stored=True, analyzer=StemmingAnalyzer()),
        body=fields.TEXT(stored=True, analyzer=StemmingAnalyzer()),
        topics=fields.KEYWORD(stored=True, commas=True),
        place=fields.KEYWORD(stored=True, commas=True),
        words=fields.NUMERIC(stored=True), date=fields.DATETIME(stored=True),
        title_ng=fields.NGRAMWORDS(minsize=2, maxsize=6),
    )
    path.mkdir(parents=True, exist_ok=True)
    writer = index.create_in(str(path), schema).writer(limitmb=256)
    for row in rows:
        doc = {k: v for k, v in row.items() if v is not None and v != ""}
        writer.add_document(**doc, title_ng=row["title"])
    writer.commit()


@contextmanager
def heron_tasks(path: Path) -> Iterator[dict[str, TaskRun]]:
    """Each task run through heron's searcher."""
    import heron
    from heron import facets

    counted = [facets.Range("words", *WORDS_RANGE), facets.DateBuckets("date", "month")]
    fields = list(SEARCH_FIELDS)
    with heron.open_index(path).searcher() as s:

        def ids(hits: Any) -> list[str]:
            return [hit["id"] for hit in hits]

        def page2(q: str) -> tuple[list[str], int]:
            page = s.search_page(q, 2, pagelen=10, fields=fields)
            return ids(page), page.total

        def collapse(q: str) -> tuple[list[str], int]:
            r = s.search(q, fields=fields, collapse="place", collapse_limit=1)
            return ids(r), len(r)

        def groups(q: str) -> tuple[list[str], int]:
            r = s.search(q, fields=fields)
            return ids(r), sum(len(v) for v in r.groups("topics").values())

        def facet(q: str) -> tuple[list[str], int]:
            r = s.search(q, fields=fields, facets=counted)
            return ids(r), sum(r.facets["words"].values())

        def timelimit(q: str) -> tuple[list[str], int]:
            r = s.search(q, fields=fields, time_limit=TIME_LIMIT)
            return ids(r), r.total

        def ngram(q: str) -> tuple[list[str], int]:
            r = s.search(q)
            return ids(r), r.total

        yield {"page2": page2, "collapse": collapse, "groups": groups, "facets": facet,
               "timelimit": timelimit, "ngram": ngram}


@contextmanager
def whoosh_tasks(path: Path) -> Iterator[dict[str, TaskRun]]:
    """Each task run through Whoosh's searcher, with its own names for the same things."""
    from whoosh import collectors, index, qparser, searching, sorting

    ix = index.open_dir(str(path))
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), ix.schema)
    typed = qparser.QueryParser("title_ng", ix.schema)
    by_topic = sorting.FieldFacet("topics", allow_overlap=True)
    counted = {"words": sorting.RangeFacet("words", *WORDS_RANGE),
               "date": sorting.DateRangeFacet("date", *DATE_RANGE, dt.timedelta(days=30))}
    with ix.searcher() as s:

        def ids(hits: Any) -> list[str]:
            return [hit["id"] for hit in hits]

        def page2(q: str) -> tuple[list[str], int]:
            page = s.search_page(parser.parse(q), 2, pagelen=10)
            return ids(page), page.total

        def collapse(q: str) -> tuple[list[str], int]:
            r = s.search(parser.parse(q), limit=10, collapse="place", collapse_limit=1)
            return ids(r), r.scored_length()

        def groups(q: str) -> tuple[list[str], int]:
            r = s.search(parser.parse(q), limit=10, groupedby={"topics": by_topic})
            return ids(r), sum(len(v) for k, v in r.groups("topics").items() if k is not None)

        def facet(q: str) -> tuple[list[str], int]:
            r = s.search(parser.parse(q), limit=10, groupedby=counted)
            return ids(r), sum(len(v) for k, v in r.groups("words").items() if k is not None)

        def timelimit(q: str) -> tuple[list[str], int]:
            timed = collectors.TimeLimitCollector(s.collector(limit=10), timelimit=TIME_LIMIT)
            with suppress(searching.TimeLimit):
                s.search_with_collector(parser.parse(q), timed)
            r = timed.results()
            return ids(r), len(r)

        def ngram(q: str) -> tuple[list[str], int]:
            r = s.search(typed.parse(q.split(":", 1)[1]), limit=10)
            return ids(r), len(r)

        yield {"page2": page2, "collapse": collapse, "groups": groups, "facets": facet,
               "timelimit": timelimit, "ngram": ngram}


BUILDERS = {"heron": build_heron, "whoosh": build_whoosh}
TASK_SETS = {"heron": heron_tasks, "whoosh": whoosh_tasks}


# --------------------------------------------------------------------------- child side


def child_run(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Build the engine's index, then warm up on every query and time each once."""
    engine = spec["engine"]
    rows = load_rows(Path(spec["data"]), spec["limit"])
    path = Path(spec["workdir"]) / f"{engine}-index"
    start = time.perf_counter()
    BUILDERS[engine](path, rows)
    out: dict[str, Any] = {"build_seconds": time.perf_counter() - start,
                           "index_bytes": dir_size(path)}
    with TASK_SETS[engine](path) as tasks:
        for task in TASKS:
            counts = [tasks[task](q)[1] for q in spec["queries"][task]]
            latencies = []
            for q in spec["queries"][task]:
                begin = time.perf_counter()
                tasks[task](q)
                latencies.append(time.perf_counter() - begin)
            out[task] = {"counts": counts, "latencies": latencies}
    return out


PHASES = {"run": child_run}


# --------------------------------------------------------------------------- parent side


def measure(engine: str, args: argparse.Namespace, queries: Mapping[str, list[str]],
            workdir: Path) -> dict[str, Any] | None:
    """Run one engine's child process."""
    spec = {"engine": engine, "phase": "run", "data": str(args.data / NEWS_FILE),
            "limit": args.limit, "queries": queries, "workdir": str(workdir)}
    return run_child_script(Path(__file__), spec, workdir)


def latency(run: Mapping[str, Any] | None, task: str, q: float) -> float | None:
    """The q-th percentile latency of a task in ms."""
    return None if run is None else percentile(run[task]["latencies"], q) * 1e3


HEADERS = ("task", "heron median ms", "heron p95 ms", "whoosh median ms", "whoosh p95 ms",
           "whoosh/heron median", "whoosh/heron p95", "same counts")


def report(runs: Mapping[str, dict[str, Any] | None]) -> dict[str, Any]:
    """Print the latency table; return its figures."""
    heron, whoosh = runs.get("heron"), runs.get("whoosh")
    for engine, run in runs.items():
        if run:
            print(f"{engine}: index built in {run['build_seconds']:.2f} s, "
                  f"{run['index_bytes'] / 1e6:.1f} MB")
    print()
    rows: list[list[object]] = []
    figures: dict[str, Any] = {}
    for task in TASKS:
        mine = (latency(heron, task, 50), latency(heron, task, 95))
        theirs = (latency(whoosh, task, 50), latency(whoosh, task, 95))
        same = "-"
        if heron and whoosh:
            pairs = zip(heron[task]["counts"], whoosh[task]["counts"], strict=True)
            same = f"{sum(a == b for a, b in pairs)}/{len(heron[task]['counts'])}"
        rows.append([task, milliseconds(mine[0]), milliseconds(mine[1]),
                     milliseconds(theirs[0]), milliseconds(theirs[1]),
                     ratio(theirs[0], mine[0]), ratio(theirs[1], mine[1]), same])
        figures[task] = {"heron_median_ms": mine[0], "heron_p95_ms": mine[1],
                         "whoosh_median_ms": theirs[0], "whoosh_p95_ms": theirs[1]}
    print(f"Latency (ms per query after one warm-up pass, {QUERY_COUNT} queries per task; "
          "same counts: queries whose counts agree)")
    print("(matches for page2, timelimit and ngram; hits kept of the top 10 for collapse;\n"
          " documents in the groups for groups and in the word-count buckets for facets;\n"
          " the engines stem differently: Porter in Whoosh, Snowball in heron)")
    print_table(HEADERS, rows)
    return figures


def targets(figures: Mapping[str, Mapping[str, Any]]) -> list[Check]:
    """heron's median must be at least TARGET_SPEEDUP times lower than Whoosh's, per task."""
    checks = []
    for task in TASKS:
        name = f"{task}: heron median latency <= whoosh / {TARGET_SPEEDUP:g}"
        mine, theirs = figures[task]["heron_median_ms"], figures[task]["whoosh_median_ms"]
        if mine is None or theirs is None:
            checks.append(Check(name, None, "needs heron and whoosh results"))
            continue
        detail = f"heron {mine:.3g} ms, whoosh {theirs:.3g} ms: {theirs / mine:.1f}x"
        checks.append(Check(name, theirs / mine >= TARGET_SPEEDUP, detail))
    return checks


def main(argv: list[str] | None = None) -> int:
    """Measure every chosen engine and print the table and targets."""
    args = parse_news_args(argv, __doc__, ENGINES)
    if args.child:
        return run_child_phase(args.child, PHASES)
    info, _ = start_news(args, "pages, collapsing, groups, facets, time limits and "
                         "n-grams on news", ["heron", "whoosh", "numpy", "nltk"])
    rows = load_rows(args.data / NEWS_FILE, args.limit)
    queries = make_queries(rows, QUERY_COUNT, QUERY_SEED)
    print(f"news: {len(rows):,} articles; {QUERY_COUNT} queries per task, e.g.")
    for task in ("page2", "ngram"):
        print(f"  {task:<9} {queries[task][:3]}")
    with tempfile.TemporaryDirectory(prefix="heron-bench-apps-") as tmp:
        runs = {engine: measure(engine, args, queries, Path(tmp)) for engine in args.engines}
    print()
    figures = report(runs)
    return finish(args, info, targets(figures), corpus={"articles": len(rows)},
                  latency=figures, queries=queries)


if __name__ == "__main__":
    sys.exit(main())
