"""A benchmark run's record: when, where and with what it ran, and its figures, as JSON.

Each run writes one record (commit, machine, package versions, figures), so a regression
can be found by comparing records over time.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import heron

#: the record format; bump it when a key changes meaning
RECORD_VERSION = 1


def package_version(name: str) -> str:
    """The installed version of a distribution, or ``"not installed"``.

    heron reports its own ``__version__`` (a checkout need not be installed).
    """
    if name == "heron":
        return str(heron.__version__)
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def git_commit(folder: Path) -> dict[str, Any] | None:
    """The commit checked out at ``folder`` and whether tracked files differ from it, or
    None when ``folder`` is not in a git work tree (or git is missing)."""
    try:
        head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=False, timeout=10)
        if head.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return {"sha": head.stdout.strip(), "dirty": bool(status.stdout.strip())}


def _cpu_model() -> str:
    """The processor's model name from /proc/cpuinfo, else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The machine: operating system, processor, CPUs and the load when the run began."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "load_average": list(load) if load else None,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }


def run_info(packages: Sequence[str], source: Path | None = None) -> dict[str, Any]:
    """Describe this run: date, command, heron's commit (of the git work tree holding
    ``source``, by default heron's own source), the machine and the versions of
    ``packages``."""
    where = source if source is not None else Path(heron.__file__).resolve().parent
    return {
        "record_version": RECORD_VERSION,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": shlex.join(sys.orig_argv),
        "cwd": os.getcwd(),
        "commit": git_commit(where),
        "machine": machine(),
        "packages": {name: package_version(name) for name in packages},
    }


def record_name(scenario: str, info: Mapping[str, Any]) -> str:
    """A record's file name: its date, scenario and short commit, sorting by date.

    >>> record_name("indexing", {"date": "2026-12-01T05:00:00+00:00",
    ...                          "commit": {"sha": "0123456789ab", "dirty": True}})
    '20261201T050000-indexing-0123456-dirty.json'
    """
    stamp = str(info["date"])[:19].replace("-", "").replace(":", "")
    commit = info.get("commit")
    tail = f"-{commit['sha'][:7]}{'-dirty' if commit['dirty'] else ''}" if commit else ""
    return f"{stamp}-{scenario}{tail}.json"


def write_record(folder: Path, scenario: str, info: Mapping[str, Any],
                 figures: Mapping[str, Any]) -> Path:
    """Write ``{"scenario", "run", **figures}`` as indented JSON in ``folder`` (created
    when missing) under ``record_name``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / record_name(scenario, info)
    payload = {"scenario": scenario, "run": dict(info), **figures}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
