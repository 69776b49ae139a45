"""Container files: round trips and damage detection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from heron.errors import CorruptIndexError
from heron.index._files import Container, file_crc, write_container

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
    assert crc == file_crc(path)
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
