"""Query latency of heron and Whoosh on news for phrase, AND, prefix and fuzzy queries.

Both engines index the news collection (Reuters-21578) exactly as benchmarks/indexing.py
does (id; title and body stored, English stemming; topics keywords), each in a child
process of its own, and each then searches its index in another child process. Four
kinds of query, 200 of each (fixed seed), all lower-case, stop words left out (NLTK's
English list, which heron uses, and Whoosh's extra "may", "tbd" and "yet"):

- phrase: two adjacent words of an article body, each of three letters or more,
  ``body:"w1 w2"``.
- and: two or three words of one title, all required, searched in title and body
  (heron: ``default_operator="AND"``; Whoosh: MultifieldParser and its AndGroup).
- prefix: the first four letters of a title word of six letters or more, ``body:tunn*``.
- fuzzy: a title word of five letters or more with one letter replaced, ``body:word~1``
  (edit distance 1, no fixed prefix in either engine: heron's Fuzzy defaults to
  prefix_length 0 and Whoosh's FuzzyTermPlugin to 0 for ``~``; heron counts a swap of
  two letters as one edit, Whoosh as two, which a one-letter substitution never meets).

Match counts differ between the engines by design (heron's were checked against a brute
force count over heron's own analyzer): Whoosh stems with Porter, heron with Snowball
(``dlrs``: Whoosh ``dlr``, heron ``dlrs``); Whoosh renumbers positions after stop words
(``dlrs in cash`` matches ``"dlrs cash"``); Whoosh stems the text of a prefix or fuzzy
query (``pros*`` searches ``pro*``, ``firmes~1`` searches ``firm~1``), where heron, like
Lucene, only lower-cases it. Whoosh also scores prefix matches by BM25, heron (like
Lucene) with a constant, so their top 10s differ.

Every query runs once to warm up (which also records how many documents matched),
then once timed: parsing the string, the top 10 and each hit's stored id. A query that
raises is counted as an error and left out of both engines' latencies.

    .venv/bin/python benchmarks/queries.py [--limit N] [--engines heron,whoosh]
"""

from __future__ import annotations

import argparse
import itertools
import random
import string
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _report import Check, finish, load_targets, milliseconds, print_table, ratio, start_news
from _scenario import (
    EngineRuns,
    child_index,
    overlap,
    parse_news_args,
    run_child_phase,
    run_news_phases,
)
from corpora import QUERY_COUNT, QUERY_SEED, SEARCH_FIELDS, TOP, Row, bag_of_words, title_words
from heron.bench import STOP_WORDS, percentile

ENGINES = ("heron", "whoosh")
KINDS = ("phrase", "and", "prefix", "fuzzy")
TARGET_SPEEDUP = float(load_targets("queries")["speedup_over_whoosh"])
PREFIX_LETTERS = 4
EXAMPLES = 3
"""How many of the largest match-count disagreements to show per kind."""

# Whoosh's StemmingAnalyzer also drops these words of three letters or more.
WHOOSH_STOP_WORDS = frozenset({"may", "tbd", "yet"})
QUERY_STOP_WORDS = STOP_WORDS | WHOOSH_STOP_WORDS

KindSearch = Callable[[str, str, bool], tuple[list[str], int | None]]
"""search(kind, text, count): the top ids and, when ``count``, how many docs matched."""


# --------------------------------------------------------------------------- queries


def usable(word: str, shortest: int = 3) -> bool:
    """Whether a lower-case word may go in a query: letters only, long enough, no stop word."""
    return word.isalpha() and len(word) >= shortest and word not in QUERY_STOP_WORDS


def query_title_words(row: Row, shortest: int) -> list[str]:
    """A title's distinct usable words of ``shortest`` letters or more."""
    return [word for word in title_words(row["title"]) if usable(word, shortest)]


def draw(
    rng: random.Random, count: int, candidates: Sequence[Any], make: Callable[[Any], str | None]
) -> list[str]:
    """``count`` distinct queries, each made from a random candidate (None: draw again)."""
    queries: dict[str, None] = {}
    for _ in range(count * 100):
        if len(queries) == count:
            return list(queries)
        if candidates and (query := make(rng.choice(candidates))):
            queries[query] = None
    sys.exit(f"could not draw {count} distinct queries; got {len(queries)}")


def phrase_queries(rows: Sequence[Row], count: int, rng: random.Random) -> list[str]:
    """Two adjacent body words, neither a stop word nor shorter than three letters."""

    def make(body: str) -> str | None:
        words = bag_of_words(body).split()
        pairs = [(a, b) for a, b in itertools.pairwise(words) if usable(a) and usable(b)]
        return 'body:"{} {}"'.format(*rng.choice(pairs)) if pairs else None

    return draw(rng, count, [row["body"] for row in rows if row["body"]], make)


