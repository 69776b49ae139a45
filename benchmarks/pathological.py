"""Parse and search times of pathological query strings on news, strict and lenient.

heron indexes the news collection (Reuters-21578) as benchmarks/indexing.py does (id;
title and body stored, English stemming; topics keywords), then times each case below in
strict mode (the default) and with ``lenient=True``, twice: parsing alone
(``heron.query.parse(text, schema, lenient=...)``, the syntax tree and the queries), and
the whole search (``searcher.search(text, limit=10, lenient=...)``: parsing, binding with
its expansions, the top 10). Each case runs once to warm up and to record its outcome
(hits and warnings, or the ``QueryError`` and its position), then ``--repeat`` times; the
table shows the median times. The target (issue 9) is parsing every case in under 50 ms
in both modes, with no exception but ``QueryError``; the search time is shown for what it
adds (a query of a thousand words costs a thousand terms' postings, which is no parsing).

Cases come in groups, each a function returning ``(name, text, options)`` triples, listed
in ``CASE_GROUPS``; add a group (wildcard or fuzzy patterns, say) by writing another
function and listing it there.

    .venv/bin/python benchmarks/pathological.py [--limit N] [--repeat R]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _checkout import use_checkout_heron
from _report import Check, finish, load_targets, print_table, start_news
from _scenario import build_heron, parse_news_args

TARGET_MS = float(load_targets("pathological")["max_ms"])
TOP = 10

Case = tuple[str, str, dict[str, Any]]
"""A case: its name, the query text and extra keyword arguments of ``search``."""


def parser_cases() -> list[Case]:
    """Syntax that crashed or could stall the parser: nesting, huge numbers, bad text."""
    rng = random.Random(9)
    # no '*', '?' or '~': the cost of patterns is the subject of their own cases
    specials = [*'()"^[]{}:+-\\!&|<> ', "AND ", "OR ", "NOT ", "TO ", "oil", "opec", "1987"]
    return [
        ("170 nested parentheses", "(" * 170 + "oil" + ")" * 170, {}),
        ("10,000 nested parentheses", "(" * 10_000 + "oil" + ")" * 10_000, {}),
        ("10,000 '('", "(" * 10_000, {}),
        ("10,000 ')'", ")" * 10_000, {}),
        ("NOT x 10,000", "NOT " * 10_000 + "oil", {}),
        ("! x 10,000", "!" * 10_000 + "oil", {}),
        ("- x 10,000", "-" * 10_000 + "oil", {}),
        ("30-digit slop", '"crude oil"~' + "9" * 30, {}),
        ("400-digit boost", "oil^" + "9" * 400, {}),
        ("5,000-digit boost", "oil^" + "9" * 5000, {}),
        ("lone surrogate in a prefix", "oil\ud800*", {}),
        ("lone surrogate in a range", "title:[a TO \ud800]", {}),
        ("10,001 quotes", '"' * 10_001, {}),
        ("5,000 open quotes", '"oil ' * 5000, {}),
        ("2,000 unclosed ranges", "[a TO " * 2000, {}),
        ("5,000 dangling ANDs", "oil" + " AND" * 5000, {}),
        ("10,000 colons", "oil:" * 10_000, {}),
        ("100,000-letter word", "o" * 100_000, {}),
        ("1,000 words", " ".join(["oil", "opec", "crude", "price"] * 250), {}),
        ("10,000 random specials", "".join(rng.choice(specials) for _ in range(10_000)), {}),
        ("search box: oil (opec", "oil (opec", {}),
        ("search box: price: $18/barrel 10:30", "price: $18/barrel at 10:30 GMT", {}),
        ("prefix over the cap", "oil s*", {"max_expansions": 10}),
    ]


CASE_GROUPS: list[Callable[[], list[Case]]] = [parser_cases]


def outcome(searcher: Any, text: str, options: dict[str, Any], lenient: bool) -> str:
    """What a search gives: hits and warnings, or the error and its position."""
    import heron

    try:
        res = searcher.search(text, limit=TOP, lenient=lenient, **options)
    except heron.QueryError as exc:
        return f"QueryError at {exc.position}"
    except Exception as exc:  # reported, and fails the check below
        return f"CRASH {type(exc).__name__}"
    count = len(res.query_warnings)
    warned = f", {count} warning{'s' * (count > 1)}" if count else ""
    return f"{res.total:,} hits{warned}"


def median_time(run: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` calls (a QueryError is an outcome, timed too)."""
    import heron

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(heron.QueryError):
            run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(path: Path, cases: Sequence[Case], repeat: int) -> list[dict[str, Any]]:
    """Outcome and median time of every case in both modes."""
    import heron

    figures = []
    with heron.open_index(path).searcher() as searcher:
        schema = searcher.schema
        for name, text, options in cases:
            expansions = options.get("max_expansions", heron.query.MAX_EXPANSIONS)
            for lenient in (False, True):
                result = outcome(searcher, text, options, lenient)
                parse = median_time(lambda t=text, le=lenient, x=expansions: heron.query.parse(
                    t, schema, max_expansions=x, lenient=le), repeat)
                search = median_time(lambda t=text, le=lenient, o=options: searcher.search(
                    t, limit=TOP, lenient=le, **o), repeat)
                figures.append({"case": name, "mode": "lenient" if lenient else "strict",
                                "chars": len(text), "outcome": result,
                                "parse_ms": parse * 1e3, "search_ms": search * 1e3})
    return figures


def main(argv: list[str] | None = None) -> int:
    """Build the news index, time every case and print the table and the target."""
    argv = list(sys.argv[1:] if argv is None else argv)
    repeat = 5
    if "--repeat" in argv:
        at = argv.index("--repeat")
        repeat = int(argv[at + 1])
        del argv[at : at + 2]
    args: argparse.Namespace = parse_news_args(argv, __doc__ or "", ["heron"])
    use_checkout_heron()
    info, rows = start_news(args, "pathological query strings on news", ["heron", "numpy"])
    cases = [case for group in CASE_GROUPS for case in group()]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "news"
        build_heron(path, rows)
        print(f"news: {len(rows):,} articles; {len(cases)} cases, median of {repeat} runs\n")
        figures = run(path, cases, repeat)
    print_table(["case", "mode", "chars", "outcome", "parse ms", "search ms"],
                [[f["case"], f["mode"], f"{f['chars']:,}", f["outcome"], f"{f['parse_ms']:.2f}",
                  f"{f['search_ms']:.2f}"] for f in figures], left=4)
    slowest = max(figures, key=lambda f: f["parse_ms"])
    searching = max(figures, key=lambda f: f["search_ms"])
    crashes = [f for f in figures if f["outcome"].startswith("CRASH")]
    checks = [
        Check(f"every case parses in under {TARGET_MS:.0f} ms", slowest["parse_ms"] < TARGET_MS,
              f"slowest {slowest['parse_ms']:.2f} ms: {slowest['case']} ({slowest['mode']})"),
        Check(f"every case searches in under {TARGET_MS:.0f} ms",
              searching["search_ms"] < TARGET_MS,
              f"slowest {searching['search_ms']:.2f} ms: {searching['case']} "
              f"({searching['mode']})"),
        Check("only QueryError", not crashes,
              ", ".join(f"{f['case']}: {f['outcome']}" for f in crashes) or "none other"),
    ]
    return finish(args, info, checks, cases=figures)


if __name__ == "__main__":
    sys.exit(main())
