"""The write lock: one writer per index, held with an OS file lock that dies with its owner.

The lock file ``write.lock`` holds a JSON description of its holder (process id, host,
time). The lock itself is ``flock`` on that file, which the kernel releases when the
holding process exits or is killed, so a lock left by a dead process is free again
without guessing whether its owner is alive.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from pathlib import Path

from heron.errors import LockError
from heron.index._format import LOCK_NAME


class WriteLock:
    """An acquired write lock on an index directory; :meth:`release` frees it."""

    def __init__(self, directory: Path, timeout: float | None = None) -> None:
        self.path = directory / LOCK_NAME
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is None or time.monotonic() >= deadline:
                    holder = self._holder(fd)
                    os.close(fd)
                    raise LockError(f"index {directory} is locked by a writer: {holder}") from None
                time.sleep(0.02)
        self._fd: int | None = fd
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)

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
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
