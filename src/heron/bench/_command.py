"""``heron bench``: indexing speed, index size, memory and query latency on your own data.

Each engine (heron, and Whoosh and tantivy when installed: ``pip install "heron[bench]"``)
indexes the same documents in a process of its own, then searches its index in another
with queries of two to four words drawn from the documents. The documents are read and the
engine's library imported before the clock starts.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from heron import _terminal
from heron.bench._engine import installed
from heron.bench._engines import ENGINE_NAMES, engine
from heron.bench._fields import Field, infer_fields, normalize, read_jsonl
from heron.bench._harness import (
    child_command,
    child_main,
    measure_build,
    measure_search,
    run_child,
)
from heron.bench._queries import draw_queries
from heron.bench._records import run_info
from heron.bench._report import plot, print_table, result, summary_line

CHILD = "--child"
#: the text of each document that queries are drawn from: its first this many characters
QUERY_TEXT_CHARS = 400
#: the documents whose values decide the fields' kinds
FIELD_SAMPLE = 1000


def _engine_names(text: str) -> list[str]:
    """Read ``--engines``: a comma-separated list of known engine names."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(ENGINE_NAMES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"engines must be among {','.join(ENGINE_NAMES)}; got {text!r}")
    return list(dict.fromkeys(names))


def _positive(text: str) -> int:
    """Read a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser, *, quiet: bool = True) -> None:
    """Add ``heron bench``'s arguments to ``parser``."""
    parser.add_argument("data", type=Path,
                        help="documents as JSON lines (.jsonl or .jsonl.gz), one object a line")
    parser.add_argument("--engines", type=_engine_names, default=None,
                        help="comma-separated engines among heron,whoosh,tantivy "
                             "(default: heron and the peers that are installed)")
    parser.add_argument("--procs", type=_positive, default=1,
                        help="heron's writer processes (default 1)")
    parser.add_argument("--limit", type=_positive, help="use only the first N documents")
    parser.add_argument("--queries", type=_positive, default=200,
                        help="queries to time per engine (default 200)")
    parser.add_argument("--top", type=_positive, default=10, help="hits per query (default 10)")
    parser.add_argument("--seed", type=int, default=1987, help="seed of the query sample")
    parser.add_argument("--json", action="store_true",
                        help='print the figures as JSON ({"results": [...]}) instead of a table')
    parser.add_argument("--plot", type=Path, metavar="PNG", help="also draw a bar chart here")
    if quiet:
        parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _index_phase(spec: dict[str, Any]) -> dict[str, Any]:
    """Child: read the documents (untimed), then time one engine's build."""
    chosen = engine(spec["engine"], spec["procs"])
    fields = [Field(name, kind) for name, kind in spec["fields"]]
    docs = normalize(read_jsonl(Path(spec["data"]), spec["limit"]), fields,
                     chosen.keywords_as_list)
    chosen.load()  # the build is timed without importing the engine's library
    return measure_build(chosen, Path(spec["index"]), docs, fields)


def _search_phase(spec: dict[str, Any]) -> dict[str, Any]:
    """Child: time the queries on one engine's index; keep counts of hits, not the hits."""
    chosen = engine(spec["engine"], spec["procs"])
    fields = [Field(name, kind) for name, kind in spec["fields"]]
    found = measure_search(chosen, Path(spec["index"]), fields, spec["queries"], spec["top"])
    return {"doc_count": found["doc_count"], "latencies": found["latencies"],
            "hit_counts": [len(hits) for hits in found["hits"]]}


PHASES = {"index": _index_phase, "search": _search_phase}


def _fail(message: str) -> int:
    """Say what went wrong on stderr; return the exit status 1."""
    print(f"heron bench: {message}", file=sys.stderr)
    return 1


