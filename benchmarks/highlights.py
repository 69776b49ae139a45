"""The cost of highlighting: search plus snippets of the top 10 bodies, heron and Whoosh on news.

Both engines index the news collection (Reuters-21578) exactly as benchmarks/indexing.py
does (id; title and body stored, English stemming; topics keywords), each in a child
process of its own, and each then searches its index in another child process with
indexing.py's 200 queries (two to four title words, OR over title and body), top 10:

- search: the query string parsed and run, each hit's stored document read (``hit.fields``
  in heron, ``hit.fields()`` in Whoosh; the id is taken from it), as a result page that
  shows snippets needs the body anyway: so the difference below is the snippets' own cost,
  whether or not an engine can read an id without the rest of the document;
- search + highlight: the same, plus the highlighted snippets of each hit's stored body.
  heron: ``hit.highlights("body")`` with its defaults (ContextFragmenter of 200
  characters, the 3 best fragments, HtmlFormatter). Whoosh: ``hit.highlights("body",
  top=3)`` with ``ContextFragmenter(maxchars=200, surround=80)`` (Whoosh counts only the
  characters of the words towards both, so this gives fragments of about heron's length;
  the table shows both) and ``HtmlFormatter(tagname="b", between=" … ")``, heron's marks
  and separator.

Every query runs once with highlights to warm up, then once timed for search alone, then
once timed for search + highlight. The highlighting cost is the median of search +
highlight minus the median of search. Afterwards, untimed, each engine's snippets are
checked against its own analyzer: a hit whose body holds a query term (as the engine
analyses them) should have a snippet with ``<b class="match term`` marks, and only such
a hit. heron's searcher keeps the highlighting marks of recent queries (up to 256), so
its timed pass reuses those the warm-up computed; Whoosh keeps nothing between queries.

    .venv/bin/python benchmarks/highlights.py [--limit N] [--engines heron,whoosh]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _report import Check, finish, load_targets, milliseconds, print_table, ratio, start_news
from _scenario import EngineRuns, child_index, parse_news_args, run_child_phase, run_news_phases
from corpora import QUERY_COUNT, QUERY_SEED, SEARCH_FIELDS, TOP, make_queries
from heron.bench import percentile

ENGINES = ("heron", "whoosh")
FIELD = "body"
FRAGMENTS = 3
FRAGMENT_CHARS = 200
WHOOSH_SURROUND = 80
BETWEEN = " … "
MARK = '<b class="match term'
TARGET_SPEEDUP = float(load_targets("highlights")["speedup_over_whoosh"])
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Session:
    """One engine's open index: the two timed operations and the untimed check."""

    search: Callable[[str], list[str]]
    """Run a query; the ids of the top hits."""
    highlight: Callable[[str], list[tuple[str, str]]]
    """Run a query; the id and body snippet of each top hit."""
    body_matches: Callable[[str], list[bool]]
    """Run a query; for each top hit, whether its body holds one of the query's terms."""


# --------------------------------------------------------------------------- engines


@contextmanager
def heron_session(path: Path) -> Iterator[Session]:
    """Search title and body of a heron index; highlight with heron's defaults."""
    import heron

    with heron.open_index(path).searcher() as searcher:
        fields = list(SEARCH_FIELDS)
        analyzer = searcher.schema[FIELD].analyzer

        def search(text: str) -> list[str]:
            results = searcher.search(text, limit=TOP, fields=fields)
            return [hit.fields["id"] for hit in results]

        def highlight(text: str) -> list[tuple[str, str]]:
            results = searcher.search(text, limit=TOP, fields=fields)
            return [(hit.fields["id"], hit.highlights(FIELD)) for hit in results]

        def body_matches(text: str) -> list[bool]:
            query = searcher.parse(text, fields)
            wanted = {term for field, term in query.terms() if field == FIELD}
            return [
                not wanted.isdisjoint(analyzer.terms(hit.get(FIELD) or ""))
                for hit in searcher.search(text, limit=TOP, fields=fields)
            ]

        yield Session(search, highlight, body_matches)


