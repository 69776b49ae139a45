"""The writer's compressor: stored blocks compressed by a helper process give the same
bytes as on the thread, and nothing is lost when the helper cannot start or dies."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

import heron
from heron.index import _compressor, _zlib_helper
from heron.index._compressor import Compressor
from heron.index._stored import ZLIB_LEVEL, _compress_all
from heron.index._zlib_helper import group_bytes, read_group, serve


def groups(seed: int, count: int) -> list[list[bytes]]:
    rng = np.random.default_rng(seed)
    words = [b"tunnel", b"gaza", b"wheat", b"\x00\xff", b"{\"id\":1}", b" "]
    return [[b"".join(rng.choice(words, int(rng.integers(0, 800)))) for _ in
             range(int(rng.integers(0, 40)))] for _ in range(count)]


def compressed(blocks: list[bytes]) -> list[bytes]:
    return [zlib.compress(b, ZLIB_LEVEL) for b in blocks]


def test_the_helper_script_answers_each_group_in_order() -> None:
    given = groups(1, 6)
    answer = io.BytesIO()
    serve(ZLIB_LEVEL, io.BytesIO(b"".join(group_bytes(g) for g in given)), answer)
    answer.seek(0)
    got = [read_group(answer) for _ in given]
    assert got == [compressed(g) for g in given]
    assert read_group(answer) is None  # and nothing more


def test_groups_compressed_by_the_helper_equal_those_of_the_thread() -> None:
    compressor = Compressor(helper_after=0)
    try:
        given = groups(2, 30)
        futures = [compressor.submit(_compress_all, g) for g in given]
        assert compressor.helper_pid is not None
        assert [f.result(timeout=60) for f in futures] == [compressed(g) for g in given]
        assert compressor.submit(sum, [1, 2]).result() == 3  # other work: the thread
    finally:
        compressor.shutdown()


def test_the_helper_is_gone_after_shutdown() -> None:
    compressor = Compressor(helper_after=0)
    compressor.submit(_compress_all, [b"x" * 5000]).result(timeout=60)
    helper = compressor._helper
    assert helper is not None
    compressor.shutdown()
    assert helper._process.poll() is not None


def test_a_helper_that_dies_loses_nothing() -> None:
    compressor = Compressor(helper_after=0)
    try:
        given = groups(3, 40)
        first = [compressor.submit(_compress_all, g) for g in given[:20]]
        pid = compressor.helper_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        later = [compressor.submit(_compress_all, g) for g in given[20:]]
        assert [f.result(timeout=60) for f in first + later] == [compressed(g) for g in given]
    finally:
        compressor.shutdown()


def test_a_helper_that_cannot_start_leaves_the_work_to_the_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    compressor = Compressor(helper_after=0)
    try:
        given = groups(4, 5)
        futures = [compressor.submit(_compress_all, g) for g in given]
        assert compressor.helper_pid is None
        assert [f.result(timeout=60) for f in futures] == [compressed(g) for g in given]
    finally:
        compressor.shutdown()


def build(path: Path, docs: list[dict[str, str]]) -> list[str]:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True))
    index = heron.create_index(path, schema)
    with index.writer(batch_docs=50) as writer:
        writer.add_documents(docs)
    return sorted(hashlib.sha256(f.read_bytes()).hexdigest() for f in path.glob("*.hsg"))


def test_an_index_written_with_the_helper_equals_one_written_without(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    words = ["tunnel", "gaza", "wheat", "café", "1,000", "U.S."]
    docs = [{"id": f"d{i}", "body": " ".join(rng.choice(words, int(rng.integers(1, 300))))}
            for i in range(300)]
    monkeypatch.setattr(_compressor, "HELPER_AFTER_BLOCKS", None)
    without = build(tmp_path / "thread", docs)
    monkeypatch.setattr(_compressor, "HELPER_AFTER_BLOCKS", 0)
    assert build(tmp_path / "helper", docs) == without
    with heron.open_index(tmp_path / "helper").searcher() as searcher:
        assert [searcher.stored_fields(n)["body"] for n in range(len(docs))] == [
            d["body"] for d in docs]


def test_a_dropped_writer_stops_its_helper(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_compressor, "HELPER_AFTER_BLOCKS", 0)
    schema = heron.Schema(body=heron.TEXT(stored=True))
    index = heron.create_index(tmp_path / "ix", schema)
    writer = index.writer(batch_docs=10)
    writer.add_documents({"body": f"word{i} " * 200} for i in range(100))
    writer.flush()
    helper = writer._executor._helper  # type: ignore[attr-defined]
    assert helper is not None
    with pytest.warns(ResourceWarning, match="dropped without commit"):
        del writer  # no other reference: its finalizer runs now
    helper._process.wait(timeout=60)  # killed: it does not linger after its writer
    assert helper._process.poll() is not None


def test_an_unexpected_error_in_the_helpers_thread_hangs_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An error other than the pipe's (here MemoryError while a group is packed): that
    group and the later ones are compressed on the writer's side; nothing waits forever."""
    real, calls = _zlib_helper.group_bytes, []

    def failing(blocks: list[bytes]) -> bytes:
        calls.append(1)
        if len(calls) == 2:
            raise MemoryError
        return real(blocks)

    monkeypatch.setattr(_zlib_helper, "group_bytes", failing)
    compressor = Compressor(helper_after=0)
    try:
        given = groups(6, 5)
        futures = [compressor.submit(_compress_all, g) for g in given]
        assert [f.result(timeout=60) for f in futures] == [compressed(g) for g in given]
    finally:
        compressor.shutdown()


def test_shutdown_does_not_wait_for_a_forked_child_holding_the_pipe() -> None:
    """A child forked while the helper runs holds its input open: shutdown still ends."""
    compressor = Compressor(helper_after=0)
    compressor.submit(_compress_all, [b"x" * 5000]).result(timeout=60)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child waits for the parent's word, then leaves
        os.close(write_end)
        os.read(read_end, 1)
        os._exit(0)
    os.close(read_end)
    try:
        done = threading.Event()
        threading.Thread(target=lambda: (compressor.shutdown(), done.set()), daemon=True).start()
        assert done.wait(timeout=60)  # before: until the child left
    finally:
        os.close(write_end)  # the child may go
        os.waitpid(pid, 0)


@pytest.mark.parametrize("executable", [None, ""])
def test_no_python_to_start_leaves_the_work_to_the_thread(
        monkeypatch: pytest.MonkeyPatch, executable: str | None) -> None:
    monkeypatch.setattr(sys, "executable", executable)  # documented: may be None or empty
    compressor = Compressor(helper_after=0)
    try:
        assert compressor.submit(_compress_all, [b"x"]).result(timeout=60) == compressed([b"x"])
        assert compressor.helper_pid is None
    finally:
        compressor.shutdown()


def test_a_compressor_shut_down_takes_no_more_work() -> None:
    compressor = Compressor(helper_after=0)
    compressor.submit(_compress_all, [b"x"]).result(timeout=60)
    compressor.shutdown()
    with pytest.raises(RuntimeError):
        compressor.submit(_compress_all, [b"y"])
