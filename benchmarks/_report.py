"""How the benchmark scenarios report: the run's header, tables, the targets (read from
targets.json) checked as PASS/FAIL/SKIP, --json output and the run's JSON record."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _checkout
from corpora import NEWS_FILE, Row, load_news
from heron.bench import run_info as bench_run_info
from heron.bench import write_record

TARGETS_FILE = Path(__file__).with_name("targets.json")


def load_targets(scenario: str) -> dict[str, Any]:
    """The targets of one scenario, as benchmarks/targets.json states them."""
    return dict(json.loads(TARGETS_FILE.read_text(encoding="utf-8"))[scenario])


def run_info(packages: Sequence[str]) -> dict[str, Any]:
    """Describe this run: date, command, this checkout's commit, machine and versions."""
    return bench_run_info(packages, source=_checkout.REPO_ROOT)


def print_header(title: str, info: Mapping[str, Any]) -> None:
    """Print the run description above a benchmark's output."""
    machine, commit = info["machine"], info["commit"]
    print(f"== {title}")
    print(f"date:     {info['date']}")
    print(f"python:   {machine['python']}")
    print(f"machine:  {machine['platform']} ({machine['machine']}), {machine['cpu_count']} CPUs,"
          f" load {', '.join(f'{load:.2f}' for load in machine['load_average'] or [])}")
    if commit:
        print(f"commit:   {commit['sha'][:12]}{' (with changes)' if commit['dirty'] else ''}")
    print(f"command:  {info['command']}")
    print(f"cwd:      {info['cwd']}")
    versions = ", ".join(f"{name} {version}" for name, version in info["packages"].items())
    print(f"packages: {versions}")
    print()


def start_news(
    args: argparse.Namespace, title: str, packages: Sequence[str]
) -> tuple[dict[str, Any], list[Row]]:
    """Describe the run (with the versions of ``packages``) and print that under ``title``,
    then read the first --limit news articles; return the description and the articles."""
    info = run_info(packages)
    print_header(title, info)
    return info, load_news(args.data / NEWS_FILE, args.limit)


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
    args: argparse.Namespace, info: Mapping[str, Any], checks: Sequence[Check],
    details: Mapping[str, Any] | None = None, **figures: Any
) -> int:
    """Print the checks; write the run's record (the run, ``figures`` and the checks) to
    --record, unless --no-record, and with --json the same plus ``details``.

    Returns the exit status: 1 when --strict was given and a check failed, else 0.
    """
    all_passed = print_checks(checks)
    summary = {**figures, "checks": [check.as_dict() for check in checks]}
    record = getattr(args, "record", None)
    if record is not None:
        path = write_record(Path(record), scenario_name(), info, summary)
        print(f"record written to {path}")
    if args.json:
        write_json(args.json, {"run": info, **summary, **(details or {})})
    return 1 if args.strict and not all_passed else 0


def scenario_name() -> str:
    """The scenario being run: its script's name (``indexing`` for benchmarks/indexing.py)."""
    return Path(sys.argv[0]).stem or "benchmark"


def milliseconds(value: float | None) -> str:
    """A latency in ms, or '-' when unmeasured."""
    return "-" if value is None else f"{value:.3f}"


def ratio(value: float | None, reference: float | None) -> str:
    """Format value / reference as '1.23x', or '-' when either is missing or zero."""
    if not value or not reference:
        return "-"
    return f"{value / reference:.2f}x"
