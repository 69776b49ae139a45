"""Sharded indexes on a Dask LocalCluster of worker processes: the same results as one
index, a worker killed while indexing, and searching with a worker gone."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.distributed.helpers import compare_all, reference, schema, synthetic
from tests.distributed.test_models import assert_equal, variant_rows
from tests.distributed.test_ties import tied_rows

import heron
import heron.distributed as hd
from heron.scoring import BM25F, TFIDF

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install 'heron[distributed]')")
bag = pytest.importorskip("dask.bag", reason="dask is not installed")

#: bound on waiting for a signal from the cluster (a failure guard, never a pause)
PATIENCE = 120.0


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # the scheduler serves HTTP even without a dashboard, on 8787 unless told otherwise,
    # and warns (an error here) when another cluster on the machine holds that port
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as c:
        yield c


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Wait until the watched processes show ``condition`` (fails after PATIENCE)."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


def executing(client: Any) -> dict[str, tuple[int, list[str]]]:
    """Each worker's own word on its process id and the tasks its threads are running
    now (not those only assigned to it, which another worker may still steal)."""
    def report(dask_worker: Any) -> tuple[int, list[str]]:
        return os.getpid(), sorted(str(ts.key) for ts in dask_worker.state.executing)
    found: dict[str, tuple[int, list[str]]] = client.run(report)
    return found


def holding(client: Any) -> dict[tuple[str, int], list[str]]:
    """Each worker's (address, process id) and the keys of the actors it holds."""
    def report(dask_worker: Any) -> tuple[int, list[str]]:
        return os.getpid(), sorted(str(key) for key in dask_worker.state.actors)
    return {(addr, pid): keys for addr, (pid, keys) in client.run(report).items()}


def registered(client: Any) -> set[tuple[str, int]]:
    """The (address, process id) of every worker the scheduler counts (a restarted worker
    may come back at the same address, never as the same process)."""
    def workers(dask_scheduler: Any) -> list[tuple[str, int]]:
        return [(addr, ws.pid) for addr, ws in dask_scheduler.workers.items()]
    return {(addr, pid) for addr, pid in client.run_on_scheduler(workers)}


def test_same_results_as_one_index_on_the_cluster(client: Any, tmp_path: Path) -> None:
    rows = synthetic(300)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=3)
    sx.index(bag.from_sequence(rows, npartitions=4), client=client)
    one = reference(tmp_path / "one", rows)
    assert sx.doc_count() == 300
    assert compare_all(sx, one, client=client) >= 4
    with sx.searcher(client=client) as s:
        hit = s.search("tunnels gaza")[0]
        assert "<b" in hit.highlights("body")
        assert s.document(id="d17") == next(one.searcher().documents(id="d17"))


def test_tied_hits_in_one_index_order_from_partitions(client: Any, tmp_path: Path) -> None:
    """Rows of a Dask bag are numbered in the bag's order (partition by partition)."""
    first, second = tied_rows(90), tied_rows(60, start=70, tag="again")
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=3)
    one = heron.create_index(tmp_path / "one", schema())
    for rows in (first, second):
        sx.index(bag.from_sequence(rows, npartitions=5), client=client)
        with one.writer() as w:
            w.add_documents(rows)
    with sx.writer(client=client) as sw, one.writer() as w:
        sw.update_document(**first[4])
        w.update_document(**first[4])
    with sx.searcher(client=client) as s, one.searcher() as o:
        # (queries whose ranking does not hang on statistics that count deleted documents
        # until a merge, which shards do at other times than one index)
        for q in ["tunnels", "topics:x", "title:heading"]:
            assert [h["id"] for h in s.search(q, limit=None)] == [
                h["id"] for h in o.search(q, limit=None)]
            assert [h["id"] for h in s.search(q, 6, offset=20)] == [
                h["id"] for h in o.search(q, 6, offset=20)]


def open_files(pid: int, under: Path) -> list[str]:
    """Files under ``under`` that process ``pid`` holds open or mapped (from /proc)."""
    found = []
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            found.append(os.readlink(fd))
    found += [line.split()[-1] for line in Path(f"/proc/{pid}/maps").read_text().splitlines()
              if len(line.split()) >= 6]
    return sorted({f for f in found if f.startswith(str(under))})


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux's /proc")
def test_closing_releases_the_actors_and_their_files(client: Any, tmp_path: Path) -> None:
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=4)
    sx.index(synthetic(80), client=client)
    wait_for(lambda: len(client.scheduler_info()["workers"]) == 2, "two workers")
    earlier = {key for keys in holding(client).values() for key in keys}
    with sx.searcher(client=client) as s:
        assert s.search("tunnels").total > 0
        mine = {key for keys in holding(client).values() for key in keys} - earlier
        assert len(mine) == 4
        pids = [pid for _, pid in holding(client)]
        assert any(open_files(pid, sx.path) for pid in pids)  # the shards' files are open
    # closed: no worker holds its actors, nor any file of the shards
    assert not mine & {key for keys in holding(client).values() for key in keys}
    assert all(open_files(pid, sx.path) == [] for pid in pids)
    with pytest.raises(heron.WorkerError, match="closed"):
        s.search("tunnels")


