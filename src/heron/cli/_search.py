"""``heron search PATH QUERY``: ranked hits with their title, score and highlighted snippets.

``--json`` prints one JSON object instead: ``{"query", "total", "hits": [{"id", "rank",
"score", stored fields..., "highlights": {field: snippet}}], "facets"}``, snippets marked
with ``<b class="match termN">`` in HTML-escaped text (``facets`` only when asked for).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import Any

import heron
from heron import _terminal as terminal
from heron.cli._errors import report_query
from heron.cli._hits import hit_lines, text_fields

NAME = "search"
HELP = "search an index and print the ranked hits with snippets"
#: which kernels heron searches with (README, "Speed: the fast extra")
KERNELS_ENV = "HERON_KERNELS"
_RESERVED = frozenset({"id", "rank", "score", "highlights"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("path", help="index directory")
    parser.add_argument("query", help="query string (heron's query language, as in the README)")
    parser.add_argument("--limit", type=_positive, default=10, help="hits to show (%(default)s)")
    parser.add_argument("--offset", type=_natural, default=0, help="hits to skip first")
    parser.add_argument("--sort", action="append", metavar="FIELD",
                        help="order by a sortable field instead of score ('-date': newest "
                        "first); repeat or separate with commas for ties")
    parser.add_argument("--filter", metavar="QUERY",
                        help="keep only hits that also match this query (scores unchanged)")
    parser.add_argument("--facets", action="append", metavar="FIELD",
                        help="count the matches' values of these fields (commas or repeated)")
    parser.add_argument("--and", dest="all_words", action="store_true",
                        help="every word must match (default: any word, best first)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def _positive(text: str) -> int:
    value = _natural(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _natural(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return value


def _names(values: list[str] | None) -> list[str]:
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def run(args: argparse.Namespace) -> int:
    """Search and print the results."""
    # one search does not repay importing numba (about half a second): numpy's kernels,
    # unless the environment says otherwise (the results are the same)
    told = KERNELS_ENV in os.environ
    os.environ.setdefault(KERNELS_ENV, "numpy")
    try:
        return _search(args)
    finally:
        if not told:
            os.environ.pop(KERNELS_ENV, None)


def _search(args: argparse.Namespace) -> int:
    ix = heron.open_index(args.path)
    sort = _names(args.sort)
    facets = _names(args.facets)
    with ix.searcher() as searcher:
        for label, text in (("query", args.query), ("filter", args.filter)):
            if text is not None:
                try:
                    searcher.parse(text)
                except heron.QueryError as exc:
                    return report_query(exc, label, text, debug=args.debug)
        try:
            results = searcher.search(
                args.query, limit=args.limit, offset=args.offset, filter=args.filter,
                sort_by=sort or None, facets=facets or None,
                default_operator="AND" if args.all_words else "OR")
        except heron.QueryError as exc:
            return report_query(exc, "query", args.query, debug=args.debug)
        if args.json:
            _print_json(ix.schema, args.query, results)
        else:
            _print_text(ix.schema, args.query, results, sort)
    return 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _print_json(schema: heron.Schema, query: str, results: heron.Results) -> None:
    unique = schema.unique_field()
    snippet_fields = text_fields(schema)
    hits = []
    for hit in results:
        fields = hit.fields
        highlights = {}
        for name in snippet_fields:
            snippet = hit.highlights(name)
            if snippet:
                highlights[name] = snippet
        hits.append({
            "id": fields.get(unique, hit.docnum) if unique else hit.docnum,
            "rank": hit.rank, "score": round(hit.score, 6),
            **{k: v for k, v in fields.items() if k not in _RESERVED},
            "highlights": highlights,
        })
    out: dict[str, Any] = {"query": query, "total": results.total, "hits": hits}
    if results.facets:
        out["facets"] = {name: {str(k): v for k, v in counts.items()}
                         for name, counts in results.facets.items()}
    json.dump(out, sys.stdout, ensure_ascii=False, default=_jsonable)
    sys.stdout.write("\n")


def _print_text(schema: heron.Schema, query: str, results: heron.Results,
                sort: list[str]) -> None:
    from rich.text import Text  # noqa: PLC0415 - rich loads only to print

    out = terminal.console()
    shown = len(results)
    span = f"{results.offset + 1}-{results.offset + shown}" if shown else "none"
    out.print(Text.assemble((f"{results.total:,}", "bold"), f" hits for {query!r}, showing "
                            f"{span}"))
    show = [name.lstrip("+-") for name in sort]
    for hit in results:
        for line in hit_lines(hit, schema, show=show):
            out.print(line)
    for name, counts in results.facets.items():
        best = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        listed = ", ".join(f"{terminal.plain(str(k))} {v:,}" for k, v in best[:20])
        out.print(Text.assemble((f"{name}: ", "bold"), listed))
