"""Peak memory of heron's writer on the news collection repeated: the load, then optimize().

The news collection (Reuters-21578) is indexed N times over with fresh ids (``<rep>-<id>``),
its articles read lazily from the gzipped file on every repetition so that the documents
never sit in memory together, through ``ix.writer(buffer_mb=...)`` in one commit; then
``ix.optimize()`` merges every segment into one. Each size runs in a child process of its
own; the figures are that process's resident-set high-water mark (``VmHWM`` of
/proc/self/status, which counts the pages of mapped files it touched) after the load and
after the optimize, so they are the peak of the whole process, Python and imports included.

The target (issue 8): at ``buffer_mb=64`` the load peaks at <= 400 MB and load plus
optimize at <= 500 MB, at 4 and at 16 repetitions alike (memory must not grow with the
collection).

    .venv/bin/python benchmarks/memory.py [--repeats 4,16] [--buffer-mb 64]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _report import Check, finish, load_targets, print_header, print_table, run_info
from _scenario import add_common_arguments, require_paths, run_child_phase, run_child_script
from heron.bench import dir_size, read_jsonl

ENGINES = ("heron",)
NEWS_FILE = Path("news") / "reuters21578.jsonl.gz"
LOAD_LIMIT_MB = int(load_targets("memory")["load_mb"])
OPTIMIZE_LIMIT_MB = int(load_targets("memory")["optimize_mb"])

Row = dict[str, Any]


def news_rows(path: Path, repeats: int) -> Iterator[Row]:
    """Yield the news articles ``repeats`` times with fresh ids, read lazily each time."""
    for rep in range(repeats):
        for article in read_jsonl(path):
            yield {
                "id": f"{rep}-{article['id']}",
                "title": article.get("title") or "",
                "body": article.get("body") or "",
                "topics": list(article.get("topics") or []),
            }


def high_water_mb() -> float:
    """This process's resident-set high-water mark so far (VmHWM), in MB (1e6 bytes)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmHWM in /proc/self/status (this benchmark needs Linux)")


# --------------------------------------------------------------------------- child side


def child_heron(spec: dict[str, Any]) -> dict[str, Any]:
    """Load the repeated collection into a fresh index, then optimize it; report peaks."""
    import heron

    schema = heron.Schema(
        id=heron.ID(stored=True, unique=True),
        title=heron.TEXT(stored=True),
        body=heron.TEXT(stored=True),
        topics=heron.KEYWORD(stored=True, commas=True),
    )
    path = Path(spec["index"])
    ix = heron.create_index(path, schema, overwrite=True)
    start = time.perf_counter()
    with ix.writer(buffer_mb=spec["buffer_mb"]) as writer:
        docs = writer.add_documents(news_rows(Path(spec["news"]), spec["repeats"]))
    load_seconds = time.perf_counter() - start
    load_peak = high_water_mb()
    segments = len(list(path.glob("*.hsg")))
    load_size = dir_size(path)
    start = time.perf_counter()
    ix.optimize()
    optimize_seconds = time.perf_counter() - start
    return {
        "docs": docs, "segments": segments, "load_seconds": load_seconds,
        "load_peak_mb": load_peak, "index_mb": load_size / 1e6,
        "optimize_seconds": optimize_seconds, "optimize_peak_mb": high_water_mb(),
        "optimized_mb": dir_size(path) / 1e6,
    }


PHASES = {"heron": child_heron}


# --------------------------------------------------------------------------- parent side


def repeat_list(text: str) -> list[int]:
    """Parse a comma-separated list of positive repetition counts."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"repeats must be integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"repeats must be positive, got {text!r}")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line (with the hidden --child SPEC of the child processes)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_common_arguments(parser, ENGINES)
    parser.add_argument("--repeats", type=repeat_list, default=[4, 16],
                        help="comma-separated collection sizes, in repetitions (default: 4,16)")
    parser.add_argument("--buffer-mb", type=float, default=64.0,
                        help="the writer's buffer_mb (default: 64)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every size in its own child process and print the peaks side by side."""
    args = parse_args(argv)
    if args.child:
        return run_child_phase(args.child, PHASES)
    news = args.data / NEWS_FILE
    require_paths(news)
    info = run_info(["heron", "numpy", "nltk"])
    print_header("heron writer memory: news repeated, load then optimize()", info)
    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="heron-memory-") as tmp:
        work = Path(tmp)
        for repeats in args.repeats:
            spec = {"engine": f"heron-x{repeats}", "phase": "heron", "repeats": repeats,
                    "buffer_mb": args.buffer_mb, "news": str(news),
                    "index": str(work / f"x{repeats}")}
            result = run_child_script(Path(__file__), spec, work)
            if result is not None:
                results[repeats] = result
    rows = [
        [f"x{n}", r["docs"], f"{r['load_seconds']:.1f}", r["segments"], f"{r['index_mb']:.0f}",
         f"{r['load_peak_mb']:.0f}", f"{r['optimize_seconds']:.1f}",
         f"{r['optimize_peak_mb']:.0f}"]
        for n, r in results.items()
    ]
    print_table(["size", "docs", "load s", "segments", "index MB", "load peak MB",
                 "optimize s", "load+optimize peak MB"], rows)
    checks = []
    for repeats in args.repeats:
        got = results.get(repeats)
        load = None if got is None else got["load_peak_mb"] <= LOAD_LIMIT_MB
        both = None if got is None else got["optimize_peak_mb"] <= OPTIMIZE_LIMIT_MB
        checks.append(Check(f"x{repeats} load <= {LOAD_LIMIT_MB} MB", load,
                            "no result" if got is None else f"{got['load_peak_mb']:.0f} MB"))
        checks.append(Check(f"x{repeats} load+optimize <= {OPTIMIZE_LIMIT_MB} MB", both,
                            "no result" if got is None else f"{got['optimize_peak_mb']:.0f} MB"))
    return finish(args, info, checks, buffer_mb=args.buffer_mb,
                  sizes={f"x{n}": r for n, r in results.items()})


if __name__ == "__main__":
    sys.exit(main())
