"""Sharded indexing and search (heron.distributed) with 1, 2 and 4 workers, against one
process and one index, on the news collection grown ``--repeats`` times (fresh ids).

Indexing: one ordinary index built by one process (the reference), then a sharded index
of ``--shards`` shards built (a) by a local process pool (``client=None``, ``procs=w``)
from rows in this process and (b) on a Dask LocalCluster of ``w`` worker processes
(one thread each) from a ``dask.bag`` whose partitions the workers read themselves
from chunk files written before timing. MB/s = characters of title and body / 1e6.

Queries: 200 OR queries of two or three title words (fixed seed), top 10 with stored
ids, each run once to warm up, then timed: on the one index; on the sharded index in
this process (DFS query-then-fetch with no transport: the cost of gathering
statistics and merging); on Dask with ``w`` workers holding the shards as actors. The
scatter-gather overhead per query is the Dask median minus the in-process median, and
the round trip of an empty actor call is measured too.

Projection: each shard's build is timed alone in one process, and the wall time with
``n`` cores is simulated as the longest-first schedule of those builds over ``n``
workers plus the measured split and publish time.

    .venv/bin/python benchmarks/sharded.py [--repeats 4] [--shards 4] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import gzip
import heapq
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _common import DEFAULT_DATA, read_jsonl, use_checkout_heron

use_checkout_heron()

import heron  # noqa: E402
import heron.distributed as hd  # noqa: E402

Row = dict[str, Any]


def schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                        body=heron.TEXT(stored=True), topics=heron.KEYWORD(stored=True))


def grown(path: Path, repeats: int) -> list[Row]:
    rows = []
    articles = list(read_jsonl(path))
    for rep in range(repeats):
        rows.extend({"id": f"{rep}-{a['id']}", "title": a.get("title") or "",
                     "body": a.get("body") or "", "topics": list(a.get("topics") or [])}
                    for a in articles)
    return rows


def read_chunk(name: str) -> list[Row]:
    """One partition of the Dask bag: a chunk file (runs on a worker)."""
    with gzip.open(name, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def latencies(search: Callable[[str], Any], queries: Sequence[str]) -> float:
    """Median milliseconds of one timed run of each query (after one warm-up run)."""
    times = []
    for q in queries:
        search(q)
        start = time.perf_counter()
        search(q)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def make_queries(rows: Sequence[Row], count: int, seed: int = 15) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        words = [w for w in rng.choice(rows)["title"].lower().split() if w.isalpha()
                 and len(w) > 3]
        if len(words) >= 2:
            out.append(" ".join(rng.sample(words, min(len(words), rng.choice([2, 3])))))
    return out


def lpt(durations: Sequence[float], cores: int) -> float:
    """Wall time of jobs scheduled longest first over ``cores`` workers."""
    loads = [0.0] * cores
    for d in sorted(durations, reverse=True):
        heapq.heapreplace(loads, loads[0] + d)
    return max(loads)


def main() -> None:  # noqa: PLR0915 - one straight script
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    from dask import bag
    from dask.distributed import Client, LocalCluster

    rows = grown(args.data / "news" / "reuters21578.jsonl.gz", args.repeats)
    mb = sum(len(r["title"]) + len(r["body"]) for r in rows) / 1e6
    queries = make_queries(rows, args.queries)
    print(f"news x{args.repeats}: {len(rows):,} documents, {mb:.1f} MB; {args.shards} shards; "
          f"{os.cpu_count()} cores; heron {heron.__version__}")
    work = Path(tempfile.mkdtemp(prefix="heron-dist-"))
    try:
        chunks = []
        per = -(-len(rows) // (args.shards * 2))
        for i in range(0, len(rows), per):
            name = work / f"chunk_{i // per:03d}.jsonl.gz"
            with gzip.open(name, "wt", encoding="utf-8") as fh:
                fh.writelines(json.dumps(r) + "\n" for r in rows[i:i + per])
            chunks.append(str(name))
        one = heron.create_index(work / "one", schema())

        def build_one() -> None:
            with one.writer() as w:
                w.add_documents(rows)

        t_one = timed(build_one)
        print(f"\nindexing, one index, one process: {t_one:.1f} s, {mb / t_one:.2f} MB/s")
        # each shard alone, one process: the durations to simulate more cores with
        alone = hd.create_sharded(work / "alone", schema(), shards=args.shards)
        start = time.perf_counter()
        groups: list[list[Row]] = [[] for _ in range(args.shards)]
        for r in rows:
            groups[hd.shard_of(alone.schema, r["id"], args.shards)].append(r)
        t_split = time.perf_counter() - start
        shard_times = []
        for i, group in enumerate(groups):
            ix = heron.open_index(alone.shard_paths[i])

            def build(ix: heron.Index = ix, group: list[Row] = group) -> None:
                with ix.writer() as w:
                    w.add_documents(group)

            shard_times.append(timed(build))
        print(f"  shards built alone: {', '.join(f'{t:.1f}' for t in shard_times)} s; "
              f"routing split {t_split:.2f} s")
        table = []
        for w in workers:
            local = hd.create_sharded(work / f"local{w}", schema(), shards=args.shards)
            t_local = timed(lambda local=local, w=w: local.index(rows, procs=w))
            with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                              dashboard_address=":0") as cluster, Client(cluster) as client:
                sx = hd.create_sharded(work / f"dask{w}", schema(), shards=args.shards)
                data = bag.from_sequence(chunks, npartitions=len(chunks)).map_partitions(
                    lambda names: [r for n in names for r in read_chunk(n)])
                t_dask = timed(lambda sx=sx, data=data, client=client: sx.index(data,
                                                                             client=client))
                assert sx.doc_count() == len(rows)
                with sx.searcher(client=client) as s:
                    dask_ms = latencies(lambda q, s=s: [h["id"] for h in s.search(q)], queries)
                    shard0 = s._shards[0]  # an empty actor call: the transport alone
                    rtt = latencies(lambda q, shard0=shard0: shard0.call("doc_count").result(),
                                    queries[:50])
            table.append((w, t_local, t_dask, dask_ms, rtt))
        with one.searcher() as s:
            one_ms = latencies(lambda q: [h["id"] for h in s.search(q)], queries)
        sharded_local = hd.open_sharded(work / f"local{workers[0]}")
        with sharded_local.searcher() as s:
            local_ms = latencies(lambda q: [h["id"] for h in s.search(q)], queries)
        print("\n| workers | local pool s | MB/s | speed-up | Dask s | MB/s | speed-up |"
              " query median ms (Dask) | overhead ms | actor round trip ms |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for w, t_local, t_dask, dask_ms, rtt in table:
            print(f"| {w} | {t_local:.1f} | {mb / t_local:.2f} | {t_one / t_local:.2f}x | "
                  f"{t_dask:.1f} | {mb / t_dask:.2f} | {t_one / t_dask:.2f}x | {dask_ms:.2f} | "
                  f"{dask_ms - local_ms:.2f} | {rtt:.2f} |")
        print(f"\nquery median ms: one index {one_ms:.2f}; sharded in this process "
              f"{local_ms:.2f} (DFS statistics, merge and fetch without transport)")
        print("\nsimulated wall time for more cores (longest-first schedule of the shard "
              "builds measured alone, plus the routing split):")
        for cores in (1, 2, 4, 8):
            wall = t_split + lpt(shard_times, cores)
            print(f"  {cores} cores: {wall:.1f} s, {mb / wall:.2f} MB/s, "
                  f"{t_one / wall:.2f}x one process")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
