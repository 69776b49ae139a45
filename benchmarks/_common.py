"""Shared pieces of heron's benchmarks: data, engines, timing, metrics and reports.

Peers (tantivy, Whoosh, bm25s) are imported inside the functions that use them, so a
benchmark's child process loads only the engine it measures.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import re
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DATA_README = "shared/data/README.md"

_WORD = re.compile(r"\w+")

SearchFn = Callable[[str], list[str]]
"""Runs one query and returns the ids of the hits, best first."""


# --------------------------------------------------------------------------- setup


def use_checkout_heron() -> None:
    """Make ``import heron`` work from this checkout's ``src/`` when heron is not installed."""
    src = REPO_ROOT / "src"
    if importlib.util.find_spec("heron") is None and (src / "heron").is_dir():
        sys.path.insert(0, str(src))


def engine_list(choices: Sequence[str]) -> Callable[[str], list[str]]:
    """Return an argparse type that reads a comma-separated subset of ``choices``."""

    def parse(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = sorted(set(names) - set(choices))
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"engines must be among {','.join(choices)}; got {text!r}"
            )
        return [name for name in choices if name in names]

    return parse


def add_common_arguments(parser: argparse.ArgumentParser, engines: Sequence[str]) -> None:
    """Add the options every benchmark takes: --data, --engines and --json."""
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"folder holding the test collections (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--engines",
        type=engine_list(engines),
        default=list(engines),
        help=f"comma-separated engines to run (default: {','.join(engines)})",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures here")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )


def require_paths(*paths: Path) -> None:
    """Exit with a clear message when a data file or folder is missing."""
    missing = [path for path in paths if not path.exists()]
    if missing:
        listed = "\n  ".join(str(path) for path in missing)
        sys.exit(
            f"benchmark data not found:\n  {listed}\n"
            f"Pass --data DIR pointing at the test collections (see {DATA_README})."
        )


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Collection:
    """A relevance collection: documents, judged queries and graded judgements."""

    name: str
    docs: list[tuple[str, str]]
    """(document id, title and text joined) pairs, in corpus order."""
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    """query id -> document id -> relevance grade."""


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield one object per non-empty line of a JSON-lines file, gzipped or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def beir_paths(folder: Path) -> list[Path]:
    """The three files of a BEIR-layout collection."""
    return [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / "test.tsv"]


def load_beir(folder: Path) -> Collection:
    """Read a BEIR-layout collection; each document's title and text become one text."""
    corpus_file, queries_file, qrels_file = beir_paths(folder)
    docs = [
        (str(doc["_id"]), " ".join(part for part in (doc.get("title"), doc.get("text")) if part))
        for doc in read_jsonl(corpus_file)
    ]
    queries = {str(query["_id"]): query["text"] for query in read_jsonl(queries_file)}
    qrels: dict[str, dict[str, int]] = {}
    with qrels_file.open(encoding="utf-8") as lines:
        next(lines)  # header: query-id, corpus-id, score
        for line in lines:
            if line.strip():
                query_id, doc_id, score = line.split("\t")
                qrels.setdefault(query_id, {})[doc_id] = int(score)
    judged = {query_id: text for query_id, text in queries.items() if query_id in qrels}
    return Collection(folder.name, docs, judged, qrels)


def bag_of_words(text: str) -> str:
    """Reduce free text to lower-case words joined by spaces, free of query syntax."""
    return " ".join(_WORD.findall(text)).lower()


# --------------------------------------------------------------------------- metrics


def ndcg_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with graded gains, a log2 discount and the ideal from all judged-relevant docs."""
    dcg = sum(
        max(judged.get(doc, 0), 0) / math.log2(rank + 2) for rank, doc in enumerate(ranking[:k])
    )
    ideal = sorted((grade for grade in judged.values() if grade > 0), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    """Fraction of the judged-relevant documents found in the first k results."""
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    return len(relevant.intersection(ranking[:k])) / len(relevant) if relevant else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of values, interpolating linearly between ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --------------------------------------------------------------------------- measuring


class Timer:
    """Context manager that measures wall-clock seconds with ``perf_counter``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.seconds = time.perf_counter() - self._start


def run_child_script(
    script: Path, spec: Mapping[str, Any], workdir: Path
) -> dict[str, Any] | None:
    """Run ``script --child SPEC`` in a fresh interpreter and return the JSON it wrote.

    ``spec`` names the ``engine`` and the ``phase``; it is written to a file in
    ``workdir`` with the path of the result file added under ``result``. Returns None
    (after printing a message) when the child fails or writes no result.
    """
    name = f"{spec['engine']}-{spec['phase']}"
    spec_file = workdir / f"{name}.spec.json"
    result_file = workdir / f"{name}.result.json"
    spec_file.write_text(json.dumps({**spec, "result": str(result_file)}), encoding="utf-8")
    print(f"  {spec['engine']}: {spec['phase']} ...", flush=True)
    command = [sys.executable, str(script), "--child", str(spec_file)]
    completed = subprocess.run(command, check=False)
    if completed.returncode != 0 or not result_file.exists():
        print(f"  {name} failed with exit status {completed.returncode}", flush=True)
        return None
    return dict(json.loads(result_file.read_text(encoding="utf-8")))


