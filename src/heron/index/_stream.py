"""Writing a container whose arrays arrive in pieces, and releasing mapped pages once read.

A merge produces its arrays a chunk at a time, several of them growing together.
:class:`ContainerStream`
spills each growing array to an anonymous temporary file in the index directory (it has
no name, so nothing is left behind even after a crash), then copies the spills one after
another into the container, narrowing each to its final dtype and computing its CRC-32
on the way. :func:`write_container` writes a container of whole arrays the same way.
Memory stays at one copy buffer whatever the arrays' sizes.

Pages of a memory-mapped file count in a process's resident set once touched;
:func:`release_pages` gives back those of an array range a merge has consumed.
"""

from __future__ import annotations

import json
import mmap
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from heron.index._format import (
    CONTAINER_ALIGN as _ALIGN,
)
from heron.index._format import (
    CONTAINER_DTYPES as _DTYPES,
)
from heron.index._format import (
    CONTAINER_HEADER as _HEADER,
)
from heron.index._format import (
    CONTAINER_TAIL as _TAIL,
)
from heron.index._format import (
    CONTAINER_VERSION,
    temporary,
)
from heron.index._safeio import crc32_combine, create_new

#: bytes copied at a time from a spill file into the container
COPY_BYTES = 1 << 20
#: another writer's arrays by name, each given in slices (:meth:`Container.stream` of a
#: merge's part), for :meth:`SpilledArray.extend` and its users
SliceReader = Callable[[str], Iterable[npt.NDArray[Any]]]
_PAGE = mmap.PAGESIZE


