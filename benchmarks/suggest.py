"""Suggestions, corrections, completions, more-like-this and key terms: heron against Whoosh.

Both engines index the news collection (Reuters-21578) as benchmarks/indexing.py does
(id, title and body stored with English stemming, topics), then run each task on the
same inputs in the same process, 100 per task (fixed seed): once to warm up (Whoosh's
and heron's per-field caches), then once timed. Inputs come from the titles of random
articles, as benchmarks/indexing.py draws its queries:

- suggest: a title word of 5+ letters with one random edit (deletion, substitution,
  swap), 5 suggestions on body (heron ``suggest``; Whoosh ``searcher.suggest``).
- correct: two title words, one of them misspelled so (heron ``correct``; Whoosh
  ``correct_query`` of the parsed query, parsing included: heron reads the string too).
- complete: the first 3 to 5 letters of a title word on body (heron ``complete``, the 5
  most frequent words; Whoosh ``reader.expand_prefix``, every term of the prefix, in
  dictionary order, unranked: less work than heron's).
- complete_frequent: the same prefixes, heron ``complete`` against Whoosh's call that
  does the same job, ``reader.most_frequent_terms("body", 5, prefix)`` (stems, though).
  heron's reader lays a field's words out sorted and ranked on first use
  (heron.search._completion): that first call on a fresh searcher is timed on its own and
  reported with the table's size, and so are calls with a prefix not asked before (the
  timed runs repeat the warm-up's prefix), then the same prefixes at limit 15 (past the
  table's 10 best words per prefix).
- more_like: 10 documents like a random article by its body, 10 terms (heron
  ``more_like(docnum, field="body")``; Whoosh ``more_like(docnum, "body", numterms=10)``).
- key_terms: the 10 key terms of the bodies of two random articles (``key_terms``).

    .venv/bin/python benchmarks/suggest.py [--limit N] [--count N] [--data DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _checkout import use_checkout_heron
from _report import load_targets, print_table, run_info
from _scenario import RECORDS, build_heron, build_whoosh, require_paths
from corpora import DEFAULT_DATA, NEWS_FILE, load_news, title_words
from heron.bench import write_record

TASKS = ("suggest", "correct", "complete", "complete_frequent", "more_like", "key_terms")
TARGET_SPEEDUP = float(load_targets("suggest")["speedup_over_whoosh"])
COUNT = 100
SEED = 11


def misspell(word: str, rng: random.Random) -> str:
    """The word with one random edit: a deletion, a substitution or a swap of neighbours."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("delete", "substitute", "swap"))
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(string.ascii_lowercase.replace(word[i], "")) + word[i + 1 :]


def make_inputs(rows: Sequence[dict[str, Any]], count: int, seed: int) -> dict[str, list[Any]]:
    """The inputs of every task."""
    rng = random.Random(seed)
    words = [w for row in rows for w in title_words(row["title"])]
    long_words = [w for w in words if len(w) >= 5]
    with_body = [row["id"] for row in rows if len(row["body"]) > 200]
    return {
        "suggest": [misspell(rng.choice(long_words), rng) for _ in range(count)],
        "correct": [f"{rng.choice(words)} {misspell(rng.choice(long_words), rng)}"
                    for _ in range(count)],
        "complete": (prefixes := [w[: rng.randint(3, 5)] for w in rng.sample(long_words, count)]),
        "complete_frequent": prefixes,
        "more_like": [rng.choice(with_body) for _ in range(count)],
        "key_terms": [rng.sample(with_body, 2) for _ in range(count)],
    }


def heron_tasks(path: Path) -> tuple[dict[str, Callable[[Any], Any]], Callable[[], None]]:
    """heron's run of each task on one input, and how to close the searcher."""
    import heron
    import heron.query

    searcher = heron.open_index(path).searcher()
    numbers: dict[str, int] = {}

    def docnum(doc_id: str) -> int:
        if doc_id not in numbers:
            numbers[doc_id] = searcher.search(heron.query.Term("id", doc_id), 1).docnums()[0]
        return numbers[doc_id]

    return {
        "suggest": lambda w: searcher.suggest("body", w, limit=5),
        "correct": searcher.correct,
        "complete": lambda p: searcher.complete("body", p, limit=5),
        "complete_frequent": lambda p: searcher.complete("body", p, limit=5),
        "more_like": lambda d: searcher.more_like(docnum(d), field="body", limit=10,
                                                  numterms=10).docnums(),
        "key_terms": lambda ds: searcher.key_terms([docnum(d) for d in ds], "body",
                                                   numterms=10),
    }, searcher.close


def whoosh_tasks(path: Path) -> tuple[dict[str, Callable[[Any], Any]], Callable[[], None]]:
    """Whoosh's run of each task on one input, and how to close the searcher."""
    from whoosh import index, qparser

    ix = index.open_dir(str(path))
    searcher = ix.searcher()
    reader = searcher.reader()
    parser = qparser.MultifieldParser(["title", "body"], ix.schema, group=qparser.OrGroup)
    numbers: dict[str, int] = {}

    def docnum(doc_id: str) -> int:
        if doc_id not in numbers:
            numbers[doc_id] = searcher.document_number(id=doc_id)
        return numbers[doc_id]

    def correct(text: str) -> str | None:
        fixed = searcher.correct_query(parser.parse(text), text)
        return fixed.string if fixed.query != fixed.original_query else None

    return {
        "suggest": lambda w: searcher.suggest("body", w, limit=5),
        "correct": correct,
        "complete": lambda p: list(reader.expand_prefix("body", p)),
        "complete_frequent": lambda p: reader.most_frequent_terms("body", 5, prefix=p),
        "more_like": lambda d: [h.docnum for h in searcher.more_like(
            docnum(d), "body", top=10, numterms=10)],
        "key_terms": lambda ds: searcher.key_terms([docnum(d) for d in ds], "body",
                                                   numterms=10),
    }, searcher.close


