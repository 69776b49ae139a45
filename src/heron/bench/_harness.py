"""The measuring harness: each engine builds and searches in a child process of its own.

The parent writes a spec (JSON) naming the phase, runs ``command + [spec]`` in a fresh
interpreter and reads back the JSON result the child wrote, so that an engine's imports,
caches and memory high-water mark are its alone. In the child, ``measure_build`` times the
build (the documents are read before the clock starts) and ``measure_search`` times each
query after a warm-up pass.
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from heron.bench._engine import Engine
from heron.bench._fields import Doc, Field

Phase = Callable[[dict[str, Any]], dict[str, Any]]
"""A child's phase: its spec in, its figures (plain JSON values) out."""


def child_command() -> list[str]:
    """The command that runs ``heron bench``'s child phases (the spec file follows): the
    child loads heron only when it uses it (``_light.py``), so that a peer's process never
    loads heron, numpy or nltk and its memory high-water mark is its own."""
    return [sys.executable, str(Path(__file__).with_name("_light.py")), "--child"]


def peak_rss_mb() -> float:
    """The resident-set high-water mark so far of this process or its largest finished
    child (heron's writer workers), in MB (1e6 bytes).

    On Linux ``ru_maxrss`` of a process started with fork and exec starts at its parent's
    (the high-water mark is kept across exec), so this process's own is read from
    ``VmHWM`` in ``/proc/self/status``; its children are forked from it and never exec
    another program, so their ``ru_maxrss`` is what they used.
    """
    scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux KiB
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) * 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    return max(own, children) / 1e6


def dir_size(path: Path) -> int:
    """Total size in bytes of the files under ``path``."""
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of values, interpolating linearly between ranks.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    """
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure_build(engine: Engine, path: Path, docs: Sequence[Doc], fields: Sequence[Field]
                  ) -> dict[str, Any]:
    """Build ``engine``'s index of ``docs`` at ``path`` (created here); return the
    seconds, the peak RSS before and after (MB) and the index's size in bytes."""
    path.mkdir(parents=True)
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    engine.build(path, docs, fields)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
        "index_bytes": dir_size(path),
    }


def measure_search(engine: Engine, path: Path, fields: Sequence[Field], queries: Sequence[str],
                   top: int) -> dict[str, Any]:
    """Run the queries once to warm up, then once timed; return the document count, each
    query's latency (seconds) and the ids of its hits."""
    latencies, hits = [], []
    with engine.searcher(path, fields, top) as search:
        for text in queries:
            search(text)
        for text in queries:
            start = time.perf_counter()
            ids = search(text)
            latencies.append(time.perf_counter() - start)
            hits.append(ids)
    return {"doc_count": engine.count(path), "latencies": latencies, "hits": hits}


def run_child(command: Sequence[str], spec: Mapping[str, Any], workdir: Path, *,
              quiet: bool = False) -> dict[str, Any] | None:
    """Run ``command SPEC`` in a fresh process and return the JSON result it wrote.

    ``spec`` names the ``engine`` and the ``phase``; it is written to a file in
    ``workdir`` with the path of the result file added under ``result``. The child's
    output goes to this process's, or, when ``quiet``, only its stderr and only when it
    fails. Returns None (after saying why on stderr) when the child fails or writes no
    result.
    """
    name = f"{spec['engine']}-{spec['phase']}"
    spec_file = workdir / f"{name}.spec.json"
    result_file = workdir / f"{name}.result.json"
    spec_file.write_text(json.dumps({**spec, "result": str(result_file)}), encoding="utf-8")
    output = subprocess.PIPE if quiet else None
    completed = subprocess.run([*command, str(spec_file)], check=False, stdout=output,
                               stderr=output, text=True)
    if completed.returncode != 0 or not result_file.exists():
        if quiet and completed.stderr:
            sys.stderr.write(completed.stderr)
        print(f"{name} failed with exit status {completed.returncode}", file=sys.stderr,
              flush=True)
        return None
    return dict(json.loads(result_file.read_text(encoding="utf-8")))


def child_main(spec_file: Path, phases: Mapping[str, Phase]) -> int:
    """The child's side of ``run_child``: run the phase its spec names and write the
    result as JSON where the spec says (``result``). Returns the exit status, 0."""
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    result = phases[spec["phase"]](spec)
    Path(spec["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0
