"""Draw the PNG charts of the latest benchmark records (benchmarks/records/*.json).

Writes, under benchmarks/plots/: indexing.png (throughput, index size, peak memory and
keyword-query latency per engine, from indexing.py), query_latency.png (median latency per
query kind and engine, from indexing.py and queries.py), relevance.png (nDCG@10 per
collection and engine, from relevance.py) and, when a scaling.py record is there, the
scaling curves (see ``scaling_curves`` for the record shapes it reads).

    .venv/bin/python benchmarks/plots.py [--records DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from _scenario import RECORDS
from heron.bench import Panel, bar_panels, grouped_bars, line_chart

PLOTS = Path(__file__).with_name("plots")
#: the engines shown for keyword queries (heron-2p's index differs only by its segments)
KEYWORD_ENGINES = ("heron", "whoosh", "tantivy")


def latest_records(folder: Path) -> dict[str, dict[str, Any]]:
    """The newest record of each scenario in ``folder`` (names sort by date)."""
    latest: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(record, dict) and "scenario" in record:
            latest[record["scenario"]] = record
    return latest


def _stamp(record: Mapping[str, Any]) -> str:
    """Where a record's figures come from: date and commit, for a chart's title."""
    commit = record["run"].get("commit") or {}
    return f"{str(record['run']['date'])[:10]}, {commit.get('sha', '?')[:7]}"


def plot_indexing(record: Mapping[str, Any], out: Path) -> Path:
    """Indexing throughput, index size, peak memory and keyword latency per engine."""
    engines = [entry for entry in record["engines"] if "seconds" in entry]

    def values(key: str, scale: float = 1.0) -> dict[str, float | None]:
        return {entry["engine"]: (entry[key] * scale if entry.get(key) is not None else None)
                for entry in engines}

    corpus = record["corpus"]
    title = (f"Indexing news ({corpus['articles']:,} articles, {corpus['megabytes']:.1f} MB; "
             f"{_stamp(record)})")
    return bar_panels(out / "indexing.png", title, [
        Panel("indexing speed", "MB/s (higher is better)", values("mb_per_s")),
        Panel("index size", "MB", values("index_bytes", 1e-6)),
        Panel("writer peak memory", "RSS MB", values("peak_rss_mb")),
        Panel("keyword query", "median ms (lower is better)", values("median_ms")),
    ])


def plot_query_latency(indexing: Mapping[str, Any] | None, queries: Mapping[str, Any] | None,
                       out: Path) -> Path | None:
    """Median latency per query kind and engine (log scale)."""
    groups: dict[str, dict[str, float | None]] = {}
    stamps = []
    if indexing:
        groups["keyword (OR)"] = {entry["engine"]: entry.get("median_ms")
                                  for entry in indexing["engines"]
                                  if entry["engine"] in KEYWORD_ENGINES}
        stamps.append(_stamp(indexing))
    if queries:
        for kind, figures in queries["latency"].items():
            groups[kind] = {"heron": figures["heron_median_ms"],
                            "whoosh": figures["whoosh_median_ms"]}
        stamps.append(_stamp(queries))
    if not groups:
        return None
    title = f"Query latency on news, median ms, log scale ({'; '.join(dict.fromkeys(stamps))})"
    return grouped_bars(out / "query_latency.png", title, groups, "median ms (lower is better)",
                        log=True)


def plot_relevance(record: Mapping[str, Any], out: Path) -> Path:
    """nDCG@10 per collection and engine."""
    groups: dict[str, dict[str, float | None]] = {}
    for score in record["scores"]:
        groups.setdefault(score["collection"].upper(), {})[score["engine"]] = score["ndcg10"]
    return grouped_bars(out / "relevance.png", f"Relevance, nDCG@10 ({_stamp(record)})", groups,
                        "nDCG@10 (higher is better)")


def scaling_curves(record: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]] | None:
    """The points per engine of a scaling.py record: its ``runs`` (one per engine and scale,
    with ``megabytes``, ``mb_per_s``, ``writer_rss_mb`` and ``keyword_median_ms``) or
    ready-made ``curves`` ({engine: [{"mb", "mb_per_s", "peak_rss_mb",
    "query_median_ms"}]}); None when it has neither."""
    if isinstance(record.get("curves"), dict):
        return dict(record["curves"])
    if not isinstance(record.get("runs"), list):
        return None
    curves: dict[str, list[dict[str, Any]]] = {}
    for run in record["runs"]:
        curves.setdefault(run["engine"], []).append({
            "mb": run.get("megabytes"), "mb_per_s": run.get("mb_per_s"),
            "peak_rss_mb": run.get("writer_rss_mb", run.get("peak_rss_mb")),
            "query_median_ms": run.get("keyword_median_ms", run.get("query_median_ms")),
        })
    return curves


def plot_scaling(record: Mapping[str, Any], out: Path) -> list[Path]:
    """The scaling curves of a scaling.py record (issue 13; see ``scaling_curves``): one
    chart per figure found, throughput, memory and query latency against MB indexed."""
    curves = scaling_curves(record)
    if curves is None:
        print("scaling: the record has neither 'runs' nor 'curves' to plot; skipped")
        return []
    written = []
    for key, name, label in (("mb_per_s", "scaling_speed.png", "indexing MB/s"),
                             ("peak_rss_mb", "scaling_memory.png", "writer peak RSS MB"),
                             ("query_median_ms", "scaling_latency.png", "query median ms")):
        series = {engine: [(float(p["mb"]), float(p[key])) for p in points
                           if p.get(key) is not None and p.get("mb") is not None]
                  for engine, points in curves.items()}
        series = {engine: points for engine, points in series.items() if points}
        if series:
            written.append(line_chart(out / name, f"Scaling: {label} ({_stamp(record)})",
                                      series, "MB of text indexed", label, log=True))
    return written


def main(argv: list[str] | None = None) -> int:
    """Draw every chart the records allow; print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, default=RECORDS, help="folder of the records")
    parser.add_argument("--out", type=Path, default=PLOTS, help="folder of the charts")
    args = parser.parse_args(argv)
    records = latest_records(args.records)
    args.out.mkdir(parents=True, exist_ok=True)
    written: list[Path | None] = []
    if "indexing" in records:
        written.append(plot_indexing(records["indexing"], args.out))
    written.append(plot_query_latency(records.get("indexing"), records.get("queries"), args.out))
    if "relevance" in records:
        written.append(plot_relevance(records["relevance"], args.out))
    if "scaling" in records:
        written += plot_scaling(records["scaling"], args.out)
    for path in written:
        if path is not None:
            print(f"wrote {path}")
    if not any(written):
        print(f"no records to plot in {args.records}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
