"""Sharded indexing and search (heron.distributed) with 1, 2 and 4 Dask workers, against
one process and one index, on the news collection grown ``--scale`` times.

The grown collection is ``benchmarks/scaling.py``'s (copies with fresh ids and a
quarter of the words renamed per copy, cached under ``benchmarks/.work/scaling/``);
fields id, title and body, stored, as there. MB/s = characters of title and body / 1e6.

Indexing: one ordinary index built by one process streaming the rows (the reference);
the rows routed to ``--shards`` shard files (one pass, timed: the routing split) and
each shard built alone in one process (the per-shard work, timed, which the projection
to more cores uses); then for each ``w`` a sharded index built on a Dask LocalCluster of
``w`` worker processes (one thread each) from ``dask.bag.read_text`` partitions of the
file, which the workers read and split themselves. ``--local`` adds the local process
pool (``client=None, procs=w``, rows routed in this process and sent to the pool).

Queries: ``--queries`` keyword queries of ``scaling.py`` (2-4 title words, OR over title
and body, top 10 with stored ids), each run once to warm up, then timed: on the one
index; on the sharded index in this process (DFS query-then-fetch without transport);
on Dask with ``w`` workers holding the shards as actors. The scatter-gather overhead
per query is the Dask median minus the in-process median; the round trip of an empty
actor call is measured too.

Projection to more cores: indexing as the longest-first schedule of the shard builds
timed alone over ``n`` workers, plus the routing split divided over them (on Dask each
worker splits its own partitions); query latency as the in-process sharded search with
each phase's shard calls (timed one by one) taking the longest shard's time instead of
their sum.

    .venv/bin/python benchmarks/sharded.py [--scale 64] [--shards 4] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from _common import DEFAULT_DATA, use_checkout_heron
from scaling import FIELDS, NEWS_FILE, grown_file, make_queries, read_rows

use_checkout_heron()

import heron  # noqa: E402
import heron.distributed as hd  # noqa: E402
from heron.distributed._sequence import SEQUENCE  # noqa: E402

TOP = 10


def schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                        body=heron.TEXT(stored=True))


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def latencies(search: Callable[[str], Any], queries: Sequence[str]) -> list[float]:
    """Milliseconds of one timed run of each query (after one warm-up run)."""
    times = []
    for q in queries:
        search(q)
        start = time.perf_counter()
        search(q)
        times.append((time.perf_counter() - start) * 1000)
    return times


def lpt(durations: Sequence[float], cores: int) -> float:
    """Wall time of jobs scheduled longest first over ``cores`` workers."""
    loads = [0.0] * cores
    for d in sorted(durations, reverse=True):
        heapq.heapreplace(loads, loads[0] + d)
    return max(loads)


class TimedShard:
    """A local shard whose calls are timed (the per-shard work of a sharded search)."""

    def __init__(self, shard: Any, log: list[tuple[str, int, float]], number: int) -> None:
        self.shard, self.log, self.number = shard, log, number

    def call(self, method: str, *args: Any) -> Any:
        start = time.perf_counter()
        pending = self.shard.call(method, *args)
        self.log.append((method, self.number, time.perf_counter() - start))
        return pending

    def close(self) -> None:
        self.shard.close()


def split_to_files(path: Path, shards: int, work: Path) -> tuple[list[Path], int, float]:
    """Route the rows to one JSON-lines file per shard, numbered in order; (files, rows, MB)."""
    names = [work / f"shard_{i}.jsonl" for i in range(shards)]
    outs = [p.open("w", encoding="utf-8") for p in names]
    count, chars = 0, 0
    ref = schema()
    try:
        for row in read_rows(path):
            chars += len(row["title"]) + len(row["body"])
            row[SEQUENCE] = count
            outs[hd.shard_of(ref, row["id"], shards)].write(json.dumps(row) + "\n")
            count += 1
    finally:
        for out in outs:
            out.close()
    return names, count, chars / 1e6


def build_from(ix: heron.Index, rows: Iterator[dict[str, Any]]) -> None:
    with ix.writer() as w:
        w.add_documents(rows)


def search_fn(searcher: Any) -> Callable[[str], list[str]]:
    def search(q: str) -> list[str]:
        return [h["id"] for h in searcher.search(q, TOP, fields=list(FIELDS))]
    return search


def main() -> None:  # noqa: PLR0915 - one straight script
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--scale", type=int, default=64)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--blocksize", default="32MiB", help="Dask partitions of the file")
    parser.add_argument("--local", action="store_true", help="also the local process pool")
    parser.add_argument("--work", type=Path, default=None, help="where indexes go")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    from dask import bag
    from dask.distributed import Client, LocalCluster

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    path = grown_file(args.data / NEWS_FILE, args.scale)
    queries = make_queries(path)["keyword"][:args.queries]
    work = Path(tempfile.mkdtemp(prefix="heron-sharded-", dir=args.work))
    try:
        start = time.perf_counter()
        files, count, mb = split_to_files(path, args.shards, work)
        t_split = time.perf_counter() - start
        log(f"news x{args.scale}: {count:,} documents, {mb:.1f} MB; {args.shards} shards; "
            f"{os.cpu_count()} cores; heron {heron.__version__}; load "
            f"{os.getloadavg()[0]:.1f}")
        one = heron.create_index(work / "one", schema())
        t_one = timed(lambda: build_from(one, read_rows(path)))
        log(f"one index, one process: {t_one:.1f} s, {mb / t_one:.2f} MB/s")
        alone = hd.create_sharded(work / "alone", schema(), shards=args.shards)
        shard_times = []
        for i, name in enumerate(files):
            ix = heron.open_index(alone.shard_paths[i])
            shard_times.append(timed(lambda ix=ix, name=name: build_from(ix, read_rows(name))))
        log(f"shards built alone: {', '.join(f'{t:.1f}' for t in shard_times)} s "
            f"(sum {sum(shard_times):.1f}); routing split {t_split:.1f} s")
        table = []
        for w in workers:
            t_local = None
            if args.local:
                local = hd.create_sharded(work / f"local{w}", schema(), shards=args.shards)
                t_local = timed(lambda local=local, w=w: local.index(read_rows(path), procs=w))
                log(f"local pool, {w} processes: {t_local:.1f} s")
                shutil.rmtree(work / f"local{w}", ignore_errors=True)
            with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                              dashboard_address=":0") as cluster, Client(cluster) as client:
                sx = hd.create_sharded(work / f"dask{w}", schema(), shards=args.shards)
                data = bag.read_text(str(path), blocksize=args.blocksize).map(json.loads)
                t_dask = timed(lambda sx=sx, data=data, client=client: sx.index(
                    data, client=client, timeout=None))
                assert sx.doc_count() == count
                log(f"Dask, {w} workers: {t_dask:.1f} s, {data.npartitions} partitions")
                with sx.searcher(client=client) as s:
                    dask_ms = statistics.median(latencies(search_fn(s), queries))
                    shard0 = s._shards[0]  # an empty actor call: the transport alone
                    rtt = statistics.median(latencies(
                        lambda q, shard0=shard0: shard0.call("doc_count").result(),
                        queries[:50]))
                log(f"Dask, {w} workers: query median {dask_ms:.2f} ms, empty call {rtt:.2f}")
            table.append((w, t_local, t_dask, dask_ms, rtt))
            if w != workers[0]:
                shutil.rmtree(work / f"dask{w}", ignore_errors=True)
        with one.searcher() as s:
            one_ms = statistics.median(latencies(search_fn(s), queries))
        calls: list[tuple[str, int, float]] = []
        walls, parallel = [], []
        with hd.open_sharded(work / f"dask{workers[0]}").searcher() as s:
            s._shards = [TimedShard(x, calls, i) for i, x in enumerate(s._shards)]
            search = search_fn(s)
            for q in queries:
                search(q)
                del calls[:]
                start = time.perf_counter()
                search(q)
                wall = time.perf_counter() - start
                phases: dict[str, list[float]] = {}
                for method, _, took in calls:
                    phases.setdefault(method, []).append(took)
                walls.append(wall * 1000)
                parallel.append((wall - sum(sum(v) for v in phases.values())
                                 + sum(max(v) for v in phases.values())) * 1000)
        local_ms, parallel_ms = statistics.median(walls), statistics.median(parallel)
        print(f"\nnews x{args.scale}, {count:,} documents, {mb:.1f} MB, {args.shards} shards; "
              f"one index, one process: {t_one:.1f} s, {mb / t_one:.2f} MB/s")
        print("\n| workers | local pool s | MB/s | vs one index | Dask s | MB/s | vs one index |"
              " query median ms (Dask) | overhead ms per query | empty actor call ms |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for w, t_local, t_dask, dask_ms, rtt in table:
            pool = ("| - | - | - " if t_local is None else
                    f"| {t_local:.1f} | {mb / t_local:.2f} | {t_one / t_local:.2f}x ")
            print(f"| {w} {pool}| {t_dask:.1f} | {mb / t_dask:.2f} | {t_one / t_dask:.2f}x | "
                  f"{dask_ms:.2f} | {dask_ms - local_ms:.2f} | {rtt:.2f} |")
        print(f"\nquery median ms: one index {one_ms:.2f}; sharded in this process "
              f"{local_ms:.2f} (DFS statistics, merge and fetch without transport); the same "
              f"with each phase's shard calls run in parallel (simulated) {parallel_ms:.2f}")
        print(f"\nshards built alone: {', '.join(f'{t:.1f}' for t in shard_times)} s; routing "
              f"split {t_split:.1f} s (one process)")
        print("simulated indexing wall time with more cores (longest-first schedule of the "
              "shard builds, plus the routing split spread over the cores):")
        for cores in (1, 2, 4, 8):
            wall = t_split / cores + lpt(shard_times, cores)
            print(f"  {cores} cores: {wall:.1f} s, {mb / wall:.2f} MB/s, "
                  f"{t_one / wall:.2f}x one process")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
