"""Opening index files safely: regular files only, never blocking, never through a symlink.

Files are written through :func:`create_new`, which never follows a link either.

Every reader of an index file (containers, manifests, whole-file checks) opens it through
:func:`open_regular`, so a FIFO, device, directory or symbolic link put in the place of a
segment, deletion file or manifest is reported as :class:`CorruptIndexError` instead of
blocking a reader forever or reading something outside the index. JSON read from an index
goes through :func:`parse_json`, which turns any nesting too deep for Python into the same
error.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from heron.errors import CorruptIndexError

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(
    os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
#: errno values that say the path is not a plain file (a symlink under O_NOFOLLOW, ...)
_NOT_A_FILE = frozenset({errno.ELOOP, errno.EISDIR, errno.ENOTDIR, errno.ENXIO, errno.EMLINK})
_CHUNK = 1 << 22


def _kind(mode: int) -> str:
    """A word for the kind of file ``mode`` describes."""
    for test, word in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISLNK, "a symbolic link"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return word
    return "not a regular file"


def open_regular(path: Path) -> int:
    """Open ``path`` read-only and return its descriptor, if it is a regular file.

    The path is looked at first (``lstat``), so nothing but a regular file is even opened;
    the open then neither follows a final symbolic link nor waits for a FIFO's writer (if
    the file was swapped meanwhile), and the descriptor is checked again with ``fstat``, so
    what is read is what was checked.

    Raises:
        FileNotFoundError: nothing is at ``path``.
        CorruptIndexError: something other than a regular file is there.
    """
    mode = os.lstat(path).st_mode  # a first look, so a device is not even opened
    if not stat.S_ISREG(mode):
        raise CorruptIndexError(f"{path.name}: is {_kind(mode)}, not a regular file")
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno in _NOT_A_FILE:
            raise CorruptIndexError(f"{path.name}: not a regular file") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise CorruptIndexError(f"{path.name}: is {_kind(mode)}, not a regular file")
        if _FLAGS & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def regular_file(path: Path) -> Iterator[int]:
    """:func:`open_regular` as a context manager that closes the descriptor."""
    fd = open_regular(path)
    try:
        yield fd
    finally:
        os.close(fd)


#: a new file, created exclusively and never through a symbolic link
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
           | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def create_new(path: Path) -> BinaryIO:
    """A new file at ``path`` opened for writing, never through a symbolic link.

    Whatever is at ``path`` (a stale temporary file, or a link planted there) is removed
    first, and the file is then created exclusively without following links, so writing
    can never reach a file outside the index directory.
    """
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return os.fdopen(os.open(path, _CREATE, 0o644), "wb")


def claim(path: Path) -> bool:
    """Create an empty file at ``path`` if nothing is there; return whether this call did.

    Creating is atomic, so of processes racing for a piece of work named by ``path`` one
    alone claims it (never through a symbolic link).
    """
    try:
        os.close(os.open(path, _CREATE, 0o644))
    except FileExistsError:
        return False
    return True


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The whole content of a regular file (see :func:`open_regular`).

    ``limit`` bounds the size accepted; a larger file is :class:`CorruptIndexError`.
    """
    with regular_file(path) as fd:
        size = os.fstat(fd).st_size
        if limit is not None and size > limit:
            raise CorruptIndexError(f"{path.name}: {size} bytes, more than {limit} expected")
        chunks = []
        while chunk := os.read(fd, _CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)


def file_size_crc(path: Path) -> tuple[int, int]:
    """Size and CRC-32 of a whole regular file (see :func:`open_regular`)."""
    crc = size = 0
    with regular_file(path) as fd:
        while chunk := os.read(fd, _CHUNK):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return size, crc


def _gf2_apply(matrix: list[int], vector: int) -> int:
    """A 32x32 matrix over GF(2) (its columns) times a vector (bits of an int)."""
    out = 0
    column = 0
    while vector:
        if vector & 1:
            out ^= matrix[column]
        vector >>= 1
        column += 1
    return out


#: the CRC-32 register after one zero byte, as a linear map of the register before (the
#: map is linear: with no data, a step only shifts and XORs by the polynomial's table)
_ZERO_BYTE = [~zlib.crc32(b"\0", ~(1 << bit) & 0xFFFFFFFF) & 0xFFFFFFFF for bit in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of ``a + b`` from ``crc1`` of ``a``, ``crc2`` of ``b`` and ``len(b)``,
    in O(log len(b)): ``crc1`` run through ``len(b)`` zero bytes (the register's map
    raised to that power by squaring), XOR ``crc2``; zlib's pre- and post-inversions cancel.

    >>> a, b = b"heron ", b"segments"
    >>> crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    True
    """
    power = _ZERO_BYTE
    n = len2
    while n:
        if n & 1:
            crc1 = _gf2_apply(power, crc1)
        n >>= 1
        if n:
            power = [_gf2_apply(power, column) for column in power]
    return (crc1 ^ crc2) & 0xFFFFFFFF


def parse_json(raw: bytes | str, what: str) -> Any:
    """Parse JSON from an index file; anything unreadable is :class:`CorruptIndexError`.

    ``what`` names the file (and part) for the message. Nesting deeper than Python's
    recursion limit is reported the same way, never as ``RecursionError``.
    """
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise CorruptIndexError(f"{what}: not valid JSON") from None


def plain_int(value: object) -> bool:
    """Whether ``value`` is an int and not a bool (JSON ``true`` is no number)."""
    return isinstance(value, int) and not isinstance(value, bool)
