"""What every benchmark scenario shares: its command line, and running each engine's
phases in child processes of the scenario's own script (through heron.bench's harness)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import _checkout
from corpora import DATA_README, DEFAULT_DATA, NEWS_FIELDS, NEWS_FILE, Row, load_news
from heron.bench import child_main, engine, measure_build, normalize, run_child

#: where each run's JSON record goes unless --record says otherwise
RECORDS = _checkout.REPO_ROOT / "benchmarks" / "records"

# --------------------------------------------------------------------------- command line


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
    """Add the options every benchmark takes: --data, --engines, --json, --strict and
    --record / --no-record."""
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
    parser.add_argument("--record", type=Path, default=RECORDS, metavar="DIR",
                        help=f"folder of the run's JSON record (default: {RECORDS})")
    parser.add_argument("--no-record", dest="record", action="store_const", const=None,
                        help="write no record (a smoke run)")


def require_paths(*paths: Path) -> None:
    """Exit with a clear message when a data file or folder is missing."""
    missing = [path for path in paths if not path.exists()]
    if missing:
        listed = "\n  ".join(str(path) for path in missing)
        sys.exit(
            f"benchmark data not found:\n  {listed}\n"
            f"Pass --data DIR pointing at the test collections (see {DATA_README})."
        )


# --------------------------------------------------------------------------- child processes


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

    ``spec`` names the ``engine`` and the ``phase``. Returns None (after printing a
    message) when the child fails or writes no result.
    """
    print(f"  {spec['engine']}: {spec['phase']} ...", flush=True)
    return run_child([sys.executable, str(script), "--child"], spec, workdir)


def run_child_phase(
    spec_file: Path, phases: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]]
) -> int:
    """Entry point of a child process (``--child SPEC``): run the phase its spec names."""
    return child_main(spec_file, phases)


@dataclass
class EngineRuns:
    """One engine's results from its child processes: the build, then the phase searching it.

    Each is the JSON its child wrote, or None when that phase failed or did not run.
    """

    engine: str
    built: dict[str, Any] | None = None
    searched: dict[str, Any] | None = None


# --------------------------------------------------------------------------- news scenarios


def child_index(spec: dict[str, Any]) -> dict[str, Any]:
    """Build one engine's news index (read first, untimed); time it, record memory, size."""
    chosen = engine(spec["engine"])
    # read straight into the engine's form: one list of rows, as the engine would get them
    rows = load_news(Path(spec["data"]), spec["limit"], comma_topics=not chosen.keywords_as_list)
    return measure_build(chosen, Path(spec["index"]), rows, NEWS_FIELDS)


def build_heron(path: Path, rows: list[Row], procs: int = 1) -> None:
    """Index news rows with heron's bulk path in one commit (``procs`` writer processes)."""
    chosen = engine("heron", procs)
    chosen.build(path, normalize(rows, NEWS_FIELDS, chosen.keywords_as_list), NEWS_FIELDS)


def build_whoosh(path: Path, rows: list[Row]) -> None:
    """Index news rows with Whoosh 2.7 (``StemmingAnalyzer``, one writer)."""
    chosen = engine("whoosh")
    chosen.build(path, normalize(rows, NEWS_FIELDS, chosen.keywords_as_list), NEWS_FIELDS)


def run_news_phases(
    script: str, engine_name: str, args: argparse.Namespace, workdir: Path, phase: str,
    **spec: Any
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Build one engine's news index (``child_index``) in a child process of ``script``,
    then, if that worked, run ``script``'s ``phase`` in another; return both results.

    The phases' spec holds the engine, the news file, --limit, the index folder under
    ``workdir`` and the keyword arguments. A result is None when its phase failed or did
    not run.
    """
    spec = {
        "engine": engine_name,
        "data": str(args.data / NEWS_FILE),
        "limit": args.limit,
        "index": str(workdir / engine_name),
        **spec,
    }
    path = Path(script).resolve()
    built = run_child_script(path, {**spec, "phase": "index"}, workdir)
    measured = run_child_script(path, {**spec, "phase": phase}, workdir) if built else None
    return built, measured


def parse_news_args(
    argv: list[str] | None, doc: str, engines: Sequence[str]
) -> argparse.Namespace:
    """Read the command line of a benchmark on news: the common options, --limit and the
    hidden --child SPEC of its child processes. ``doc``'s first line describes it."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    add_common_arguments(parser, engines)
    parser.add_argument("--limit", type=int, metavar="N", help="index only the first N articles")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child:
        require_paths(args.data / NEWS_FILE)
    return args


def overlap(hits: Sequence[Sequence[str]], reference: Sequence[Sequence[str]]) -> float:
    """Mean share of the reference's top ids that the other engine also returned."""
    shares = [
        len(set(mine) & set(theirs)) / len(theirs)
        for mine, theirs in zip(hits, reference, strict=True)
        if theirs
    ]
    return sum(shares) / len(shares) if shares else 0.0
