"""Container files: round trips and damage detection."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np
import pytest

from heron.errors import CorruptIndexError, SearcherClosedError
from heron.index._files import Container
from heron.index._stream import write_container

MAGIC = b"TESTFILE"


def _write(path: Path) -> tuple[int, int]:
    arrays = {
        "a": np.arange(1000, dtype=np.uint32),
        "b": np.array([1.5, -2.0], dtype=np.float64),
        "empty": np.zeros(0, dtype=np.int64),
        "flags": np.array([True, False]),
    }
    return write_container(path, MAGIC, arrays, {"hello": "wörld"})


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "c.bin"
    size, crc = _write(path)
    assert size == path.stat().st_size
    assert crc == zlib.crc32(path.read_bytes())
    c = Container(path, MAGIC, size)
    assert c.meta == {"hello": "wörld"}
    assert c.array("a").tolist() == list(range(1000))
    assert c.array("b").tolist() == [1.5, -2.0]
    assert c.array("empty").shape == (0,)
    assert c.array("flags").tolist() == [True, False]
    assert not list(tmp_path.glob("*.tmp"))


def test_wrong_size_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.bin"
    size, _ = _write(path)
    with pytest.raises(CorruptIndexError, match="size"):
        Container(path, MAGIC, size + 1)


def test_wrong_magic(tmp_path: Path) -> None:
    path = tmp_path / "c.bin"
    _write(path)
    with pytest.raises(CorruptIndexError, match="magic"):
        Container(path, b"OTHERMAG")


@pytest.mark.parametrize("where", ["array", "toc", "header", "tail"])
def test_flipped_byte_is_detected(tmp_path: Path, where: str) -> None:
    path = tmp_path / "c.bin"
    _write(path)
    data = bytearray(path.read_bytes())
    offsets = {"array": 200, "toc": len(data) - 40, "header": 3, "tail": len(data) - 3}
    data[offsets[where]] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptIndexError):
        Container(path, MAGIC).verify()


def test_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "c.bin"
    _write(path)
    data = path.read_bytes()
    for cut in (5, len(data) // 2, len(data) - 1):
        path.write_bytes(data[:cut])
        with pytest.raises(CorruptIndexError):
            Container(path, MAGIC).verify()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CorruptIndexError, match="missing"):
        Container(tmp_path / "nope.bin", MAGIC)


def _held(path: Path) -> tuple[int, int]:
    """Descriptors and mappings of ``path`` in this process."""
    target = str(path.resolve())
    fds = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            fds += os.readlink(f"/proc/self/fd/{fd}") == target
        except OSError:
            continue
    with open("/proc/self/maps", encoding="utf-8") as fh:
        maps = sum(line.rstrip("\n").endswith(" " + target) for line in fh)
    return fds, maps


needs_proc = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")


@needs_proc
def test_close_releases_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.bin"
    size, _ = _write(path)
    with Container(path, MAGIC, size) as c:
        assert c.array("a")[5] == 5
        fds, maps = _held(path)
        assert (fds, maps) in ((1, 1), (0, 1))  # a descriptor only if the mapping keeps one
        assert not c.closed
    assert c.closed
    assert _held(path) == (0, 0)
    c.close()  # idempotent
    assert c.meta == {"hello": "wörld"}  # what was read at opening stays
    assert "a" in c
    for call in (lambda: c.array("a"), lambda: c.array("b"), c.verify):
        with pytest.raises(SearcherClosedError, match="closed"):
            call()


@needs_proc
def test_close_while_a_view_lives(tmp_path: Path) -> None:
    path = tmp_path / "c.bin"
    size, _ = _write(path)
    c = Container(path, MAGIC, size)
    view = c.array("a")[10:20]  # a slice is still a view of the mapping
    c.close()  # cannot unmap yet: no crash, and the view stays readable
    assert view.tolist() == list(range(10, 20))
    assert _held(path)[1] == 1
    with pytest.raises(SearcherClosedError):
        c.array("a")
    del view  # the last view frees the mapping
    assert _held(path) == (0, 0)
