"""The sharded index's write lock: one sharded writer (or bulk load) at a time."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from heron import LockError

LOCK_NAME = "sharded.lock"


class ShardedLock:
    """An ``flock`` on ``sharded.lock`` in the sharded index's directory (freed by the
    kernel if its process dies); :meth:`release` frees it.

    Raises:
        LockError: another sharded writer holds it (after ``timeout`` seconds, if given).
    """

    def __init__(self, directory: Path, timeout: float | None = None) -> None:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        self._fd: int | None = os.open(directory / LOCK_NAME, flags, 0o644)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if deadline is None or time.monotonic() >= deadline:
                    os.close(self._fd)
                    self._fd = None
                    raise LockError(f"sharded index {directory} is locked by a writer"
                                    ) from None
                time.sleep(0.02)

    @property
    def held(self) -> bool:
        """Whether this lock is still held."""
        return self._fd is not None

    def release(self) -> None:
        """Free the lock."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
