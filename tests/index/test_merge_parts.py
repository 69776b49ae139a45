"""Merges shared with helper processes: the terms cut into pieces, all handed over (the
last first); the merge takes them from the first, each straight into the segment while no
helper has started it, and appends the parts helpers wrote for the rest. The merged
segment is the same, byte for byte, as one process writes, wherever they meet."""

from __future__ import annotations

import itertools
import multiprocessing
import random
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

import heron
from heron.errors import CorruptIndexError, WorkerError
from heron.index import _merge as merging
from heron.index._files import Container
from heron.index._format import OWN_FILE, PART_SUFFIX, part_file
from heron.index._manifest import latest_manifest
from heron.index._merge import Helpers, Job, Piece, merge_piece, merge_segments, plan_pieces
from heron.index._parallel import SegmentPool
from heron.index._segment_reader import SegmentReader

from .test_merge import _doc, _schema, _segmented_index


def _readers(path: Path) -> list[SegmentReader]:
    return [SegmentReader(path, e) for e in latest_manifest(path).segments]


class _Recorder:
    """Helpers that run :func:`merge_piece` (the function a writer's workers run) on an
    executor, recording the pieces handed over and which ran there."""

    def __init__(self, index: Path, executor: Executor, budget: int | None) -> None:
        self.index, self.executor, self.budget = index, executor, budget
        self.handed: list[Piece] = []
        self.ran: list[str] = []

    def start(self, piece: Piece, part: Path) -> Job:
        self.handed.append(piece)
        entries = list(latest_manifest(self.index).segments)
        future: Future[None] = self.executor.submit(
            merge_piece, str(self.index), entries, _schema().to_json(), piece=piece,
            part=str(part), budget=self.budget)
        future.add_done_callback(lambda f: self.ran.append(part.name) if not f.cancelled()
                                 else None)
        return future


def _merge(index: Path, out: Path, budget: int | None, helpers: Helpers | None = None) -> bytes:
    readers = _readers(index)
    with ThreadPoolExecutor(max_workers=1) as executor:
        merge_segments(readers, _schema(), out, executor, budget=budget, helpers=helpers)
    for seg in readers:
        seg.close()
    return out.read_bytes()


def _no_parts(directory: Path) -> None:
    assert not [p.name for p in directory.iterdir() if PART_SUFFIX in p.name]


@pytest.mark.parametrize("budget", [None, 900])
@pytest.mark.parametrize("count", [1, 3])
def test_a_helped_merge_writes_the_same_bytes(tmp_path: Path, budget: int | None,
                                              count: int) -> None:
    ix = _segmented_index(tmp_path / "ix")
    alone = _merge(ix.path, tmp_path / "alone.hsg", budget)
    with ThreadPoolExecutor(max_workers=count) as executor:
        helpers = _Recorder(ix.path, executor, budget)
        helped = _merge(ix.path, tmp_path / "helped.hsg", budget,
                        Helpers(count, helpers.start, least=0))
    assert helped == alone
    fields = {p.field for p in helpers.handed}
    assert {"id", "title", "body", "tags"} <= fields  # every indexed field went as pieces
    assert len(helpers.handed) > len(fields)  # the largest were cut
    _no_parts(tmp_path)


def test_pieces_no_helper_started_are_written_by_the_merge(tmp_path: Path) -> None:
    """A helper that never gets to its queue: the merge takes every piece back."""
    ix = _segmented_index(tmp_path / "ix")
    alone = _merge(ix.path, tmp_path / "alone.hsg", None)
    executor = ThreadPoolExecutor(max_workers=1)
    gate = threading.Event()  # the helper's one thread waits on it: nothing starts
    executor.submit(gate.wait)
    helpers = _Recorder(ix.path, executor, None)
    try:
        helped = _merge(ix.path, tmp_path / "helped.hsg", None,
                        Helpers(1, helpers.start, least=0))
    finally:
        gate.set()
        executor.shutdown()
    assert helped == alone
    assert helpers.handed
    assert not helpers.ran
    _no_parts(tmp_path)


class _Started:
    """A job a helper ran at once (it cannot be withdrawn), or one it never starts."""

    def __init__(self, run: Callable[[], None] | None) -> None:
        if run is not None:
            run()
        self.ran = run is not None

    def cancel(self) -> bool:
        return not self.ran

    def result(self) -> None:
        assert self.ran, "the merge waited for a piece no helper started"


