"""Merges shared with helper processes: the terms cut into pieces, all handed over (the
last first); the merge takes them from the first, each straight into the segment while no
helper has claimed it, and appends the parts helpers wrote for the rest. The merged
segment is the same, byte for byte, as one process writes, wherever they meet."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import random
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

import heron
from heron.errors import CorruptIndexError, WorkerError
from heron.index import _merge_shared as shared
from heron.index._files import Container
from heron.index._format import OWN_FILE, PART_MAGIC, PART_SUFFIX, part_file
from heron.index._manifest import latest_manifest
from heron.index._merge import merge_segments
from heron.index._merge_fields import MergeInputs, Piece
from heron.index._merge_shared import Helpers, Job, plan_pieces, write_part
from heron.index._parallel import SegmentPool, merge_piece
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
        future: Future[bool] = self.executor.submit(
            merge_piece, str(self.index), entries, _schema().to_json(), piece=piece,
            part=str(part), budget=self.budget)
        future.add_done_callback(lambda f: self.ran.append(part.name) if f.result() else None)
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


class _Late:
    """A helper that gets to its piece only when asked for the result (the merge has
    claimed it by then, unless it waits for it)."""

    def __init__(self, run: Callable[[], bool]) -> None:
        self.run = run

    def result(self) -> bool:
        return self.run()


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
        merged: list[bool] = []

        def start(piece: Piece, part: Path, k: int = k, handed: list[Piece] = handed,
                  merged: list[bool] = merged) -> Job:
            handed.append(piece)
            def run() -> bool:
                got = merge_piece(str(ix.path), entries, _schema().to_json(), piece=piece,
                                  part=str(part), budget=20_000)
                merged.append(got)
                return got
            if len(handed) > k:
                return _Late(run)
            run()  # at once: the helper claims it first
            return _Late(lambda: False)

        helped = _merge(ix.path, tmp_path / f"helped{k}.hsg", 20_000, Helpers(1, start, least=0))
        assert helped == alone, k
        assert len(handed) == total
        assert merged.count(True) == k  # late helpers found their pieces claimed
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
    """Helpers that claim and merge every piece at once, then report it failed (or leave
    its part damaged)."""

    def __init__(self, index: Path, damage: bool) -> None:
        self.index, self.damage = index, damage

    def start(self, piece: Piece, part: Path) -> Job:
        entries = list(latest_manifest(self.index).segments)
        merge_piece(str(self.index), entries, _schema().to_json(), piece=piece, part=str(part),
                    budget=None)
        return _Outcome(part, self.damage)


class _Outcome:
    def __init__(self, part: Path, damage: bool) -> None:
        self.part, self.damage = part, damage

    def result(self) -> bool:
        if not self.damage:
            raise WorkerError("a worker process of the writer died")
        data = bytearray(self.part.read_bytes())
        data[100] ^= 0xFF  # inside the first array
        self.part.write_bytes(bytes(data))
        return True


@pytest.mark.parametrize("damage", [False, True])
def test_a_failed_piece_fails_the_merge_and_leaves_nothing(tmp_path: Path, damage: bool) -> None:
    ix = _segmented_index(tmp_path / "ix")
    out = tmp_path / "out" / "seg_000099_0a0b0c0d.hsg"
    out.parent.mkdir()
    helpers = _Failing(ix.path, damage)
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
    inputs = MergeInputs.of(readers, _schema(), None)
    path = tmp_path / "seg_000001_0a0b0c0d_f0p0.hpt"
    write_part(inputs, piece, path)
    with Container(path, PART_MAGIC) as part:
        for name in part.names():
            streamed = [s.copy() for s in part.stream(name, step=64)]
            whole = part.array(name)
            joined = (b"".join(s.tobytes() for s in streamed))
            assert joined == whole.tobytes(), name
        name = max(part.names(), key=lambda n: part.array(n).nbytes)
    data = bytearray(path.read_bytes())
    with Container(path, PART_MAGIC) as part:
        offset = part._toc[name]["offset"]
    data[offset] ^= 1
    path.write_bytes(bytes(data))
    with Container(path, PART_MAGIC) as part, pytest.raises(CorruptIndexError,
                                                            match="checksum"):
        for _ in part.stream(name):
            pass
    for seg in readers:
        seg.close()


def test_a_writer_with_workers_shares_its_commit_merge(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """procs=2: the commit's merge hands pieces to the worker; the index answers as one
    built by one process."""
    monkeypatch.setattr(shared, "HELPED_LEAST", 0)
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


_KILL_CHILD = '''
import json, os, random, signal, sys, threading, time
from pathlib import Path
import heron
from heron.index import _merge_shared as shared
from heron.index._merge_shared import SharedMerge

def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False

def main():
    path = Path(sys.argv[1])
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                          body=heron.TEXT(stored=True), tags=heron.KEYWORD(commas=True))
    ix = heron.create_index(path, schema)
    with ix.writer() as w:
        w.add_document(id="first", title="the first commit", body="kept", tags="a")
    shared.HELPED_LEAST = 0
    rng = random.Random(1)
    words = [f"w{i}" for i in range(3000)]
    docs = [{"id": f"d{i}", "title": " ".join(rng.choices(words, k=5)),
             "body": " ".join(rng.choices(words, k=60)), "tags": "x,y"} for i in range(6000)]
    writer = ix.writer(procs=3, batch_docs=200, buffer_mb=0.2)
    pids = []
    original = SharedMerge.merge_field
    fields = []

    def merge_field(self, field, *args):
        fields.append(field)
        if len(fields) == 2:  # the writer has taken the first field's pieces
            pids.extend(writer._pool.pids())
            os.kill(pids[0], signal.SIGKILL)
            while not writer._pool._pool._broken:  # until the pool has seen it die
                time.sleep(0.005)
        return original(self, field, *args)

    SharedMerge.merge_field = merge_field
    writer.add_documents(docs)
    try:
        writer.commit()
        outcome = "committed"
    except heron.HeronError as exc:
        outcome = type(exc).__name__
    print(json.dumps({"outcome": outcome, "killed": bool(pids),
                      "alive": [p for p in pids if alive(p)],
                      "threads": [t.name for t in threading.enumerate()],
                      "files": sorted(p.name for p in path.iterdir())}))

if __name__ == "__main__":
    main()
'''


def test_a_worker_killed_in_a_shared_merge_leaves_nothing_behind(tmp_path: Path) -> None:
    """procs=3, one worker killed mid-merge (after the writer took pieces of a field): the
    commit fails with WorkerError or completes without it; either way no worker survives,
    no part is left, the pool's thread does not crash, and the index is whole."""
    script = tmp_path / "child.py"
    script.write_text(_KILL_CHILD)
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "ix")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr, done.stderr  # no InvalidStateError in the pool's thread
    got = json.loads(done.stdout.splitlines()[-1])
    assert got["killed"]
    assert got["outcome"] in {"WorkerError", "committed"}
    assert got["alive"] == []
    assert got["threads"] == ["MainThread"]
    assert not [f for f in got["files"] if PART_SUFFIX in f or f.endswith(".tmp")]
    ix = heron.open_index(tmp_path / "ix")
    ix.check()
    assert ix.doc_count() in ({1, 6001} if got["outcome"] == "committed" else {1})