def test_scoring_models_and_expansions_on_the_cluster(client: Any, tmp_path: Path) -> None:
    rows = variant_rows(200)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=3)
    sx.index(bag.from_sequence(rows, npartitions=3), client=client)
    one = reference(tmp_path / "one", rows)
    parser = heron.QueryParser(sx.schema, ["title", "body"], fieldboosts={"title": 2.0})
    for model in (BM25F(), TFIDF()):
        with sx.searcher(client=client, scoring=model) as s, \
                heron.Searcher(one.reader(), model) as o:
            for q in ["zorbel~", "zor* gaza", "tunnels egypt", '"oil prices"']:
                assert_equal(s.search(q, limit=None), o.search(q, limit=None))
                assert_equal(s.search(q, limit=5, parser=parser),
                             o.search(q, limit=5, parser=parser))


def test_writer_on_the_cluster_routes_by_unique_value(client: Any, tmp_path: Path) -> None:
    rows = synthetic(50)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=4)
    sx.index(rows, client=client)
    with sx.writer(client=client) as w:
        w.update_document(id="d17", title="changed", body="new", words=1)
        w.delete_by_term("id", "d18")
    assert sx.doc_count() == 49
    holder = hd.shard_of(sx.schema, "d17", 4)
    for number, path in enumerate(sx.shard_paths):
        with heron.open_index(path).searcher() as s:
            assert (s.document(id="d17") is not None) == (number == holder)
            assert s.document(id="d18") is None


def test_a_killed_worker_leaves_shards_at_their_last_commit(client: Any,
                                                            tmp_path: Path) -> None:
    rows = synthetic(200)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=2)
    sx.index(rows[:100], client=client)
    adopted = sx.manifest()
    # hold shard 1's lock so that its job waits, while shard 0's job commits
    blocker = heron.open_index(sx.shard_paths[1]).writer()
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            sx.index(rows, client=client, timeout=PATIENCE)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    loader = threading.Thread(target=load)
    loader.start()
    shard0 = heron.open_index(sx.shard_paths[0])
    wait_for(lambda: shard0.latest_generation() > adopted.generations[0],
             "shard 0's job to commit")

    # the worker that runs shard 1's job says so itself (its keys are "heron-shard 1-...")
    running: list[tuple[str, int]] = []

    def shard1_running() -> bool:
        running[:] = [(addr, pid) for addr, (pid, keys) in executing(client).items()
                      if any(key.startswith("heron-shard 1-") for key in keys)]
        return bool(running)

    wait_for(shard1_running, "shard 1's job to be running")
    assert len(running) == 1
    assert heron.open_index(sx.shard_paths[1]).latest_generation() == adopted.generations[1]
    victim = running[0]
    assert victim in registered(client)
    os.kill(victim[1], signal.SIGKILL)
    wait_for(lambda: victim not in registered(client), "the scheduler to see the worker die")
    # shard 0 committed, but no sharded commit adopted it: readers see the last one
    assert sx.manifest() == adopted
    assert sx.doc_count() == 100
    with sx.searcher() as s:
        assert s.search("words:[0 TO 100]", limit=None).total == 100
    blocker.cancel()
    loader.join(PATIENCE)
    assert not loader.is_alive()
    if outcome[0] is not None:  # Dask gave up on the job: run it again
        assert isinstance(outcome[0], heron.WorkerError)
        sx.index(rows, client=client)
    assert sx.doc_count() == 200
    with sx.searcher(client=client) as s:
        assert s.search("words:[0 TO 100]", limit=None).total == 200
    wait_for(lambda: len(client.scheduler_info()["workers"]) == 2, "the nanny's new worker")


def test_search_with_a_worker_gone(client: Any, tmp_path: Path) -> None:
    rows = synthetic(120)
    sx = hd.create_sharded(tmp_path / "sharded", schema(), shards=2)
    sx.index(rows, client=client)
    one = reference(tmp_path / "one", rows)
    wait_for(lambda: len(client.scheduler_info()["workers"]) == 2, "two workers")
    earlier = {key for keys in holding(client).values() for key in keys}
    with sx.searcher(client=client) as s:
        whole = s.search("tunnels", limit=None)
        assert whole.total == one.searcher().search("tunnels", limit=None).total
        # each worker says which shard searchers (actors) it holds: this searcher's are
        # the ones that were not there before it opened
        held = {worker: [key for key in keys if key not in earlier]
                for worker, keys in holding(client).items()}
        assert sorted(len(keys) for keys in held.values()) == [1, 1]
        victim = min(held)
        os.kill(victim[1], signal.SIGKILL)
        wait_for(lambda: victim not in registered(client), "the scheduler to see the worker die")
        with pytest.raises(heron.WorkerError, match=r"shard \d .*cannot be reached"):
            s.search("tunnels")
        partial = s.search("tunnels", limit=None, partial=True)
        assert partial.missing_shards
        assert 0 < partial.total < whole.total
        lost = set(partial.missing_shards)
        assert {h["id"] for h in partial} == {
            h["id"] for h in whole if hd.shard_of(sx.schema, h["id"], 2) not in lost}
    wait_for(lambda: len(client.scheduler_info()["workers"]) == 2, "the nanny's new worker")
    with sx.searcher(client=client) as s:  # a new searcher places its shards again
        assert s.search("tunnels", limit=None).total == whole.total
