"""The writer's background work: compressing stored blocks beside the analysis.

zlib lets go of the GIL while it compresses, but a thread compressing 2 KB blocks must
take the GIL back after every block, and waits for it behind the writer's thread, whose
analysis is Python: on the news grown 4 times the thread spent 1.7 s of CPU in 4.8 s of
compress calls, and the writer waited 0.8 s for it at its flushes. So once a load is
large (:data:`HELPER_AFTER_BLOCKS`), groups of blocks go through a pipe to a helper
process (:mod:`heron.index._zlib_helper`, which imports nothing of heron) that has a GIL
of its own. The bytes are the same either way: the same zlib at the same level.

If the helper cannot start or dies, its groups are compressed on the writer's side
instead: nothing is lost, it is only slower.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from heron.index import _zlib_helper
from heron.index._stored import ZLIB_LEVEL, _compress_all

T = TypeVar("T")

#: blocks compressed on the thread before the helper process starts (about 8 MB of text)
HELPER_AFTER_BLOCKS = 4096
_HELPER = Path(_zlib_helper.__file__)

Group = tuple["Future[list[bytes]]", list[bytes]]


class Compressor(Executor):
    """An executor for the writer's background work (one thread); compressing stored
    blocks (``submit(_compress_all, blocks)``) moves to a helper process once
    ``helper_after`` blocks have been compressed on the thread (None: never; by default
    :data:`HELPER_AFTER_BLOCKS`)."""

    def __init__(self, helper_after: int | None = -1) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heron-zlib")
        self._helper_after = HELPER_AFTER_BLOCKS if helper_after == -1 else helper_after
        self._blocks = 0
        self._helper: _Helper | None = None
        self._closed = False

    @property
    def helper_pid(self) -> int | None:
        """The helper process's id, while one runs."""
        return self._helper.pid if self._helper is not None else None

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if self._closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        if fn is _compress_all and not kwargs and self._helper_after is not None:
            (blocks,) = args
            if self._helper is None and self._blocks >= self._helper_after:
                self._helper = _Helper.start()
                if self._helper is None:
                    self._helper_after = None  # it cannot start here: the thread it is
            self._blocks += len(blocks)
            if self._helper is not None:
                return self._helper.submit(blocks)  # type: ignore[return-value]
        return self._thread.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        if self._helper is not None:
            self._helper.close(wait=wait and not cancel_futures)
        self._thread.shutdown(wait=wait, cancel_futures=cancel_futures)


class _Helper:
    """One helper process and the two threads that feed it and read its answers."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self.pid = process.pid
        self._outgoing: queue.SimpleQueue[Group | None] = queue.SimpleQueue()
        self._sent: queue.SimpleQueue[Group | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._send, name="heron-zlib-send",
                                          daemon=True),
                         threading.Thread(target=self._receive, name="heron-zlib-receive",
                                          daemon=True)]
        for t in self._threads:
            t.start()

    @classmethod
    def start(cls) -> _Helper | None:
        """A running helper, or None if no process can be started here: no Python to run
        (``sys.executable`` may be None or empty) or a frozen application (whose
        executable is the application itself)."""
        if not sys.executable or getattr(sys, "frozen", False):
            return None
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", str(_HELPER), str(ZLIB_LEVEL)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except (OSError, ValueError, TypeError):
            return None
        return cls(process)

    def submit(self, blocks: list[bytes]) -> Future[list[bytes]]:
        future: Future[list[bytes]] = Future()
        self._outgoing.put((future, blocks))
        return future

    def _send(self) -> None:
        pipe = self._process.stdin
        assert pipe is not None
        broken = False
        while (group := self._outgoing.get()) is not None:
            if not broken:
                try:
                    pipe.write(_zlib_helper.group_bytes(group[1]))
                    pipe.flush()
                    self._sent.put(group)
                    continue
                except BaseException:  # the pipe, or anything else: this thread never stops
                    broken = True  # the groups left (this one too) are done here
            _compress_here(group)
        with contextlib.suppress(OSError, ValueError):
            pipe.close()
        self._sent.put(None)

    def _receive(self) -> None:
        pipe = self._process.stdout
        assert pipe is not None
        gone = False
        while (group := self._sent.get()) is not None:
            answer = None
            if not gone:
                try:
                    answer = _zlib_helper.read_group(pipe)
                except BaseException:  # the pipe, or anything else: this thread never stops
                    answer = None
                gone = answer is None or len(answer) != len(group[1])
            if answer is None or gone:
                _compress_here(group)
            elif group[0].set_running_or_notify_cancel():
                group[0].set_result(answer)
        with contextlib.suppress(OSError, ValueError):
            pipe.close()

    def close(self, *, wait: bool) -> None:
        """Finish the groups given (``wait``), or stop the helper at once."""
        if not wait:
            with contextlib.suppress(OSError):
                self._process.kill()
        self._outgoing.put(None)
        if wait:
            for t in self._threads:
                t.join()
        # every answer is in (or the helper was killed): it has nothing left to do, and it
        # may not see the end of its input if a forked child holds the pipe open
        with contextlib.suppress(OSError):
            self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)


def _compress_here(group: Group) -> None:
    future, blocks = group
    if future.set_running_or_notify_cancel():
        try:
            future.set_result(_compress_all(blocks))
        except BaseException as exc:
            future.set_exception(exc)