@contextmanager
def whoosh_session(path: Path) -> Iterator[Session]:
    """Search title and body of a Whoosh index (OR group); highlight about as heron does."""
    from whoosh import highlight as whoosh_highlight
    from whoosh import index, qparser

    ix = index.open_dir(str(path))
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), ix.schema, group=qparser.OrGroup)
    analyzer = ix.schema[FIELD].analyzer
    fragmenter = whoosh_highlight.ContextFragmenter(
        maxchars=FRAGMENT_CHARS, surround=WHOOSH_SURROUND
    )
    formatter = whoosh_highlight.HtmlFormatter(tagname="b", between=BETWEEN)
    with ix.searcher() as searcher:

        def search(text: str) -> list[str]:
            results = searcher.search(parser.parse(text), limit=TOP)
            return [hit.fields()["id"] for hit in results]

        def highlight(text: str) -> list[tuple[str, str]]:
            results = searcher.search(parser.parse(text), limit=TOP)
            results.fragmenter = fragmenter
            results.formatter = formatter
            return [(hit.fields()["id"], hit.highlights(FIELD, top=FRAGMENTS)) for hit in results]

        def body_matches(text: str) -> list[bool]:
            query = parser.parse(text)
            wanted = {term for field, term in query.iter_all_terms() if field == FIELD}
            return [
                not wanted.isdisjoint(token.text for token in analyzer(hit.get(FIELD) or ""))
                for hit in searcher.search(query, limit=TOP)
            ]

        yield Session(search, highlight, body_matches)


SESSIONS = {"heron": heron_session, "whoosh": whoosh_session}


# --------------------------------------------------------------------------- child side


