"""Write-once container files of named numpy arrays, each with a CRC-32, and atomic writes.

Layout of a container (all integers little-endian)::

    magic      8 bytes   b"HERONSEG" (or another magic given by the caller)
    version    u32       the container format version (1)
    toc_len    u32       length of the table of contents in bytes
    toc_crc    u32       CRC-32 of the table of contents
    reserved   u32       zero
    arrays               each array's raw bytes, starting at a multiple of 64
    toc                  UTF-8 JSON: {"meta": {...}, "arrays": {name: {"dtype", "shape",
                         "offset", "nbytes", "crc32"}}}
    toc_offset u64       where the table of contents starts (the last 8 bytes)

A reader opens the file as a regular file only (:func:`heron.index._safeio.open_regular`),
maps it once, checks the magic, version and table of contents (every entry's dtype, shape
and place), and verifies each array's CRC-32 the first time the array is used, when the
caller's validator (see :meth:`Container.validate_with`) also checks its content.
"""

from __future__ import annotations

import contextlib
import math
import mmap
import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.errors import CorruptIndexError, MissingFileError, SearcherClosedError
from heron.index._format import (
    CONTAINER_DTYPES,
    CONTAINER_HEADER,
    CONTAINER_TAIL,
    CONTAINER_VERSION,
    temporary,
)
from heron.index._safeio import create_new, open_regular, parse_json
from heron.index._safeio import plain_int as _plain_int

