"""The streamed container writer (same bytes as write_container) and page release."""

from __future__ import annotations

import mmap
import sys
from pathlib import Path

import numpy as np
import pytest

from heron.index._files import Container
from heron.index._format import SEGMENT_MAGIC
from heron.index._safeio import file_size_crc
from heron.index._stream import ContainerStream, release_pages, write_container


def _stream(target: Path, bad_dtype: bool) -> None:
    with ContainerStream(target, SEGMENT_MAGIC) as out:
        out.spill("a", np.int64).append(np.arange(10))
        out.put("b", np.arange(3, dtype=np.complex64 if bad_dtype else np.float64))
        if not bad_dtype:
            raise RuntimeError("boom")
        out.finish({})


def test_stream_cleans_up_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "seg_x.hsg"
    with pytest.raises(RuntimeError, match="boom"):
        _stream(target, bad_dtype=False)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="unsupported dtype"):
        _stream(target, bad_dtype=True)  # fails half-way through writing the file
    assert list(tmp_path.iterdir()) == []


def test_stream_writes_what_write_container_writes(tmp_path: Path) -> None:
    arrays = {"a": np.arange(100_000, dtype=np.int64), "b": np.array([[1, 2], [3, 4]], np.int32),
              "c": np.zeros(0, np.uint8), "d": np.array([True, False]),
              "e": np.arange(70_000, dtype=np.uint32)}
    meta = {"format": "x", "n": [1, 2]}
    write_container(tmp_path / "whole", SEGMENT_MAGIC, arrays, meta)
    with ContainerStream(tmp_path / "streamed", SEGMENT_MAGIC) as out:
        a = out.spill("a", np.int64)
        out.put("b", arrays["b"])
        c = out.spill("c", np.uint8)
        out.put("d", arrays["d"])
        e = out.spill("e", np.int64)  # spilled wide, narrowed when written
        for lo in range(0, 100_000, 7_000):
            a.append(arrays["a"][lo : lo + 7_000])
            e.append(arrays["e"][lo : lo + 7_000])
        c.append(np.zeros(0, np.uint8))
        e.final = np.dtype(np.uint32)
        assert (a.max, e.max, c.count) == (99_999, 69_999, 0)
        size, crc = out.finish(meta)
    assert (tmp_path / "whole").read_bytes() == (tmp_path / "streamed").read_bytes()
    # the size and CRC-32 it returns, summed as it wrote, are those of the file written
    assert (size, crc) == file_size_crc(tmp_path / "streamed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["streamed", "whole"]


def _mapped_kib(path: Path) -> int:
    """Resident KiB of this process's mappings of ``path`` (from /proc/self/smaps)."""
    lines = Path("/proc/self/smaps").read_text().splitlines()
    total = 0
    for i, line in enumerate(lines):
        if line.endswith(str(path)):
            rss = next(x for x in lines[i + 1 : i + 10] if x.startswith("Rss:"))
            total += int(rss.split()[1])
    return total


@pytest.mark.skipif(not sys.platform.startswith("linux") or not hasattr(mmap, "MADV_DONTNEED"),
                    reason="reads /proc/self/smaps and needs madvise(MADV_DONTNEED)")
def test_release_pages_gives_back_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "c"
    values = np.arange(4_000_000, dtype=np.int64)  # 32 MB
    write_container(path, SEGMENT_MAGIC, {"v": values}, {})
    arr = Container(path, SEGMENT_MAGIC).array("v")  # verifying reads every page
    assert _mapped_kib(path) > 20_000
    for lo in range(0, len(arr), 500_000):  # read forward, releasing from the start
        assert int(arr[lo : lo + 500_000].sum()) == int(values[lo : lo + 500_000].sum())
        release_pages(arr, 0, lo + 500_000)
    assert _mapped_kib(path) < 1_000
    assert np.array_equal(arr[::1000], values[::1000])  # released pages read back from the file
    release_pages(values)  # not a mapping: left alone
