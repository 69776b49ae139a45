"""The write lock: one writer per index, held with an OS file lock that dies with its owner.

The lock file ``write.lock`` holds a JSON description of its holder (process id, host,
time). The lock itself is ``flock`` on that file, which the kernel releases when the
holding process exits or is killed, so a lock left by a dead process is free again
without guessing whether its owner is alive.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import socket
import stat
import time
from pathlib import Path

from heron.errors import CorruptIndexError, LockError, StorageError
from heron.index._format import LOCK_NAME


class WriteLock:
    """An acquired write lock on an index directory; :meth:`release` frees it.

    The lock file is opened without following a symbolic link and must be a regular
    file, so a planted link can never make heron truncate another file.

    Raises:
        LockError: another writer holds the lock (after ``timeout`` seconds, if given).
        CorruptIndexError: ``write.lock`` is a symbolic link or not a regular file.
        StorageError: the lock file could not be created or written (disk full...);
            the lock is not held.
    """

    def __init__(self, directory: Path, timeout: float | None = None) -> None:
        self.path = directory / LOCK_NAME
        self._fd: int | None = None
        fd = self._open(self.path)
        try:
            self._acquire(fd, directory, timeout)
            info = {"pid": os.getpid(), "host": socket.gethostname(),
                    "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            os.ftruncate(fd, 0)
            data = json.dumps(info).encode()
            done = 0
            while done < len(data):  # a write can stop short of a size limit: go on to the error
                done += os.pwrite(fd, data[done:], done)
        except OSError as exc:
            os.close(fd)  # closing the descriptor drops the flock too
            raise StorageError(f"cannot take the write lock of {directory}: {exc}") from exc
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    @staticmethod
    def _open(path: Path) -> int:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                raise CorruptIndexError(f"{path.name} is not a regular file ({exc.strerror}); "
                                        "heron never follows a link for its lock: remove it"
                                        ) from None
            raise StorageError(f"cannot create the write lock {path}: {exc}") from exc
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise CorruptIndexError(f"{path.name} is not a regular file; remove it")
        return fd

    def _acquire(self, fd: int, directory: Path, timeout: float | None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if deadline is None or time.monotonic() >= deadline:
                    holder = self._holder(fd)
                    raise LockError(f"index {directory} is locked by a writer: {holder}") from None
                time.sleep(0.02)

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            info = json.loads(os.pread(fd, 4096, 0) or b"{}")
            return f"process {info['pid']} on {info['host']} since {info['since']}"
        except (ValueError, KeyError, TypeError):
            return "an unknown process"

    @property
    def held(self) -> bool:
        """Whether this lock is still held."""
        return self._fd is not None

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