def completion_cost(path: Path, prefixes: Sequence[str]) -> dict[str, float]:
    """heron's first ``complete`` on a fresh searcher (it builds the reader's word table),
    the table's size, and medians of calls with prefixes not asked before, at limit 5 and
    at limit 15 (past the table's best words per prefix)."""
    import heron
    from heron.search._completion import SMALL

    with heron.open_index(path).searcher() as searcher:
        start = time.perf_counter()
        searcher.complete("body", prefixes[0], limit=5)
        build = time.perf_counter() - start
        table = searcher._words.table("body")
        size = (sum(map(sys.getsizeof, table.keys)) + sys.getsizeof(table.keys)
                + sys.getsizeof(table.spelled) + table.counts.nbytes * 2
                + sys.getsizeof(table.table)
                + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in table.table.items()))
        medians = {}
        for limit in (5, 15):
            times = []
            for prefix in prefixes:
                start = time.perf_counter()
                searcher.complete("body", prefix, limit=limit)
                times.append(time.perf_counter() - start)
            medians[limit] = statistics.median(times) * 1e3
    return {"build_s": build, "words": len(table.keys), "prefixes": len(table.table),
            "crowded_from": SMALL + 1,
            "mb": size / 1e6, "new_prefix_ms": medians[5], "limit15_ms": medians[15]}


def measure(tasks: dict[str, Callable[[Any], Any]], inputs: dict[str, list[Any]]
            ) -> tuple[dict[str, list[float]], dict[str, list[Any]]]:
    """Per task: the seconds of each timed run (after a warm-up run) and the answers."""
    times: dict[str, list[float]] = {}
    answers: dict[str, list[Any]] = {}
    for name in TASKS:
        run = tasks[name]
        times[name], answers[name] = [], []
        for item in inputs[name]:
            run(item)
            start = time.perf_counter()
            answer = run(item)
            times[name].append(time.perf_counter() - start)
            answers[name].append(answer)
    return times, answers


def main(argv: list[str] | None = None) -> int:
    """Build both indexes, run every task on both, print medians and the 5x target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="index only N articles")
    parser.add_argument("--count", type=int, default=COUNT, help="inputs per task")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"folder holding the test collections (default: {DEFAULT_DATA})")
    parser.add_argument("--record", type=Path, default=RECORDS, metavar="DIR",
                        help=f"folder of the run's JSON record (default: {RECORDS})")
    parser.add_argument("--no-record", dest="record", action="store_const", const=None,
                        help="write no record")
    args = parser.parse_args(argv)
    use_checkout_heron()
    info = run_info(["heron", "whoosh", "numpy", "nltk"])
    require_paths(args.data / NEWS_FILE)
    rows = load_news(args.data / NEWS_FILE, args.limit, comma_topics=True)
    inputs = make_inputs(rows, args.count, SEED)
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        completion: dict[str, float] = {}
        for engine, build, open_tasks in (("heron", build_heron, heron_tasks),
                                          ("whoosh", build_whoosh, whoosh_tasks)):
            path = Path(tmp) / engine
            path.mkdir()
            start = time.perf_counter()
            build(path, rows)
            print(f"{engine}: indexed {len(rows)} articles in "
                  f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
            if engine == "heron":
                completion = completion_cost(path, inputs["complete"])
            tasks, close = open_tasks(path)
            try:
                results[engine] = measure(tasks, inputs)
            finally:
                close()
    table = []
    ok = True
    figures = {}
    for name in TASKS:
        heron_ms = statistics.median(results["heron"][0][name]) * 1e3
        whoosh_ms = statistics.median(results["whoosh"][0][name]) * 1e3
        speedup = whoosh_ms / heron_ms
        ok &= speedup >= TARGET_SPEEDUP
        figures[name] = {"heron_median_ms": heron_ms, "whoosh_median_ms": whoosh_ms}
        table.append([name, f"{heron_ms:.4f}", f"{whoosh_ms:.4f}", f"{speedup:.1f}x"])
    print(f"news: {len(rows)} articles, {args.count} inputs per task, median of timed runs")
    print_table(["task", "heron ms", "whoosh ms", "speedup"], table)
    print(f"heron complete: first call on a fresh searcher {completion['build_s']:.3f} s "
          f"(the word table: {completion['words']:.0f} words, {completion['prefixes']:.0f} "
          f"prefixes of {completion['crowded_from']:.0f} words or more, "
          f"{completion['mb']:.1f} MB); a prefix not asked "
          f"before {completion['new_prefix_ms']:.4f} ms, limit 15 "
          f"{completion['limit15_ms']:.4f} ms (medians)")
    for name in ("suggest", "correct", "complete"):
        whoosh = [a[:5] if isinstance(a, list) else a for a in results["whoosh"][1][name][:3]]
        print(f"{name}: heron {results['heron'][1][name][:3]} / whoosh {whoosh}")
    print(f"[{'PASS' if ok else 'FAIL'}] heron's median at least {TARGET_SPEEDUP:.0f}x "
          "lower than Whoosh's for every task")
    if args.record is not None:
        check = {"name": f"every task {TARGET_SPEEDUP:g}x faster than Whoosh", "passed": ok}
        record = write_record(args.record, "suggest", info, {
            "corpus": {"articles": len(rows)}, "latency": figures, "completion": completion,
            "checks": [check]})
        print(f"record written to {record}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
