"""The writer under faults: dropped writers, the lock file, full disks, unique values, workers.

Failed writes use a real file-size limit (RLIMIT_FSIZE) in a child process; locks are
checked from another process too, since an flock is per open file.
"""

from __future__ import annotations

import contextlib
import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron.index._manifest import latest_manifest

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


def _schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True),
                        n=heron.NUMERIC(stored=True))


def _index(tmp_path: Path, docs: int = 1) -> heron.Index:
    ix = heron.create_index(tmp_path / "ix", _schema())
    with ix.writer() as w:
        w.add_documents({"id": f"a{i}", "body": f"alpha text {i}", "n": i} for i in range(docs))
    return ix


def _files(ix: heron.Index) -> list[str]:
    return sorted(p.name for p in ix.path.iterdir())


def _contents(ix: heron.Index) -> dict[str, str]:
    ix.check()
    with ix.searcher() as s:
        return {d["id"]: d["body"] for d in s.documents()}


def _lock_is_free(ix: heron.Index) -> bool:
    """Whether another process can take the index's lock at once."""
    code = ("import sys, heron\nw = heron.open_index(sys.argv[1]).writer(timeout=0)\n"
            "w.cancel()\nprint('free')")
    proc = subprocess.run([sys.executable, "-c", code, str(ix.path)], capture_output=True,
                          text=True, env=ENV, check=False)
    return proc.stdout.strip() == "free"


# -- a writer dropped without commit or cancel ---------------------------------------

def test_dropped_writer_rolls_back_and_frees_the_lock(tmp_path: Path) -> None:
    ix = _index(tmp_path)
    before = _files(ix)
    w = ix.writer(buffer_mb=0.01)  # small: segments are flushed while adding
    w.add_documents({"id": f"b{i}", "body": "beta text " * 20} for i in range(3000))
    w.delete_by_term("id", "a0")
    assert len(_files(ix)) > len(before)  # flushed segment files exist
    held = [w]
    del w
    with pytest.warns(ResourceWarning, match="dropped without commit"):
        held.clear()  # the last reference: the writer is collected at once
    assert _lock_is_free(ix)
    assert _files(ix) == before  # its files were removed
    assert _contents(ix) == {"a0": "alpha text 0"}


def test_writer_left_by_an_exception_frees_the_lock(tmp_path: Path) -> None:
    ix = _index(tmp_path)

    def load() -> None:
        w = ix.writer()
        w.add_document(id="x", body="text")
        raise RuntimeError("the application failed before commit")

    def run() -> None:
        with contextlib.suppress(RuntimeError):
            load()

    with pytest.warns(ResourceWarning):
        run()  # once the exception is gone, so is the frame that held the writer
    assert _lock_is_free(ix)
    with ix.writer(timeout=0) as w:  # and in this process
        w.add_document(id="y", body="text")
    assert _contents(ix) == {"a0": "alpha text 0", "y": "text"}


def test_closed_writers_leave_no_finalizer_behind(tmp_path: Path) -> None:
    ix = _index(tmp_path)
    for _ in range(3):
        w = ix.writer()
        w.cancel()
        del w
        with ix.writer() as w:
            w.add_document(id="z", body="zeta")
        del w
    gc.collect()  # no ResourceWarning (pytest turns warnings into errors)
    assert _contents(ix)["z"] == "zeta"


# -- the lock file --------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["symlink", "fifo", "directory", "dangling"])
def test_lock_file_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    ix = _index(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    lock = ix.path / "write.lock"
    lock.unlink()
    if kind == "symlink":
        lock.symlink_to(victim)
    elif kind == "dangling":
        lock.symlink_to(tmp_path / "created-through-the-link")
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    with pytest.raises(heron.CorruptIndexError, match=r"write\.lock"):
        ix.writer()
    with pytest.raises(heron.CorruptIndexError, match=r"write\.lock"):
        heron.create_index(ix.path, _schema(), overwrite=True)
    assert victim.read_text() == "precious"
    assert not (tmp_path / "created-through-the-link").exists()
    assert _contents(ix) == {"a0": "alpha text 0"}


CHILD = textwrap.dedent("""
    import resource, signal, sys
    import heron
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)

    def limit(size):
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))

    ix = heron.open_index(sys.argv[1])
    mode = sys.argv[2]
    try:
        if mode == "lock":
            limit(10)  # smaller than the holder's description
            ix.writer()
        elif mode == "add":
            w = ix.writer(buffer_mb=0.05)
            limit(30_000)
            w.add_documents({"id": f"z{i}", "body": "zeta " * 100 + str(i)} for i in range(3000))
        elif mode == "delete":
            w = ix.writer()
            w.delete_by_term("id", "a1")
            limit(40)  # the deletion file cannot be written
            w.commit()
        print("no error")
    except heron.StorageError as exc:
        print("StorageError:", exc)
    limit(hard)
    w = ix.writer(timeout=0)  # the lock was released
    w.cancel()
    print("lock free")
""")


@pytest.mark.parametrize("mode", ["lock", "add", "delete"])
def test_full_disk_raises_storage_error_and_keeps_the_last_commit(tmp_path: Path,
                                                                   mode: str) -> None:
    ix = _index(tmp_path, docs=5)
    before, files = _contents(ix), _files(ix)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(ix.path), mode],
                          capture_output=True, text=True, env=ENV, check=False)
    lines = proc.stdout.splitlines()
    assert lines, proc.stderr
    assert lines[0].startswith("StorageError:"), proc.stdout + proc.stderr
    assert "File too large" in lines[0]
    assert lines[-1] == "lock free", proc.stderr
    assert _contents(ix) == before
    assert _files(ix) == files  # nothing left behind