_HEADER = CONTAINER_HEADER
_TAIL = CONTAINER_TAIL
_DTYPES = CONTAINER_DTYPES
_ENTRY_KEYS = frozenset({"dtype", "shape", "offset", "nbytes", "crc32"})


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries to disk (so a rename inside it survives a crash)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, fsync and rename."""
    tmp = temporary(path)
    with create_new(tmp) as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


class Container:
    """A container file opened read-only and memory-mapped.

    Raises :class:`CorruptIndexError` for a wrong size, magic, version or table of
    contents when opened, and for a wrong array checksum when that array is first read.
    Its owner calls :meth:`close` to release the file.
    """

    #: set by :meth:`close`; arrays are no longer handed out
    closed = False

    def __init__(self, path: Path, magic: bytes, size: int | None = None) -> None:
        self.path = path
        try:
            fd = open_regular(path)
        except FileNotFoundError:
            raise MissingFileError(f"{path.name}: file is missing") from None
        try:
            actual = os.fstat(fd).st_size
            if size is not None and actual != size:
                raise self._corrupt(f"size is {actual} bytes, the manifest says {size}")
            if actual < _HEADER.size + _TAIL.size:
                raise self._corrupt("file is too short")
            self._map = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        finally:
            os.close(fd)
        got_magic, version, toc_len, toc_crc, _ = _HEADER.unpack_from(self._map, 0)
        if got_magic != magic:
            raise self._corrupt(f"bad magic {got_magic!r}")
        if version != CONTAINER_VERSION:
            raise self._corrupt(f"unknown container version {version}")
        (toc_offset,) = _TAIL.unpack_from(self._map, len(self._map) - _TAIL.size)
        if toc_offset < _HEADER.size or toc_offset + toc_len + _TAIL.size != len(self._map):
            raise self._corrupt("table of contents is out of place")
        body = self._map[toc_offset : toc_offset + toc_len]
        if zlib.crc32(body) != toc_crc:
            raise self._corrupt("table of contents fails its checksum")
        toc = parse_json(body, f"{path.name}: table of contents")
        if not isinstance(toc, dict) or set(toc) != {"meta", "arrays"} or not isinstance(
                toc["meta"], dict) or not isinstance(toc["arrays"], dict):
            raise self._corrupt("table of contents is not valid")
        self.meta: dict[str, Any] = toc["meta"]
        self._toc: dict[str, dict[str, Any]] = {
            name: self._entry(name, entry, toc_offset) for name, entry in toc["arrays"].items()
        }
        self._arrays: dict[str, npt.NDArray[Any]] = {}
        #: checks an array's content when it is first loaded (see :meth:`validate_with`)
        self._validator: Callable[[str, npt.NDArray[Any]], None] | None = None

    def _entry(self, name: str, entry: object, end: int) -> dict[str, Any]:
        """One array's TOC entry, checked: known dtype, shape, place inside the arrays."""
        if not isinstance(entry, dict) or set(entry) != _ENTRY_KEYS:
            raise self._corrupt(f"array {name!r} is badly described")
        dtype, shape = entry["dtype"], entry["shape"]
        offset, nbytes, crc = entry["offset"], entry["nbytes"], entry["crc32"]
        if dtype not in _DTYPES:
            raise self._corrupt(f"array {name!r} declares dtype {dtype!r}")
        if not isinstance(shape, list) or not all(_plain_int(n) and n >= 0 for n in shape):
            raise self._corrupt(f"array {name!r} declares shape {shape!r}")
        if not all(_plain_int(n) for n in (offset, nbytes, crc)) or not 0 <= crc < 1 << 32:
            raise self._corrupt(f"array {name!r} is badly described")
        count = math.prod(shape)
        if count * np.dtype(dtype).itemsize != nbytes or not (
            _HEADER.size <= offset and offset + nbytes <= end
        ):
            raise self._corrupt(f"array {name!r} lies outside the file")
        return {"dtype": dtype, "shape": tuple(shape), "offset": offset, "nbytes": nbytes,
                "crc32": crc}

    def validate_with(self, validator: Callable[[str, npt.NDArray[Any]], None]) -> None:
        """Check each array with ``validator(name, array)`` when it is first loaded.

        The validator raises :class:`CorruptIndexError` for content that breaks the
        file's layout; it may load other arrays of this container.
        """
        self._validator = validator

    def shape(self, name: str) -> tuple[int, ...] | None:
        """The declared shape of an array, or None if the container has no such array."""
        entry = self._toc.get(name)
        return None if entry is None else tuple(entry["shape"])

    def dtype(self, name: str) -> str | None:
        """The declared dtype string of an array, or None if there is no such array."""
        entry = self._toc.get(name)
        return None if entry is None else str(entry["dtype"])

    def _corrupt(self, why: str) -> CorruptIndexError:
        return CorruptIndexError(f"{self.path.name}: {why}")

    def names(self) -> list[str]:
        """Names of the arrays in this container."""
        return list(self._toc)

    def __contains__(self, name: str) -> bool:
        return name in self._toc

    def array(self, name: str) -> npt.NDArray[Any]:
        """Return the named array (a read-only view of the mapping), verified once.

        Raises:
            SearcherClosedError: the container is closed.
        """
        if self.closed:
            raise SearcherClosedError(f"{self.path.name}: the file is closed")
        arr = self._arrays.get(name)
        if arr is None:
            arr = self._arrays[name] = self._load(name)
        return arr

    def _load(self, name: str) -> npt.NDArray[Any]:
        entry = self._toc.get(name)
        if entry is None:
            raise self._corrupt(f"array {name!r} is missing")
        dtype, shape = entry["dtype"], entry["shape"]
        offset, nbytes = entry["offset"], entry["nbytes"]
        with memoryview(self._map) as whole:  # released at once: close() must find no view
            crc = zlib.crc32(whole[offset : offset + nbytes])
        if crc != entry["crc32"]:
            raise self._corrupt(f"array {name!r} fails its checksum")
        count = nbytes // np.dtype(dtype).itemsize
        if count == 0:
            arr = np.empty(shape, dtype=dtype)
        else:
            arr = np.frombuffer(self._map, dtype=dtype, count=count, offset=offset).reshape(shape)
        if self._validator is not None:
            self._validator(name, arr)
        return arr

    def stream(self, name: str, step: int = 1 << 20) -> Iterator[npt.NDArray[Any]]:
        """The one-dimensional array ``name`` about ``step`` bytes at a time, read from the
        file rather than mapped (none of it stays resident in this process).

        Its checksum is checked once all of it is read: what the caller makes of the
        slices is to be discarded if this raises :class:`CorruptIndexError`.
        """
        entry = self._toc.get(name)
        if entry is None:
            raise self._corrupt(f"array {name!r} is missing")
        dtype = np.dtype(entry["dtype"])
        step = max(step - step % dtype.itemsize, dtype.itemsize)
        left, crc = int(entry["nbytes"]), 0
        with self.path.open("rb") as fh:
            fh.seek(entry["offset"])
            while left:
                raw = fh.read(min(step, left))
                if not raw or len(raw) % dtype.itemsize:
                    raise self._corrupt(f"array {name!r} is cut short")
                crc = zlib.crc32(raw, crc)
                left -= len(raw)
                yield np.frombuffer(raw, dtype=dtype)
        if crc != entry["crc32"]:
            raise self._corrupt(f"array {name!r} fails its checksum")

    def verify(self) -> None:
        """Check every array's checksum."""
        for name in self._toc:
            self.array(name)

    def close(self) -> None:
        """Release the file: drop the arrays handed out from it and unmap it (idempotent).

        Arrays are views of the mapping, so the caller drops its own first. If some
        view still exists the mapping cannot be closed yet; it is then freed when the
        last view dies, and nothing reads a closed mapping.
        """
        if self.closed:
            return
        self.closed = True
        self._arrays.clear()
        mapping = self._map
        del self._map  # the container keeps no reference: the last view frees the mapping
        with contextlib.suppress(BufferError):  # a view remains: unmapped when it dies
            mapping.close()

    def __enter__(self) -> Container:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