def and_queries(rows: Sequence[Row], count: int, rng: random.Random) -> list[str]:
    """Two or three words of one title, all required."""
    titles = [words for row in rows if len(words := query_title_words(row, 3)) >= 2]
    return draw(
        rng,
        count,
        titles,
        lambda words: " ".join(rng.sample(words, rng.randint(2, min(3, len(words))))),
    )


def prefix_queries(rows: Sequence[Row], count: int, rng: random.Random) -> list[str]:
    """The first letters of a title word of six letters or more."""
    words = sorted({word for row in rows for word in query_title_words(row, 6)})
    return draw(rng, count, words, lambda word: f"body:{word[:PREFIX_LETTERS]}*")


def fuzzy_queries(rows: Sequence[Row], count: int, rng: random.Random) -> list[str]:
    """A title word of five letters or more with one letter replaced by another."""
    words = sorted({word for row in rows for word in query_title_words(row, 5)})

    def make(word: str) -> str:
        at = rng.randrange(len(word))
        letter = rng.choice(string.ascii_lowercase.replace(word[at], ""))
        return f"body:{word[:at]}{letter}{word[at + 1 :]}~1"

    return draw(rng, count, words, make)


QUERY_MAKERS = {
    "phrase": phrase_queries,
    "and": and_queries,
    "prefix": prefix_queries,
    "fuzzy": fuzzy_queries,
}


def make_queries(rows: Sequence[Row], count: int, seed: int) -> dict[str, list[str]]:
    """``count`` queries of each kind, each kind from a generator seeded with its name."""
    return {
        kind: QUERY_MAKERS[kind](rows, count, random.Random(f"{seed}-{kind}")) for kind in KINDS
    }


# --------------------------------------------------------------------------- engines


@contextmanager
def search_heron(path: Path) -> Iterator[KindSearch]:
    """Search a heron index: every kind through ``Searcher.search`` on title and body."""
    import heron

    with heron.open_index(path).searcher() as searcher:

        def search(kind: str, text: str, count: bool) -> tuple[list[str], int | None]:
            operator = "AND" if kind == "and" else "OR"
            results = searcher.search(
                text, limit=TOP, fields=list(SEARCH_FIELDS), default_operator=operator
            )
            return [hit["id"] for hit in results], results.total if count else None

        yield search


@contextmanager
def search_whoosh(path: Path) -> Iterator[KindSearch]:
    """Search a Whoosh index: QueryParser on body (fuzzy: plus FuzzyTermPlugin), and
    MultifieldParser on title and body with its default AndGroup for the AND kind."""
    from whoosh import index, qparser

    ix = index.open_dir(str(path))
    body = qparser.QueryParser("body", ix.schema)
    fuzzy = qparser.QueryParser("body", ix.schema)
    fuzzy.add_plugin(qparser.FuzzyTermPlugin())
    parsers = {
        "phrase": body,
        "and": qparser.MultifieldParser(list(SEARCH_FIELDS), ix.schema),
        "prefix": body,
        "fuzzy": fuzzy,
    }
    with ix.searcher() as searcher:

        def search(kind: str, text: str, count: bool) -> tuple[list[str], int | None]:
            results = searcher.search(parsers[kind].parse(text), limit=TOP)
            return [hit["id"] for hit in results], len(results) if count else None

        yield search


SEARCHERS = {"heron": search_heron, "whoosh": search_whoosh}


# --------------------------------------------------------------------------- child side


