"""What ``heron bench`` reports: one result per engine, as a table, a line, JSON or a PNG."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from heron import _terminal
from heron.bench._harness import percentile
from heron.bench._plots import Panel, bar_panels


def result(engine: str, settings: str, documents: int, mb: float, *,
           built: Mapping[str, Any] | None, searched: Mapping[str, Any] | None
           ) -> dict[str, Any]:
    """One engine's figures as plain values (None where its phase failed).

    Keys: engine, settings, documents, mb, seconds, mb_per_s, docs_per_s, index_mb,
    peak_rss_mb, queries, query_median_ms, query_p95_ms, hits_per_query.
    """
    out: dict[str, Any] = {
        "engine": engine, "settings": settings, "documents": documents, "mb": mb,
        "seconds": None, "mb_per_s": None, "docs_per_s": None, "index_mb": None,
        "peak_rss_mb": None, "queries": 0, "query_median_ms": None, "query_p95_ms": None,
        "hits_per_query": None,
    }
    if built:
        seconds = float(built["seconds"])
        out.update(seconds=seconds, mb_per_s=mb / seconds, docs_per_s=documents / seconds,
                   index_mb=built["index_bytes"] / 1e6, peak_rss_mb=built["peak_rss_mb"])
    if searched and searched["latencies"]:
        latencies = searched["latencies"]
        out.update(queries=len(latencies),
                   query_median_ms=percentile(latencies, 50) * 1e3,
                   query_p95_ms=percentile(latencies, 95) * 1e3,
                   hits_per_query=sum(searched["hit_counts"]) / len(latencies))
    return out


def _cell(value: float | None, digits: int = 2, thousands: bool = False) -> str:
    """A figure for the table, or '-' when unmeasured."""
    if value is None:
        return "-"
    return f"{value:,.0f}" if thousands else f"{value:.{digits}f}"


#: the table's columns: heading, result key, digits (None: thousands)
COLUMNS = (
    ("docs/s", "docs_per_s", None),
    ("MB/s", "mb_per_s", 2),
    ("seconds", "seconds", 2),
    ("index MB", "index_mb", 1),
    ("RSS MB", "peak_rss_mb", 0),
    ("median ms", "query_median_ms", 3),
    ("p95 ms", "query_p95_ms", 3),
)


def print_table(results: Sequence[Mapping[str, Any]], title: str) -> None:
    """Print the results as a table on stdout (colour and borders on a terminal only):
    indexing speed, index size, the writer's peak RSS, and query latency."""
    from rich import box
    from rich.table import Table

    out = _terminal.console()
    table = Table(title=title, box=box.SIMPLE if out.is_terminal else box.ASCII2,
                  title_justify="left")
    table.add_column("engine")
    for heading, _key, _digits in COLUMNS:
        table.add_column(heading, justify="right")
    for entry in results:
        table.add_row(entry["engine"], *(
            _cell(entry[key], digits or 0, thousands=digits is None)
            for _heading, key, digits in COLUMNS))
    out.print(table)


def summary_line(results: Sequence[Mapping[str, Any]]) -> str:
    """The figures in one line: each engine's MB/s and median query latency.

    >>> summary_line([{"engine": "heron", "mb_per_s": 8.0, "query_median_ms": 0.25}])
    'heron 8.00 MB/s, query 0.250 ms'
    """
    parts = []
    for entry in results:
        if entry["mb_per_s"] is None:
            parts.append(f"{entry['engine']} failed")
            continue
        part = f"{entry['engine']} {entry['mb_per_s']:.2f} MB/s"
        if entry["query_median_ms"] is not None:
            part += f", query {entry['query_median_ms']:.3f} ms"
        parts.append(part)
    return "; ".join(parts)


def plot(results: Sequence[Mapping[str, Any]], path: Path, title: str) -> Path:
    """Write the results as a PNG of bar panels: MB/s, index MB, peak RSS and median query
    latency per engine."""
    panels = [
        Panel(heading, unit, {entry["engine"]: entry[key] for entry in results})
        for heading, unit, key in (
            ("indexing speed", "MB/s (higher is better)", "mb_per_s"),
            ("index size", "MB", "index_mb"),
            ("peak memory", "RSS MB", "peak_rss_mb"),
            ("query latency", "median ms (lower is better)", "query_median_ms"),
        )
    ]
    return bar_panels(path, title, panels)