# -- a unique field holds each value once -----------------------------------------------

def test_adding_an_existing_unique_value_replaces_the_document(tmp_path: Path) -> None:
    ix = _index(tmp_path, docs=0)
    with ix.writer() as w:
        w.add_document(id="a", body="one")
        w.add_document(id="a", body="two")
        w.add_document(id="b", body="bee")
    assert _contents(ix) == {"a": "two", "b": "bee"}
    with ix.writer() as w:  # across commits
        w.add_document(id="a", body="three")
    assert _contents(ix) == {"a": "three", "b": "bee"}
    with ix.searcher() as s:
        assert s.search("one OR two", limit=None).total == 0
        assert s.doc_count() == 2
    with ix.writer() as w:  # interleaved with deletions
        w.add_document(id="a", body="four")
        assert w.delete_by_term("id", "a") == 1  # the buffered one (it had replaced the other)
        w.add_document(id="a", body="five")
        w.add_document(id="b", body="bee two")
        assert w.update_document(id="b", body="bee three") == 1
    assert _contents(ix) == {"a": "five", "b": "bee three"}


def test_unique_values_across_flushes_and_segments(tmp_path: Path) -> None:
    ix = _index(tmp_path, docs=0)
    with ix.writer(buffer_mb=0.01, merge=False) as w:  # many small segments
        w.add_documents({"id": f"k{i % 50}", "body": f"version {i}", "n": i} for i in range(5000))
    # three segments were written; the two wholly replaced ones were dropped at commit
    assert latest_manifest(ix.path).next_segment == 4
    expected = {f"k{i}": f"version {4950 + i}" for i in range(50)}
    assert _contents(ix) == expected
    with ix.searcher() as s:
        assert s.search("version", limit=None).total == 50


def test_unique_numeric_field(tmp_path: Path) -> None:
    schema = heron.Schema(n=heron.NUMERIC(stored=True, unique=True), body=heron.TEXT(stored=True))
    ix = heron.create_index(tmp_path / "ix", schema)
    with ix.writer() as w:
        w.add_document(n=5, body="first")
        w.add_document(n=5, body="second")
    with ix.writer() as w:
        w.add_document(n=5, body="third")
        w.add_document(n=6, body="other")
    with ix.searcher() as s:
        assert sorted((d["n"], d["body"]) for d in s.documents()) == [(5, "third"), (6, "other")]


def test_unique_values_with_worker_processes(tmp_path: Path) -> None:
    ix = _index(tmp_path, docs=0)
    with ix.writer(procs=2, batch_docs=8) as w:
        w.add_documents({"id": f"k{i % 30}", "body": f"version {i}"} for i in range(300))
    assert _contents(ix) == {f"k{i}": f"version {270 + i}" for i in range(30)}


# -- worker processes ---------------------------------------------------------------------

UNGUARDED = textwrap.dedent("""
    import sys
    import heron
    ix = heron.open_index(sys.argv[1])
    w = ix.writer(procs=2)
    w.add_documents({"id": f"w{i}", "body": "text"} for i in range(5000))
    w.commit()
""")


def test_procs_without_main_guard_is_a_clear_heron_error(tmp_path: Path) -> None:
    ix = _index(tmp_path, docs=3)
    script = tmp_path / "load.py"
    script.write_text(UNGUARDED)
    proc = subprocess.run([sys.executable, str(script), str(ix.path)], capture_output=True,
                          text=True, env=ENV, check=False, timeout=300)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("heron.errors.WorkerError"), proc.stderr
    assert 'if __name__ == "__main__":' in last
    assert _contents(ix) == {f"a{i}": f"alpha text {i}" for i in range(3)}
    assert _lock_is_free(ix)


OPS = st.lists(st.tuples(st.sampled_from(["add", "update", "delete", "commit"]),
                         st.integers(0, 5)), max_size=40)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_unique_values_match_a_model(tmp_path_factory: pytest.TempPathFactory,
                                     ops: list[tuple[str, int]]) -> None:
    """Any mix of adds, updates, deletes and commits, through tiny batches and flushes,
    leaves exactly one document per live value: the last one added."""
    ix = _index(tmp_path_factory.mktemp("model"), docs=0)
    model: dict[str, str] = {}
    w = ix.writer(buffer_mb=0.0001, batch_docs=2)
    for n, (op, k) in enumerate(ops):
        key, body = f"k{k}", f"body {n}"
        if op == "add":
            w.add_document(id=key, body=body)
            model[key] = body
        elif op == "update":
            assert w.update_document(id=key, body=body) == (key in model)
            model[key] = body
        elif op == "delete":
            assert w.delete_by_term("id", key) == (key in model)
            model.pop(key, None)
        else:
            w.commit()
            w = ix.writer(buffer_mb=0.0001, batch_docs=2)
    w.commit()
    assert _contents(ix) == model