def run_child_phase(
    spec_file: Path, phases: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]]
) -> int:
    """Entry point of a child process (``--child SPEC``): run the phase its spec names.

    The phase's result is written as JSON to the file the spec names under ``result``.
    """
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    use_checkout_heron()
    result = phases[spec["phase"]](spec)
    Path(spec["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


@dataclass
class EngineRuns:
    """One engine's results from its child processes: the build, then the phase searching it.

    Each is the JSON its child wrote, or None when that phase failed or did not run.
    """

    engine: str
    built: dict[str, Any] | None = None
    searched: dict[str, Any] | None = None


def peak_rss_mb() -> float:
    """The resident-set high-water mark so far of this process or its largest finished
    child (heron's writer workers), in MB (1e6 bytes)."""
    peak = max(resource.getrusage(who).ru_maxrss
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux KiB
    return peak * scale / 1e6


def dir_size(path: Path) -> int:
    """Total size in bytes of the files under path."""
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


# --------------------------------------------------------------------------- engines


def heron_build(path: Path, schema: Any, rows: Iterable[Mapping[str, Any]], procs: int = 1
                ) -> None:
    """Create a heron index at path and add rows through the bulk path in one commit."""
    import heron

    index = heron.create_index(path, schema, overwrite=True)
    with index.writer(procs=procs) as writer:
        writer.add_documents(rows)


@contextmanager
def heron_search(path: Path, fields: Sequence[str], limit: int) -> Iterator[SearchFn]:
    """Open a heron index and yield a function returning the stored ids of the top hits."""
    import heron

    with heron.open_index(path).searcher() as searcher:

        def search(text: str) -> list[str]:
            return [hit["id"] for hit in searcher.search(text, limit=limit, fields=list(fields))]

        yield search


@dataclass(frozen=True)
class TantivyField:
    """A tantivy text field: its tokenizer and whether it is stored."""

    tokenizer: str
    stored: bool


def tantivy_build(
    path: Path,
    fields: Mapping[str, TantivyField],
    rows: Iterable[Mapping[str, str | list[str]]],
    heap_bytes: int = 1_000_000_000,
) -> None:
    """Index rows with tantivy, one writer thread, and wait until the index is on disk."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    for name, spec in fields.items():
        builder.add_text_field(name, stored=spec.stored, tokenizer_name=spec.tokenizer)
    index = tantivy.Index(builder.build(), path=str(path), reuse=False)
    writer = index.writer(heap_size=heap_bytes, num_threads=1)
    for row in rows:
        writer.add_document(tantivy.Document(**row))
    writer.commit()
    writer.wait_merging_threads()


@contextmanager
def tantivy_search(path: Path, fields: Sequence[str], limit: int) -> Iterator[SearchFn]:
    """Open a tantivy index and yield a function returning the stored ids of the top hits."""
    import tantivy

    index = tantivy.Index.open(str(path))
    searcher = index.searcher()
    default_fields = list(fields)

    def search(text: str) -> list[str]:
        query = index.parse_query(text, default_fields)
        hits = searcher.search(query, limit).hits
        return [str(searcher.doc(address).get_first("id")) for _score, address in hits]

    yield search


# --------------------------------------------------------------------------- reports


def run_info(packages: Sequence[str]) -> dict[str, Any]:
    """Describe this run: date, Python, machine, command and package versions."""
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "command": shlex.join(sys.orig_argv),
        "cwd": os.getcwd(),
        "packages": {name: package_version(name) for name in packages},
    }


def package_version(name: str) -> str:
    """The installed version of a distribution, or a note saying why there is none."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        if name == "heron" and (REPO_ROOT / "src" / "heron").is_dir():
            return "checkout (not installed)"
        return "not installed"


def print_header(title: str, info: Mapping[str, Any]) -> None:
    """Print the run description above a benchmark's output."""
    print(f"== {title}")
    print(f"date:     {info['date']}")
    print(f"python:   {info['python']}")
    print(f"machine:  {info['platform']} ({info['machine']}), {info['cpu_count']} CPUs")
    print(f"command:  {info['command']}")
    print(f"cwd:      {info['cwd']}")
    versions = ", ".join(f"{name} {version}" for name, version in info["packages"].items())
    print(f"packages: {versions}")
    print()


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], left: int = 1) -> None:
    """Print rows under headers; the first ``left`` columns aligned left, the others right.

    A row shorter than the headers is padded with dashes.
    """
    padding = ["-"] * len(headers)
    cells = [list(headers)]
    cells += [[str(cell) for cell in row] + padding[len(row) :] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        padded = [
            cell.ljust(width) if column < left else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    print(line(cells[0]))
    print("  ".join("-" * width for width in widths))
    for row in cells[1:]:
        print(line(row))
    print()


@dataclass(frozen=True)
class Check:
    """A target: its statement, whether it was met (None when not measurable) and why."""

    name: str
    passed: bool | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """The check as plain JSON values."""
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def print_checks(checks: Sequence[Check]) -> bool:
    """Print each check as PASS, FAIL or SKIP; return whether none failed."""
    labels = {True: "PASS", False: "FAIL", None: "SKIP"}
    for check in checks:
        print(f"[{labels[check.passed]}] {check.name}: {check.detail}")
    print()
    return all(check.passed is not False for check in checks)


def write_json(path: Path, payload: Mapping[str, Any]) -> None:
    """Write the figures of a run as indented JSON."""
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    print(f"figures written to {path}")


def finish(
    args: argparse.Namespace, info: Mapping[str, Any], checks: Sequence[Check], **figures: Any
) -> int:
    """Print the checks and, with --json, write the run, ``figures`` and the checks.

    Returns the exit status: 1 when --strict was given and a check failed, else 0.
    """
    all_passed = print_checks(checks)
    if args.json:
        payload = {"run": info, **figures, "checks": [check.as_dict() for check in checks]}
        write_json(args.json, payload)
    return 1 if args.strict and not all_passed else 0


def milliseconds(value: float | None) -> str:
    """A latency in ms, or '-' when unmeasured."""
    return "-" if value is None else f"{value:.3f}"


def ratio(value: float | None, reference: float | None) -> str:
    """Format value / reference as '1.23x', or '-' when either is missing or zero."""
    if not value or not reference:
        return "-"
    return f"{value / reference:.2f}x"