def timed(operation: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    """Seconds each query took through ``operation``."""
    latencies = []
    for text in queries:
        start = time.perf_counter()
        operation(text)
        latencies.append(time.perf_counter() - start)
    return latencies


def child_highlight(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Warm up with highlights, time search alone, then search + highlight; check marks."""
    queries: list[str] = spec["queries"]
    with SESSIONS[spec["engine"]](Path(spec["index"])) as session:
        snippets = [session.highlight(text) for text in queries]
        search_latencies = timed(session.search, queries)
        highlight_latencies = timed(session.highlight, queries)
        body_matches = [session.body_matches(text) for text in queries]
    return {
        "search": search_latencies,
        "highlight": highlight_latencies,
        "snippets": snippets,
        "body_matches": body_matches,
    }


PHASES = {"index": child_index, "highlight": child_highlight}


# --------------------------------------------------------------------------- parent side


class Runs(EngineRuns):
    """One engine's build figures and highlighting results (None when a phase failed)."""

    def median_ms(self, kind: str) -> float | None:
        """Median latency in ms of ``search`` or ``highlight`` (search + highlight)."""
        return percentile(self.searched[kind], 50) * 1e3 if self.searched else None

    def p95_ms(self, kind: str) -> float | None:
        """95th-percentile latency in ms of ``search`` or ``highlight``."""
        return percentile(self.searched[kind], 95) * 1e3 if self.searched else None

    @property
    def highlight_ms(self) -> float | None:
        """The highlighting share: median of search + highlight minus median of search."""
        both, alone = self.median_ms("highlight"), self.median_ms("search")
        return both - alone if both is not None and alone is not None else None

    def hits(self) -> list[tuple[str, bool, str]]:
        """(query, whether the body holds a query term, snippet) for every hit."""
        if not self.searched:
            return []
        out = []
        for text, found, matches in zip(
            self.searched["queries"], self.searched["snippets"], self.searched["body_matches"],
            strict=True,
        ):
            out += [
                (text, match, snippet) for (_, snippet), match in zip(found, matches, strict=True)
            ]
        return out


def measure(engine: str, args: argparse.Namespace, queries: list[str], workdir: Path) -> Runs:
    """Build one engine's index, then search and highlight, each in its own child process."""
    built, searched = run_news_phases(__file__, engine, args, workdir, "highlight", queries=queries)
    if searched:
        searched["queries"] = queries
    return Runs(engine, built, searched)


def fragment_lengths(snippet: str) -> list[int]:
    """Visible characters of each fragment of a snippet (tags dropped, entities decoded)."""
    if not snippet:
        return []
    return [len(html.unescape(_TAG.sub("", part))) for part in snippet.split(BETWEEN)]


def latency_rows(heron: Runs | None, whoosh: Runs | None) -> list[list[object]]:
    """Rows of the latency table: each figure for both engines and Whoosh / heron."""
    figures: list[tuple[str, Callable[[Runs], float | None]]] = [
        ("search, median", lambda run: run.median_ms("search")),
        ("search, p95", lambda run: run.p95_ms("search")),
        ("search + highlight, median", lambda run: run.median_ms("highlight")),
        ("search + highlight, p95", lambda run: run.p95_ms("highlight")),
        ("highlight only (difference of medians)", lambda run: run.highlight_ms),
    ]
    rows: list[list[object]] = []
    for name, figure in figures:
        mine = figure(heron) if heron else None
        theirs = figure(whoosh) if whoosh else None
        rows.append([name, milliseconds(mine), milliseconds(theirs), ratio(theirs, mine)])
    return rows


def snippet_row(run: Runs) -> list[object]:
    """Counts and sizes of one engine's snippets, and whether its marks fit its matches."""
    hits = run.hits()
    if not hits:
        return [run.engine, "failed"]
    snippets = [snippet for _, _, snippet in hits if snippet]
    lengths = [length for snippet in snippets for length in fragment_lengths(snippet)]
    matching = [snippet for _, match, snippet in hits if match]
    return [
        run.engine,
        f"{len(hits):,}",
        f"{len(snippets):,}",
        f"{len(matching):,}",
        f"{sum(MARK in snippet for snippet in matching):,}",
        f"{sum(MARK in snippet for _, match, snippet in hits if not match):,}",
        f"{len(lengths) / len(snippets):.2f}" if snippets else "-",
        f"{sum(lengths) / len(lengths):.0f}" if lengths else "-",
        f"{sum(map(len, snippets)) / len(snippets):.0f}" if snippets else "-",
    ]


def sample(heron: Runs | None, whoosh: Runs | None) -> list[str]:
    """Both engines' snippets of one document: the first query whose top heron hit is also
    in Whoosh's top 10 and gets two or more fragments from both."""
    if not heron or not whoosh or not heron.searched or not whoosh.searched:
        return []
    pairs = zip(
        heron.searched["queries"], heron.searched["snippets"], whoosh.searched["snippets"],
        strict=True,
    )
    for text, mine, theirs in pairs:
        if not mine:
            continue
        doc_id, snippet = mine[0]
        other = dict(theirs).get(doc_id)
        if other and BETWEEN in snippet and BETWEEN in other:
            return [
                f"query {text!r}, document {doc_id} (heron rank 1, whoosh rank "
                f"{[found for found, _ in theirs].index(doc_id) + 1}); whitespace collapsed:",
                f"  heron:  {' '.join(snippet.split())}",
                f"  whoosh: {' '.join(other.split())}",
            ]
    return []


def checks(heron: Runs | None, whoosh: Runs | None) -> list[Check]:
    """The highlighting-cost target, and heron's marks against its own analyzer."""
    name = f"heron highlighting median <= whoosh / {TARGET_SPEEDUP:g} (highlight only)"
    out: list[Check]
    if heron is None or whoosh is None:
        out = [Check(name, None, "needs heron and whoosh in --engines")]
    elif whoosh.highlight_ms is None:
        out = [Check(name, None, "whoosh failed")]
    elif heron.highlight_ms is None:
        out = [Check(name, False, "heron failed")]
    else:
        mine, theirs = heron.highlight_ms, whoosh.highlight_ms
        both = ratio(whoosh.median_ms("highlight"), heron.median_ms("highlight"))
        detail = (
            f"highlight only: heron {mine:.3f} ms, whoosh {theirs:.3f} ms, "
            f"whoosh/heron {ratio(theirs, mine)}; search + highlight: heron "
            f"{heron.median_ms('highlight'):.3f} ms, whoosh {whoosh.median_ms('highlight'):.3f} "
            f"ms, whoosh/heron {both}"
        )
        out = [Check(name, mine > 0 and theirs / mine >= TARGET_SPEEDUP, detail)]
    if heron is not None:
        name = f"heron marks ({MARK}...) in the snippet of every hit matching in the body, only"
        hits = heron.hits()
        if not hits:
            out.append(Check(name, False, "heron failed"))
        else:
            missing = [(text, s) for text, match, s in hits if match and MARK not in s]
            extra = [(text, s) for text, match, s in hits if not match and MARK in s]
            detail = (
                f"{sum(match for _, match, _ in hits):,} of {len(hits):,} hits match in the "
                f"body; {len(missing)} of them without marks, {len(extra)} others with marks"
            )
            if missing or extra:
                detail += f"; e.g. {(missing + extra)[0]!r}"
            out.append(Check(name, not missing and not extra, detail))
    return out


SNIPPET_HEADERS = (
    "engine",
    "hits",
    "non-empty snippets",
    "hits matching in body",
    "of those marked",
    "others marked",
    "fragments/snippet",
    "chars/fragment",
    "HTML chars/snippet",
)


def print_report(all_runs: Sequence[Runs]) -> tuple[Runs | None, Runs | None]:
    """Print the latency and snippet tables and a sample; return heron's and Whoosh's runs."""
    by_name = {run.engine: run for run in all_runs}
    heron, whoosh = by_name.get("heron"), by_name.get("whoosh")
    for run in all_runs:
        if run.built:
            print(f"{run.engine}: index built in {run.built['seconds']:.2f} s")
    print()
    print(
        f"Latency (ms per query after one warm-up pass; top {TOP}, stored documents read; "
        f"highlight = snippets of the {TOP} bodies)"
    )
    print_table(("figure", "heron ms", "whoosh ms", "whoosh/heron"), latency_rows(heron, whoosh))
    print(
        "Snippets (marks: '<b class=\"match term'; a hit matches in the body when the body "
        "holds a query term, by the engine's own analyzer; chars: visible text)"
    )
    print_table(SNIPPET_HEADERS, [snippet_row(run) for run in all_runs])
    lines = sample(heron, whoosh)
    if lines:
        print("Sample snippets of one document")
        print("\n".join(lines))
        print()
    return heron, whoosh


def main(argv: list[str] | None = None) -> int:
    """Measure every chosen engine and print the tables and targets."""
    args = parse_news_args(argv, __doc__, ENGINES)
    if args.child:
        return run_child_phase(args.child, PHASES)
    info, rows = start_news(args, "highlighting cost on news", ["heron", "whoosh", "numpy"])
    queries = make_queries(rows, QUERY_COUNT, QUERY_SEED)
    print(
        f"news: {len(rows):,} articles; {len(queries)} queries (indexing.py's), "
        f"e.g. {queries[:3]}; top {TOP}; {FRAGMENTS} fragments of ~{FRAGMENT_CHARS} chars "
        f"(whoosh: ContextFragmenter(maxchars={FRAGMENT_CHARS}, surround={WHOOSH_SURROUND}))"
    )
    with tempfile.TemporaryDirectory(prefix="heron-bench-highlights-") as tmp:
        all_runs = [measure(engine, args, queries, Path(tmp)) for engine in args.engines]
    print()
    heron, whoosh = print_report(all_runs)
    return finish(
        args,
        info,
        checks(heron, whoosh),
        corpus={"articles": len(rows), "queries": queries},
        engines=[
            {
                "engine": run.engine,
                "built": run.built,
                "search_median_ms": run.median_ms("search"),
                "search_p95_ms": run.p95_ms("search"),
                "highlight_median_ms": run.median_ms("highlight"),
                "highlight_p95_ms": run.p95_ms("highlight"),
                "highlight_only_ms": run.highlight_ms,
                "searched": run.searched,
            }
            for run in all_runs
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