class SpilledArray:
    """A one-dimensional array written in pieces to an anonymous temporary file."""

    def __init__(self, name: str, dtype: npt.DTypeLike, directory: Path,
                 narrow: npt.DTypeLike | None = None) -> None:
        self.name = name
        self.dtype = np.dtype(dtype)
        #: the dtype written to the container (narrowed by the caller once the values are known)
        self.final = self.dtype
        #: a narrower integer dtype written instead of ``final`` if every value fits it
        self.narrow = None if narrow is None else np.dtype(narrow)
        self.count = 0
        #: the largest and smallest values appended (0 when empty), to choose a narrower dtype
        self.max = 0
        self.min = 0
        # closed by close(): the spill outlives any with block
        self._file: IO[bytes] | None = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115

    def append(self, piece: npt.ArrayLike) -> None:
        """Append values at the end of the array (converted to its dtype a slice at a time)."""
        values = np.asarray(piece)
        if values.ndim != 1:
            raise ValueError(f"array {self.name!r} takes one-dimensional pieces")
        if self._file is None:
            raise ValueError(f"array {self.name!r} is closed")
        step = max(1, COPY_BYTES // self.dtype.itemsize)
        for lo in range(0, len(values), step):
            arr = np.ascontiguousarray(values[lo : lo + step], dtype=self.dtype)
            if self.dtype.kind in "iu" and arr.size:
                self.max = max(self.max, arr.max().item())
                self.min = min(self.min, arr.min().item())
            self._file.write(arr.data.cast("B"))
            self.count += arr.size

    def extend(self, slices: Iterable[npt.NDArray[Any]], shift: int = 0, *, first: int = 0,
               stop: int | None = None) -> int:
        """Append values ``[first, stop)`` of an array given in slices, each plus ``shift``
        (another writer's offsets, say, moved past this one's); return the array's last
        value as given (0 if it is empty)."""
        last, at = 0, 0
        for values in slices:
            lo = max(first - at, 0)
            hi = len(values) if stop is None else min(stop - at, len(values))
            at += len(values)
            if len(values):
                last = int(values[-1])
            if hi > lo:
                taken = values[lo:hi]
                self.append(taken.astype(np.int64) + shift if shift else taken)
        return last

    def written_dtype(self) -> np.dtype[Any]:
        """The dtype the values are written in: :attr:`narrow` if they all fit it."""
        if self.narrow is not None:
            info = np.iinfo(self.narrow)
            if info.min <= self.min and self.max <= info.max:
                return self.narrow
        return self.final

    def copy_into(self, out: _Summed) -> int:
        """Copy the values, converted to the final dtype, into ``out``; return their CRC-32."""
        if self._file is None:
            raise ValueError(f"array {self.name!r} is closed")
        self._file.flush()
        self._file.seek(0)
        crc = 0
        final = self.written_dtype()
        step = max(1, COPY_BYTES // self.dtype.itemsize) * self.dtype.itemsize
        while chunk := self._file.read(step):
            values = np.frombuffer(chunk, dtype=self.dtype).astype(final, copy=False)
            raw = values.data.cast("B")
            crc = zlib.crc32(raw, crc)
            out.write(raw)
        return crc

    def close(self) -> None:
        """Close (and so delete) the spill file."""
        if self._file is not None:
            self._file.close()
            self._file = None


class _Summed:
    """A file being written, and the size and CRC-32 of what went through :meth:`write`."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.size = 0
        self.crc = 0

    def write(self, data: bytes | memoryview) -> None:
        self._fh.write(data)
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)


class ContainerStream:
    """Writes one container file whose arrays are appended to in pieces.

    Arrays are laid out in the order they are declared (:meth:`spill` for a growing
    array, :meth:`put` for one given whole). :meth:`finish` writes the file through its
    ``.tmp`` name and renames it; :meth:`close` (also on leaving a ``with`` block)
    deletes the spills and, if the file was not finished, the temporary file.
    """

    def __init__(self, path: Path, magic: bytes, *, durable: bool = True) -> None:
        self.path = path
        self._magic = magic
        #: False: the file is not synced to disk (a merge's part, read back at once)
        self._durable = durable
        self._tmp = temporary(path)
        self._arrays: dict[str, SpilledArray | npt.NDArray[Any]] = {}

    def spill(self, name: str, dtype: npt.DTypeLike, narrow: npt.DTypeLike | None = None
              ) -> SpilledArray:
        """Declare a one-dimensional array built by appending; return it to append to.

        ``narrow``: a narrower integer dtype written instead if every value fits it.
        """
        self._check_new(name)
        arr = self._arrays[name] = SpilledArray(name, dtype, self.path.parent, narrow)
        return arr

    def put(self, name: str, values: npt.NDArray[Any]) -> None:
        """Declare an array given whole (small: it is kept in memory until finished)."""
        self._check_new(name)
        self._arrays[name] = values

    def _check_new(self, name: str) -> None:
        if name in self._arrays:
            raise ValueError(f"array {name!r} is declared twice")

    def finish(self, meta: Mapping[str, Any]) -> tuple[int, int]:
        """Write the container and return its (size, crc32 of the whole file)."""
        toc: dict[str, Any] = {}
        with create_new(self._tmp) as fh:
            fh.write(_HEADER.pack(self._magic, CONTAINER_VERSION, 0, 0, 0))
            rest = _Summed(fh)  # all after the header: the file's CRC without reading it back
            offset = _HEADER.size
            for name, item in self._arrays.items():
                pad = -offset % _ALIGN
                rest.write(b"\0" * pad)
                offset += pad
                if isinstance(item, SpilledArray):
                    dtype, shape = _checked_dtype(name, item.written_dtype()), [item.count]
                    crc = item.copy_into(rest)
                    nbytes = item.count * dtype.itemsize
                    item.close()
                else:
                    dtype = _checked_dtype(name, item.dtype)
                    arr = np.ascontiguousarray(item).astype(dtype, copy=False)
                    raw = arr.data.cast("B") if arr.size else memoryview(b"")
                    rest.write(raw)
                    shape, nbytes, crc = list(arr.shape), arr.nbytes, zlib.crc32(raw)
                toc[name] = {"dtype": dtype.str, "shape": shape, "offset": offset,
                             "nbytes": nbytes, "crc32": crc}
                offset += nbytes
            body = json.dumps({"meta": meta, "arrays": toc}, separators=(",", ":")).encode()
            rest.write(body)
            rest.write(_TAIL.pack(offset))
            header = _HEADER.pack(self._magic, CONTAINER_VERSION, len(body), zlib.crc32(body), 0)
            fh.seek(0)
            fh.write(header)
            fh.flush()
            if self._durable:
                os.fsync(fh.fileno())
        os.replace(self._tmp, self.path)
        return len(header) + rest.size, crc32_combine(zlib.crc32(header), rest.crc, rest.size)

    def close(self) -> None:
        """Delete the spill files, and the temporary file if it was not renamed."""
        for item in self._arrays.values():
            if isinstance(item, SpilledArray):
                item.close()
        self._arrays = {}
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> ContainerStream:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def write_container(path: Path, magic: bytes, arrays: Mapping[str, npt.NDArray[Any]],
                    meta: Mapping[str, Any]) -> tuple[int, int]:
    """Write a container of whole arrays once (through a temporary name); return its
    (size, crc32 of the whole file), so a manifest can record them."""
    with ContainerStream(path, magic) as out:
        for name, values in arrays.items():
            out.put(name, values)
        return out.finish(meta)


def _checked_dtype(name: str, dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The little-endian form of ``dtype``, if a container may hold it."""
    little = dtype.newbyteorder("<") if dtype.byteorder == ">" else dtype
    if little.str not in _DTYPES:
        raise ValueError(f"array {name!r} has unsupported dtype {little.str}")
    return little


def _mapping_of(arr: npt.NDArray[Any]) -> mmap.mmap | None:
    """The memory map an array views, if it views one."""
    base: object = arr
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    return base if isinstance(base, mmap.mmap) else None


def release_pages(arr: npt.NDArray[Any], start: int = 0, stop: int | None = None) -> None:
    """Drop from the resident set the pages of ``arr[start:stop]`` if it views a file mapping.

    Only read-only file mappings are released (they read back from the file when next
    touched, so this never loses data); any other array is left alone. The range is
    widened to whole pages. A reader moving forward should release from the start of
    the array, not just the range it last read: the kernel maps pages around each fault
    ("fault-around", 64 KiB), which brings back some already released.
    """
    if arr.ndim != 1 or not arr.size or not arr.flags.c_contiguous:
        return
    mapping = _mapping_of(arr)
    if mapping is None or not hasattr(mmap, "MADV_DONTNEED"):
        return
    stop = len(arr) if stop is None else min(stop, len(arr))
    if stop <= start:
        return
    origin = np.frombuffer(mapping, dtype=np.uint8, count=1).ctypes.data
    first = arr.ctypes.data - origin + start * arr.itemsize
    last = arr.ctypes.data - origin + stop * arr.itemsize
    lo = first - first % _PAGE
    hi = min(last + -last % _PAGE, len(mapping))
    if hi > lo:
        mapping.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