def test_the_merge_and_its_helpers_meet_anywhere(tmp_path: Path) -> None:
    """Helpers that took the last ``k`` pieces (none, some: in a field or between fields,
    all): the merge does the others itself; the bytes are the same whatever ``k``."""
    ix = _segmented_index(tmp_path / "ix")
    alone = _merge(ix.path, tmp_path / "alone.hsg", 20_000)
    entries = list(latest_manifest(ix.path).segments)
    readers = _readers(ix.path)
    total = len(plan_pieces(readers, _schema(), 2, 0))
    for seg in readers:
        seg.close()
    assert total > 4
    for k in sorted({*range(0, total, 3), 1, total - 1, total}):  # every third, and the ends
        handed: list[Piece] = []

        def start(piece: Piece, part: Path, k: int = k, handed: list[Piece] = handed) -> Job:
            handed.append(piece)
            if len(handed) > k:
                return _Started(None)
            return _Started(lambda: merge_piece(str(ix.path), entries, _schema().to_json(),
                                                piece=piece, part=str(part), budget=20_000))

        helped = _merge(ix.path, tmp_path / f"helped{k}.hsg", 20_000, Helpers(1, start, least=0))
        assert helped == alone, k
        assert len(handed) == total
    _no_parts(tmp_path)


def test_worker_processes_help_a_merge(tmp_path: Path) -> None:
    """Pieces merged in spawned processes (as a writer's workers are)."""
    ix = _segmented_index(tmp_path / "ix")
    alone = _merge(ix.path, tmp_path / "alone.hsg", 20_000)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as executor:
        helpers = _Recorder(ix.path, executor, 20_000)
        helped = _merge(ix.path, tmp_path / "helped.hsg", 20_000,
                        Helpers(2, helpers.start, least=0))
    assert helped == alone
    assert helpers.ran
    _no_parts(tmp_path)


def test_a_small_merge_is_not_helped(tmp_path: Path) -> None:
    ix = _segmented_index(tmp_path / "ix", docs=40)
    with ThreadPoolExecutor(max_workers=1) as executor:
        helpers = _Recorder(ix.path, executor, None)
        _merge(ix.path, tmp_path / "out.hsg", None, Helpers(1, helpers.start))
    assert not helpers.handed  # under HELPED_LEAST: handing over would cost more


def test_pieces_cover_every_term_once_in_order(tmp_path: Path) -> None:
    ix = _segmented_index(tmp_path / "ix")
    readers = _readers(ix.path)
    pieces = plan_pieces(readers, _schema(), 3, 0)
    for seg in readers:
        for name in _schema().names():
            mine = [p for p in pieces if p.field == name]
            lo, hi = seg.terms.field_range(name)
            if not mine:
                assert lo == hi or not _schema()[name].indexed
                continue
            ranges = [p.bounds(seg) for p in mine]
            assert ranges[0][0] == lo
            assert ranges[-1][1] == hi
            assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
            assert all(a <= b for a, b in ranges)
    assert plan_pieces(readers, _schema(), 1, 0) == []  # one process: nothing to share
    for seg in readers:
        seg.close()


class _Failing:
    """Helpers whose pieces are merged for real, then reported failed (or damaged)."""

    def __init__(self, index: Path, executor: Executor, damage: bool) -> None:
        self.inner = _Recorder(index, executor, None)
        self.damage = damage

    def start(self, piece: Piece, part: Path) -> Job:
        job = self.inner.start(piece, part)
        return _Outcome(job, part, self.damage)


class _Outcome:
    def __init__(self, job: Job, part: Path, damage: bool) -> None:
        self.job, self.part, self.damage = job, part, damage

    def cancel(self) -> bool:
        return False  # keep every piece with the helper

    def result(self) -> None:
        self.job.result()
        if not self.damage:
            raise WorkerError("a worker process of the writer died")
        data = bytearray(self.part.read_bytes())
        data[100] ^= 0xFF  # inside the first array
        self.part.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [False, True])