def _chosen(args: argparse.Namespace) -> tuple[list[str], list[dict[str, str]]]:
    """The engines to run and the ones skipped because they are not installed."""
    names = args.engines or list(ENGINE_NAMES)
    run, skipped = [], []
    for name in names:
        if installed(engine(name).package):
            run.append(name)
        elif args.engines:  # asked for by name: say why it is missing
            skipped.append({"engine": name, "reason": 'not installed (pip install "heron[bench]")'})
    return run, skipped


def run(args: argparse.Namespace) -> int:
    """Run ``heron bench`` with parsed arguments; return the exit status."""
    names, skipped = _chosen(args)
    for entry in skipped:
        print(f"heron bench: {entry['engine']} skipped: {entry['reason']}", file=sys.stderr)
    if not names:
        return _fail("no engine to run")
    try:
        fields = infer_fields(read_jsonl(args.data, FIELD_SAMPLE))
        texts = [field.name for field in fields if field.kind == "text"]
        documents, characters, samples = 0, 0, []
        for doc in read_jsonl(args.data, args.limit):  # streamed: the parent stays small
            documents += 1
            values = [value for name in texts if isinstance(value := doc.get(name), str)]
            characters += sum(map(len, values))
            samples.append(" ".join(values)[:QUERY_TEXT_CHARS])
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.data}: {exc}")
    if not documents or not texts:
        return _fail(f"{args.data}: no documents with text fields (strings) to index")
    try:
        queries = draw_queries(samples, args.queries, args.seed)
    except ValueError as exc:
        return _fail(str(exc))
    mb = characters / 1e6
    del samples
    results: list[dict[str, Any]] = []
    spec_base = {"data": str(args.data.resolve()), "limit": args.limit, "procs": args.procs,
                 "fields": [[field.name, field.kind] for field in fields],
                 "queries": queries, "top": args.top}
    with tempfile.TemporaryDirectory(prefix="heron-bench-") as tmp, _terminal.progress(
            f"benchmarking {', '.join(names)}", total=2 * len(names), quiet=args.quiet,
            unit="steps") as bar:
        for name in names:
            spec = {**spec_base, "engine": name, "index": str(Path(tmp) / name)}
            command = child_command()
            built = run_child(command, {**spec, "phase": "index"}, Path(tmp), quiet=True)
            bar.advance()
            searched = (run_child(command, {**spec, "phase": "search"}, Path(tmp), quiet=True)
                        if built else None)
            bar.advance()
            settings = engine(name, args.procs).settings
            results.append(result(name, settings, documents, mb, built=built, searched=searched))
    return _report(args, names, results, skipped=skipped, fields=fields, mb=mb)


def _report(args: argparse.Namespace, names: Sequence[str], results: list[dict[str, Any]], *,
            skipped: list[dict[str, str]], fields: Sequence[Field], mb: float) -> int:
    """Print the results (table and line, or JSON), draw the plot; return the status."""
    documents = results[0]["documents"] if results else 0
    title = f"{args.data.name}: {documents:,} documents, {mb:.2f} MB of text"
    if args.plot:
        try:
            plot(results, args.plot, title)
        except ImportError:
            return _fail('--plot needs matplotlib: pip install "heron[bench]"')
    if args.json:
        payload = {"run": run_info(["heron", *names]), "data": str(args.data),
                   "fields": [{"name": field.name, "kind": field.kind} for field in fields],
                   "results": results, "skipped": skipped}
        print(json.dumps(payload, indent=2))
    else:
        print_table(results, title + " (MB = characters of text fields / 1e6)")
        print(summary_line(results))
    failed = any(entry["seconds"] is None or entry["query_median_ms"] is None
                 for entry in results)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m heron.bench``: parse the command line and run; return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [CHILD] and len(arguments) == 2:
        return child_main(Path(arguments[1]), PHASES)
    parser = argparse.ArgumentParser(prog="heron bench", description=__doc__.splitlines()[0]
                                     if __doc__ else None)
    add_arguments(parser)
    return run(parser.parse_args(arguments))
