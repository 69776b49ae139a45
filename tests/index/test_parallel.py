"""The pool of worker processes of writer(procs=N): what it keeps of the chunks it built."""

from __future__ import annotations

import gc
import os
import signal
import weakref
from pathlib import Path
from typing import Any

import pytest

import heron
from heron.index import _parallel
from heron.index._files import Container
from heron.index._format import SEGMENT_MAGIC
from heron.index._parallel import SegmentPool, build_segment


class _Chunk(list[dict[str, Any]]):
    """A chunk of documents that a weak reference can watch."""


def test_pool_lets_go_of_the_documents_of_built_chunks(tmp_path: Path) -> None:
    schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT(stored=True))
    pool = SegmentPool(1, schema, batch_docs=10)
    try:
        watched = []
        for n in range(3):
            chunk = _Chunk(schema.validate({"id": f"d{n}-{i}", "body": f"word{i} text"})
                           for i in range(25))
            pool.submit(tmp_path / f"chunk{n}.hsg", chunk, "numpy")
            watched.append(weakref.ref(chunk))
            del chunk
        results = pool.results()
        pool.wait()
        gc.collect()
        # built chunks are on disk: keeping their documents would hold a bulk load's text
        assert [ref() for ref in watched] == [None, None, None]
        assert [r[0] for r in results] == ["chunk0.hsg", "chunk1.hsg", "chunk2.hsg"]
        assert [r[3] for r in results] == [25, 25, 25]
        for n in range(3):
            assert int(Container(tmp_path / f"chunk{n}.hsg", SEGMENT_MAGIC).meta[
                "doc_count"]) == 25
        assert pool.reclaim() is None  # nothing left to take back
    finally:
        pool.shutdown()


def test_reclaimed_chunks_come_from_the_back_of_the_queue(tmp_path: Path) -> None:
    # the writer takes back unstarted chunks one at a time, the last first, while the
    # workers go on from the front; whichever were started, every chunk is built once
    schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT(stored=True))
    pool = SegmentPool(1, schema, batch_docs=10)
    try:
        for n in range(8):
            pool.submit(tmp_path / f"chunk{n}.hsg",
                        [schema.validate({"id": f"d{n}-{i}", "body": f"word{i} text {n}"})
                         for i in range(40)], "numpy")
        taken = []
        while (item := pool.reclaim()) is not None:
            taken.append(item)
        names = [name for name, _ in taken]
        assert names == sorted(names, reverse=True)  # the back of the queue first
        assert all(len(docs) == 40 and docs[0]["id"] == f"d{name[5]}-0" for name, docs in taken)
        built = [r[0] for r in pool.results()]
        assert sorted(built + names) == [f"chunk{n}.hsg" for n in range(8)]
        assert not names or not built or max(built) < min(names)  # workers: from the front
        for name in built:
            assert int(Container(tmp_path / name, SEGMENT_MAGIC).meta["doc_count"]) == 40
        for name in names:
            assert not (tmp_path / name).exists()
    finally:
        pool.shutdown()


def test_a_worker_keeps_the_vocabularies_of_one_schema_only(tmp_path: Path) -> None:
    """After a schema change the old schema's vocabularies are not kept in the worker."""
    first = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT())
    second = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT(), extra=heron.TEXT())
    for n, schema in enumerate((first, second)):
        build_segment(str(tmp_path / f"s{n}.hsg"), schema.to_json(),
                      [schema.validate({"id": str(n), "body": "wheat corn"})], 10, "numpy")
    assert list(_parallel._CARRIED) == [second.to_json()]
    _parallel._CARRIED.clear()


def test_chunks_in_flight_hold_at_most_what_the_pool_is_given(tmp_path: Path) -> None:
    """Documents on their way to a worker are held by the writer's process: the pool
    counts them until built, and waits for earlier chunks while they hold too much."""
    schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT(stored=True))
    chunks = [[schema.validate({"id": f"d{n}-{i}", "body": f"word{i} text {n} " * 20})
               for i in range(30)] for n in range(4)]
    size = _parallel.held_bytes(chunks[0])
    assert size > 2 * sum(len(d["body"]) for d in chunks[0])
    pool = SegmentPool(1, schema, batch_docs=10, most_held=size)  # one chunk at a time
    try:
        for n, chunk in enumerate(chunks):
            pool.submit(tmp_path / f"chunk{n}.hsg", chunk, "numpy")
            assert pool.held() <= size  # the chunks before it were built first
        assert [r[3] for r in pool.results()] == [30, 30, 30, 30]
        assert pool.held() == 0
    finally:
        pool.shutdown()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_worker_dying_after_chunks_were_taken_back_stops_the_others(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Chunks the writer takes back are claimed, not withdrawn from the pool: a worker that
    dies afterwards breaks the pool cleanly (WorkerError; the other worker is stopped and
    nothing crashes in the pool's thread)."""
    schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT(stored=True))
    pool = SegmentPool(2, schema, batch_docs=50)
    try:
        for n in range(10):
            pool.submit(tmp_path / f"chunk{n}.hsg",
                        [schema.validate({"id": f"d{n}-{i}", "body": f"word{i} text {n} " * 40})
                         for i in range(2000)], "numpy")
        assert pool.reclaim() is not None  # the last chunk, claimed back by the writer
        pids = pool.pids()
        os.kill(pids[0], signal.SIGKILL)
        with pytest.raises(heron.WorkerError, match="died"):
            pool.results()
    finally:
        pool.shutdown()
    assert [p for p in pids if _alive(p)] == []
    assert "InvalidStateError" not in capfd.readouterr().err