def child_search(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Warm up on every query (recording match counts and errors), then time each once."""
    queries: dict[str, list[str]] = spec["queries"]
    out: dict[str, Any] = {}
    with SEARCHERS[spec["engine"]](Path(spec["index"])) as search:
        for kind in KINDS:
            totals: list[int | None] = []
            errors: list[str | None] = []
            for text in queries[kind]:
                try:
                    totals.append(search(kind, text, True)[1])
                    errors.append(None)
                except Exception as exc:  # counted and reported, not fatal
                    totals.append(None)
                    errors.append(f"{type(exc).__name__}: {exc}")
            out[kind] = {"totals": totals, "errors": errors}
        for kind in KINDS:
            latencies: list[float | None] = []
            hits: list[list[str]] = []
            for text, error in zip(queries[kind], out[kind]["errors"], strict=True):
                if error is not None:
                    latencies.append(None)
                    hits.append([])
                    continue
                start = time.perf_counter()
                ids, _ = search(kind, text, False)
                latencies.append(time.perf_counter() - start)
                hits.append(ids)
            out[kind].update(latencies=latencies, hits=hits)
    return out


PHASES = {"index": child_index, "search": child_search}


# --------------------------------------------------------------------------- parent side


class Runs(EngineRuns):
    """One engine's build figures and per-kind search results (None when a phase failed)."""

    def kind(self, kind: str) -> dict[str, Any] | None:
        """The per-query results of one kind."""
        return self.searched[kind] if self.searched else None

    def errors(self, kind: str) -> int:
        """Queries of a kind that raised."""
        found = self.kind(kind)
        return sum(error is not None for error in found["errors"]) if found else 0


def measure(
    engine: str, args: argparse.Namespace, queries: dict[str, list[str]], workdir: Path
) -> Runs:
    """Build then search one engine's index, each in its own child process."""
    built, searched = run_news_phases(__file__, engine, args, workdir, "search", queries=queries)
    return Runs(engine, built, searched)


def timed(runs: Sequence[Runs], kind: str) -> list[int]:
    """Positions of the queries of a kind that every engine that searched answered."""
    answered = [run.kind(kind) for run in runs if run.kind(kind)]
    if not answered:
        return []
    count = len(answered[0]["errors"])
    return [i for i in range(count) if all(a["errors"][i] is None for a in answered)]


def latency_ms(run: Runs | None, kind: str, keep: Sequence[int], q: float) -> float | None:
    """The q-th percentile latency in ms over the queries at ``keep``."""
    found = run.kind(kind) if run else None
    if not found or not keep:
        return None
    return percentile([found["latencies"][i] for i in keep], q) * 1e3


def latency_table(all_runs: Sequence[Runs]) -> tuple[list[list[object]], dict[str, Any]]:
    """Rows of the latency table and the same figures as plain values."""
    by_name = {run.engine: run for run in all_runs}
    heron, whoosh = by_name.get("heron"), by_name.get("whoosh")
    rows: list[list[object]] = []
    figures: dict[str, Any] = {}
    for kind in KINDS:
        keep = timed(all_runs, kind)
        h50, h95 = latency_ms(heron, kind, keep, 50), latency_ms(heron, kind, keep, 95)
        w50, w95 = latency_ms(whoosh, kind, keep, 50), latency_ms(whoosh, kind, keep, 95)
        rows.append(
            [
                kind,
                len(keep),
                milliseconds(h50),
                milliseconds(h95),
                milliseconds(w50),
                milliseconds(w95),
                ratio(w50, h50),
                ratio(w95, h95),
            ]
        )
        figures[kind] = {
            "timed_queries": len(keep),
            "heron_median_ms": h50,
            "heron_p95_ms": h95,
            "whoosh_median_ms": w50,
            "whoosh_p95_ms": w95,
        }
    return rows, figures


def mean(values: Sequence[float]) -> str:
    """The mean to one decimal, or '-' for no values."""
    return f"{sum(values) / len(values):.1f}" if values else "-"


def results_row(run: Runs, kind: str, heron: Runs | None) -> list[object]:
    """Errors, hits and matches per query of one engine on one kind, and agreement with heron."""
    found = run.kind(kind)
    if not found:
        return [kind, run.engine, "failed"]
    answered = [i for i, error in enumerate(found["errors"]) if error is None]
    totals = [found["totals"][i] for i in answered]
    reference = heron.kind(kind) if heron and heron.engine != run.engine else None
    same, shared = "-", "-"
    if reference:
        pairs = [
            (a, b)
            for a, b in zip(found["totals"], reference["totals"], strict=True)
            if a is not None and b is not None
        ]
        same = f"{sum(a == b for a, b in pairs)}/{len(pairs)}"
        shared = f"{overlap(found['hits'], reference['hits']):.2f}"
    return [
        kind,
        run.engine,
        len(found["errors"]),
        run.errors(kind),
        mean([len(found["hits"][i]) for i in answered]),
        mean(totals),
        same,
        shared,
    ]


def disagreements(all_runs: Sequence[Runs], queries: Mapping[str, list[str]]) -> list[str]:
    """The queries whose match counts differ most between heron and Whoosh, per kind."""
    by_name = {run.engine: run for run in all_runs}
    heron, whoosh = by_name.get("heron"), by_name.get("whoosh")
    if not heron or not whoosh:
        return []
    lines = []
    for kind in KINDS:
        mine, theirs = heron.kind(kind), whoosh.kind(kind)
        if not mine or not theirs:
            continue
        pairs = [
            (abs(a - b), text, a, b)
            for text, a, b in zip(queries[kind], mine["totals"], theirs["totals"], strict=True)
            if a is not None and b is not None and a != b
        ]
        for _, text, a, b in sorted(pairs, key=lambda p: (-p[0], p[1]))[:EXAMPLES]:
            lines.append(f"  {kind:<7} {text:<34} heron {a:>6,}  whoosh {b:>6,}")
    return lines


def error_lines(all_runs: Sequence[Runs], queries: Mapping[str, list[str]]) -> list[str]:
    """One line per query that raised, at most EXAMPLES per engine and kind."""
    lines = []
    for run in all_runs:
        for kind in KINDS:
            found = run.kind(kind)
            failed = (
                [
                    (text, error)
                    for text, error in zip(queries[kind], found["errors"], strict=True)
                    if error
                ]
                if found
                else []
            )
            lines += [f"  {run.engine} {kind} {text}: {error}" for text, error in failed[:EXAMPLES]]
            if len(failed) > EXAMPLES:
                lines.append(f"  {run.engine} {kind}: ... {len(failed) - EXAMPLES} more")
    return lines


def targets(figures: Mapping[str, Mapping[str, Any]]) -> list[Check]:
    """heron's median must be at least TARGET_SPEEDUP times lower than Whoosh's, per kind."""
    checks = []
    for kind in KINDS:
        name = f"{kind}: heron median latency <= whoosh / {TARGET_SPEEDUP:g}"
        mine, theirs = figures[kind]["heron_median_ms"], figures[kind]["whoosh_median_ms"]
        if mine is None or theirs is None:
            checks.append(Check(name, None, "needs heron and whoosh results"))
            continue
        detail = (
            f"heron {mine:.3g} ms, whoosh {theirs:.3g} ms: heron is {theirs / mine:.2f}x as fast"
        )
        checks.append(Check(name, theirs / mine >= TARGET_SPEEDUP, detail))
    return checks


LATENCY_HEADERS = (
    "kind",
    "timed",
    "heron median ms",
    "heron p95 ms",
    "whoosh median ms",
    "whoosh p95 ms",
    "whoosh/heron median",
    "whoosh/heron p95",
)
RESULTS_HEADERS = (
    "kind",
    "engine",
    "queries",
    "errors",
    "hits/query",
    "matches/query",
    "same matches as heron",
    "top-10 overlap w/ heron",
)


def print_report(all_runs: Sequence[Runs], queries: Mapping[str, list[str]]) -> dict[str, Any]:
    """Print the latency and result tables and the notes; return the latency figures."""
    heron = next((run for run in all_runs if run.engine == "heron"), None)
    for run in all_runs:
        if run.built:
            print(
                f"{run.engine}: index built in {run.built['seconds']:.2f} s, "
                f"{run.built['index_bytes'] / 1e6:.1f} MB"
            )
    print()
    rows, figures = latency_table(all_runs)
    print(
        f"Latency (ms per query after one warm-up pass; top {TOP}, ids fetched; "
        "timed = queries no engine failed)"
    )
    print_table(LATENCY_HEADERS, rows)
    print("Results (hits/query: top-10 hits returned; matches/query: all matching docs)")
    print_table(
        RESULTS_HEADERS,
        [results_row(run, kind, heron) for kind in KINDS for run in all_runs],
        left=2,
    )
    for title, lines in (
        ("Largest match-count disagreements", disagreements(all_runs, queries)),
        ("Queries that raised", error_lines(all_runs, queries)),
    ):
        if lines:
            print(f"{title}:")
            print("\n".join(lines))
            print()
    return figures


def main(argv: list[str] | None = None) -> int:
    """Measure every chosen engine and print the tables and targets."""
    args = parse_news_args(argv, __doc__, ENGINES)
    if args.child:
        return run_child_phase(args.child, PHASES)
    info, rows = start_news(
        args,
        "phrase, AND, prefix and fuzzy query latency on news",
        ["heron", "whoosh", "numpy", "nltk"],
    )
    queries = make_queries(rows, QUERY_COUNT, QUERY_SEED)
    print(f"news: {len(rows):,} articles; {QUERY_COUNT} queries of each kind, e.g.")
    for kind in KINDS:
        print(f"  {kind:<7} {queries[kind][:3]}")
    with tempfile.TemporaryDirectory(prefix="heron-bench-queries-") as tmp:
        all_runs = [measure(engine, args, queries, Path(tmp)) for engine in args.engines]
    print()
    figures = print_report(all_runs, queries)
    return finish(
        args,
        info,
        targets(figures),
        corpus={"articles": len(rows), "queries": queries},
        latency=figures,
        built={run.engine: run.built for run in all_runs},
        details={"engines": [
            {"engine": run.engine, "built": run.built, "searched": run.searched}
            for run in all_runs
        ]},
    )


if __name__ == "__main__":
    sys.exit(main())