def test_a_failed_piece_fails_the_merge_and_leaves_nothing(tmp_path: Path, damage: bool) -> None:
    ix = _segmented_index(tmp_path / "ix")
    out = tmp_path / "out" / "seg_000099_0a0b0c0d.hsg"
    out.parent.mkdir()
    with ThreadPoolExecutor(max_workers=1) as executor:
        helpers = _Failing(ix.path, executor, damage)
        with pytest.raises(CorruptIndexError if damage else WorkerError):
            _merge(ix.path, out, None, Helpers(1, helpers.start, least=0))
    assert list(out.parent.iterdir()) == []


def test_part_files_are_heron_files(tmp_path: Path) -> None:
    """A writer killed mid-merge leaves parts that the next writer removes."""
    part = part_file(tmp_path / "seg_000012_0a1b2c3d.hsg", 3, 7)
    assert OWN_FILE.match(part.name)
    assert OWN_FILE.match(part.name + ".tmp")
    ix = heron.create_index(tmp_path / "ix", _schema())
    with ix.writer() as w:
        w.add_document(id="a", body="one")
    stray = part_file(ix.path / "seg_000099_0a1b2c3d.hsg", 2, 0)
    stray.write_bytes(b"left by a killed writer")
    with ix.writer() as w:
        w.add_document(id="b", body="two")
    assert not stray.exists()


def test_a_part_read_back_is_checked(tmp_path: Path) -> None:
    """A part streams back slice by slice; a damaged byte fails its checksum at the end."""
    ix = _segmented_index(tmp_path / "ix")
    readers = _readers(ix.path)
    piece = plan_pieces(readers, _schema(), 2, 0)[0]
    inputs = merging._Inputs.of(readers, _schema(), None)
    path = tmp_path / "seg_000001_0a0b0c0d_f0p0.hpt"
    merging.write_part(inputs, piece, path)
    with Container(path, merging.PART_MAGIC) as part:
        for name in part.names():
            streamed = [s.copy() for s in part.stream(name, step=64)]
            whole = part.array(name)
            joined = (b"".join(s.tobytes() for s in streamed))
            assert joined == whole.tobytes(), name
        name = max(part.names(), key=lambda n: part.array(n).nbytes)
    data = bytearray(path.read_bytes())
    with Container(path, merging.PART_MAGIC) as part:
        offset = part._toc[name]["offset"]
    data[offset] ^= 1
    path.write_bytes(bytes(data))
    with Container(path, merging.PART_MAGIC) as part, pytest.raises(CorruptIndexError,
                                                                     match="checksum"):
        for _ in part.stream(name):
            pass
    for seg in readers:
        seg.close()


def test_a_writer_with_workers_shares_its_commit_merge(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """procs=2: the commit's merge hands pieces to the worker; the index answers as one
    built by one process."""
    monkeypatch.setattr(merging, "HELPED_LEAST", 0)
    handed: list[str] = []
    original: Callable[..., Helpers] = SegmentPool.helpers

    def spy(self: SegmentPool, *args: object) -> Helpers:
        helpers = original(self, *args)

        def start(piece: Piece, part: Path) -> Job:
            handed.append(piece.field)
            return helpers.start(piece, part)
        return Helpers(helpers.count, start, helpers.least)

    monkeypatch.setattr(SegmentPool, "helpers", spy)
    rng = random.Random(3)
    docs = [_doc(n, rng) for n in range(3000)]
    one = heron.create_index(tmp_path / "one", _schema())
    with one.writer(batch_docs=64) as w:
        w.add_documents(docs)
    two = heron.create_index(tmp_path / "two", _schema())
    with two.writer(procs=2, batch_docs=64) as w:
        w.add_documents(docs)
    assert handed  # the worker got pieces
    assert len(latest_manifest(two.path).segments) == 1
    with one.searcher() as a, two.searcher() as b:
        for text in ("alpha", "w3 w7", "tags:red", "body:w1", "year:[1950 TO 1990]"):
            assert [(h["id"], h.score) for h in a.search(text, limit=50)] == [
                (h["id"], h.score) for h in b.search(text, limit=50)], text
        assert [a.stored_fields(i) for i in range(0, 3000, 97)] == [
            b.stored_fields(i) for i in range(0, 3000, 97)]
    _no_parts(two.path)
