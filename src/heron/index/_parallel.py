"""Building whole segments in worker processes, for writers with ``procs > 1``.

The writer validates every document itself (so a bad one fails at once), then
hands chunks of validated documents to worker processes; each worker analyses its
chunk into a complete segment file and reports its size and checksum. The commit
names the segments like any other; a segment file a worker writes has a name unique
to its writer, so it can never replace a file that a commit names.

Workers die with their writer's process: each watches its parent's sentinel (a pipe
the kernel closes when the parent exits, however it exits) and leaves at once when it
closes, so a killed writer leaves no worker behind. Workers are started with ``spawn``,
so a script that uses ``procs > 1`` must guard its entry point with
``if __name__ == "__main__":``; without the guard heron raises :class:`WorkerError`
saying so.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from heron._kernels import load
from heron.analysis._encoder import TermEncoder
from heron.errors import ArgumentError, SchemaError, WorkerError
from heron.index._manifest import SegmentEntry
from heron.index._merge_fields import MergeInputs, Piece
from heron.index._merge_shared import Helpers, Job, write_part
from heron.index._safeio import claim
from heron.index._segment_reader import SegmentReader
from heron.index._segment_writer import SegmentBuilder
from heron.schema import Schema


@functools.cache
def _schema(text: str) -> Schema:
    """The schema of a JSON text, built once per worker (its analyzers keep their memos)."""
    return Schema.from_json(text)


def _warm_up(schema_json: str) -> None:
    _schema(schema_json)


def _exit_with_parent() -> None:
    """Worker initializer: leave at once when the writer's process is gone."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - workers are always spawned by a parent
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(70)  # the writer died: its work is void, and nothing may be published

    threading.Thread(target=watch, name="heron-parent-watch", daemon=True).start()


_GUARD_HELP = (
    "writer(procs={procs}) starts worker processes with 'spawn', which imports your main "
    "script again in each worker; put the code that creates the writer under "
    "'if __name__ == \"__main__\":' (or use procs=1)"
)


def check_can_start_workers(procs: int) -> None:
    """Refuse to start workers from a spawned child still importing its parent's main
    script (a script without a main guard): it would start workers without end.

    Raises:
        WorkerError: saying how to guard the script.
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise WorkerError("this process is a worker importing the main script: "
                          + _GUARD_HELP.format(procs=procs))


#: a worker's vocabularies (words seen and their terms) go on from chunk to chunk while
#: they take at most this: a word is analysed once a worker, not once a chunk
WORKER_CARRY_BYTES = 48 << 20
#: in a worker process, its last segment's encoders by schema (see ``SegmentBuilder.carry``)
_CARRIED: dict[str, dict[str, TermEncoder]] = {}


def build_segment(path: str, schema_json: str, docs: list[dict[str, Any]], batch_docs: int,
                  kernels: str) -> tuple[int, int, int] | None:
    """Analyse validated documents into a segment file; return (size, crc32, doc count),
    or None if the writer has claimed the chunk back (see :meth:`SegmentPool.reclaim`).
    ``kernels``: the name of those the writer analyses with now."""
    if not claim(Path(path)):
        return None
    schema = _schema(schema_json)
    with ThreadPoolExecutor(max_workers=1) as executor:
        carried = _CARRIED.pop(schema_json, None)
        _CARRIED.clear()  # another schema's (before add_field, say) will not come back
        builder = SegmentBuilder(schema, executor, encoders=carried)
        builder.use(load(kernels))
        for start in range(0, len(docs), batch_docs):
            builder.add(docs[start : start + batch_docs])
        size, crc = builder.write(Path(path))
    carried = builder.carry(WORKER_CARRY_BYTES)
    if carried is not None:
        _CARRIED[schema_json] = carried
    return size, crc, builder.doc_count


#: in a worker (a process, or a thread in tests), the inputs of the merge it helps last:
#: a merge hands it several pieces, and each input array is checked once, not once a piece
_HELPED = threading.local()


def merge_piece(directory: str, entries: list[SegmentEntry], schema_json: str, *,
                piece: Piece, part: str, budget: int | None) -> bool:
    """Merge a piece of the segments ``entries`` (with the writer's ``budget``) into the
    part file ``part`` unless the writer has claimed it first; return whether it did
    (see :mod:`heron.index._merge_shared`)."""
    if not claim(Path(part)):
        return False
    key = (directory, tuple(entries), schema_json, budget)
    if getattr(_HELPED, "key", None) != key:
        _forget_helped()
        segments: list[SegmentReader] = []
        try:
            segments.extend(SegmentReader(Path(directory), entry) for entry in entries)
        except BaseException:
            for seg in segments:
                seg.close()
            raise
        _HELPED.key, _HELPED.inputs = key, MergeInputs.of(segments, _schema(schema_json),
                                                          budget)
    write_part(_HELPED.inputs, piece, Path(part))
    return True


def _forget_helped() -> None:
    """Close the inputs of the merge this worker helped last."""
    inputs = getattr(_HELPED, "inputs", None)
    _HELPED.key = _HELPED.inputs = None
    if inputs is not None:
        for seg in inputs.segments:
            seg.close()


class _PieceJob:
    """A piece of a merge handed to a worker (see :class:`heron.index._merge_shared.Job`)."""

    def __init__(self, future: Future[bool],
                 reported: Callable[[], AbstractContextManager[None]]) -> None:
        self._future = future
        self._reported = reported

    def result(self) -> bool:
        with self._reported():
            return self._future.result()


def _rebuildable(schema: Schema) -> str:
    """The schema as JSON, checked to rebuild into an equal schema in a worker."""
    text = schema.to_json()
    try:
        same = Schema.from_json(text) == schema
    except SchemaError:  # an analysis stage heron does not know
        same = False
    if not same:
        raise ArgumentError("procs > 1 needs a schema whose analyzers heron can rebuild from "
                            "JSON (custom analyzers run only in the writer's own process)")
    return text


def held_bytes(docs: list[dict[str, Any]]) -> int:
    """About what a chunk of documents holds in the writer's process until a worker has
    built it: its text twice (the strings, and their pickled copy on the way to the
    worker) and a dictionary per document."""
    return 2 * sum(len(v) for d in docs for v in d.values() if isinstance(v, str)) + 256 * len(docs)


class SegmentPool:
    """Worker processes building segments, with at most four chunks in flight per worker,
    holding at most ``most_held`` bytes of documents (see :func:`held_bytes`) unless one
    chunk alone holds more."""

    def __init__(self, workers: int, schema: Schema, batch_docs: int,
                 most_held: int = 1 << 62) -> None:
        check_can_start_workers(workers + 1)
        text = _rebuildable(schema)
        self._schema_json = text
        self._batch_docs = batch_docs
        self._workers = workers
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_exit_with_parent)
        self._futures: list[tuple[str, Future[tuple[int, int, int] | None]]] = []
        #: each chunk's file, and those the writer claimed back (see :meth:`reclaim`)
        self._paths: dict[str, Path] = {}
        self._taken: set[str] = set()
        self._merging = False  # the workers have built every chunk and help merges
        #: the documents of each chunk no worker has finished, by file name, for reclaim();
        #: a built chunk's are let go at once (a bulk load's text would pile up otherwise)
        self._chunks: dict[str, list[dict[str, Any]]] = {}
        #: what each chunk holds until a worker has built it (see :func:`held_bytes`)
        self._held: dict[str, int] = {}
        self._most_held = most_held
        # start the workers now, so their start-up overlaps the writer's own work
        self._warm = [self._pool.submit(_warm_up, text) for _ in range(workers)]

    @contextlib.contextmanager
    def _reported(self) -> Iterator[None]:
        """Turn the pool broken by a worker's death into :class:`WorkerError`, saying why."""
        try:
            yield
        except BrokenProcessPool:
            raise self._broken() from None

    def _broken(self) -> WorkerError:
        if self._merging:
            return WorkerError("a worker process of the writer died while merging at commit "
                               "(killed, out of memory?); the last commit is intact")
        return WorkerError("a worker process of the writer died before finishing its segment. "
                           "If your script has no main guard, that is the cause: "
                           + _GUARD_HELP.format(procs=self._workers + 1)
                           + "; otherwise the worker was killed (out of memory?)")

    @staticmethod
    def check_schema(schema: Schema) -> None:
        """Raise :class:`HeronError` if workers cannot rebuild ``schema``."""
        _rebuildable(schema)

    def use_schema(self, schema: Schema) -> None:
        """Build the chunks submitted from now on with ``schema``."""
        self._schema_json = _rebuildable(schema)

    def wait(self) -> None:
        """Wait until every chunk submitted so far is built (raising what a worker raised)."""
        self.results()

    def pids(self) -> list[int]:
        """Process ids of the workers started so far."""
        return sorted(getattr(self._pool, "_processes", None) or ())

    def busy(self) -> bool:
        """Whether every worker has a chunk queued behind the one it builds, or the chunks
        in flight hold as much as a chunk more would allow (a new chunk would wait: the
        writer is better off analysing it itself)."""
        if sum(not f.done() for _, f in self._futures) >= 2 * self._workers:
            return True
        last = self._held.get(self._futures[-1][0], 0) if self._futures else 0
        return self.held() + last > self._most_held  # another such chunk would hold too much

    def held(self) -> int:
        """What the chunks no worker has finished hold in this process, about."""
        return sum(self._held.get(name, 0) for name, f in self._futures if not f.done())

    def submit(self, path: Path, docs: list[dict[str, Any]], kernels: str, *,
               held: int | None = None) -> None:
        """Build a segment from ``docs`` at ``path`` in a worker (waits for a free one, and
        for the chunks before to be built while they hold too much); ``kernels``: the name
        of those to analyse with; ``held``: what the documents hold (see :func:`held_bytes`),
        if the caller has counted it already."""
        size = held_bytes(docs) if held is None else held
        while running := [f for _, f in self._futures if not f.done()]:
            if len(running) < 4 * self._workers and self.held() + size <= self._most_held:
                break
            wait(running, return_when=FIRST_COMPLETED)
        with self._reported():
            future = self._pool.submit(build_segment, str(path), self._schema_json, docs,
                                       self._batch_docs, kernels)
        self._chunks[path.name] = docs
        self._held[path.name] = size
        self._paths[path.name] = path
        self._futures.append((path.name, future))
        future.add_done_callback(functools.partial(self._built, path.name))

    def _built(self, name: str, future: Future[tuple[int, int, int] | None]) -> None:
        if name not in self._taken:  # a chunk claimed back: its documents went to the writer
            self._chunks.pop(name, None)

    def reclaim(self) -> tuple[str, list[dict[str, Any]]] | None:
        """Take back the last chunk no worker has started: its file name and documents
        (None: every chunk is started or built).

        At commit the writer's own process is free, so it builds chunks itself rather
        than wait, one at a time from the back of the queue while the workers take
        theirs from the front (taking them all at once left the workers idle). Whoever
        starts a chunk first claims its file (:func:`heron.index._safeio.claim`): a worker
        finding a chunk claimed skips it. (Withdrawing the chunk's future instead breaks
        Python 3.11's pool if a worker dies later: its other workers are never stopped.)
        """
        for name, _ in reversed(self._futures):
            if name in self._taken:
                continue
            if not claim(self._paths[name]):
                return None  # a worker started it: the workers have started every one before
            self._taken.add(name)
            self._held.pop(name, None)
            return name, self._chunks.pop(name)
        return None

    def results(self) -> list[tuple[str, int, int, int]]:
        """Wait for every chunk; return (file name, size, crc32, doc count) in submission order.

        Raises whatever a worker raised, and :class:`WorkerError` if a worker died.
        """
        built: list[tuple[str, int, int, int]] = []
        with self._reported():
            for warm in self._warm:  # a worker that could not start is an error too
                warm.result()
            for name, future in self._futures:
                got = future.result()
                if name not in self._taken and got is not None:
                    built.append((name, *got))
        for name in self._taken:  # claimed back: every worker has found it claimed now
            self._paths[name].unlink(missing_ok=True)
        return built

    def helpers(self, directory: Path, entries: list[SegmentEntry], budget: int) -> Helpers:
        """The workers, as helpers of a merge of ``entries`` (see
        :class:`heron.index._merge_shared.Helpers`), once they have built every chunk."""
        self._merging = True
        return Helpers(self._workers, functools.partial(self._merge_piece, directory, entries,
                                                        budget))

    def _merge_piece(self, directory: Path, entries: list[SegmentEntry], budget: int,
                     piece: Piece, part: Path) -> Job:
        with self._reported():
            future = self._pool.submit(merge_piece, str(directory), entries, self._schema_json,
                                       piece=piece, part=str(part), budget=budget)
        return _PieceJob(future, self._reported)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the workers (after they finish what they are doing, if ``wait``)."""
        self._pool.shutdown(wait=wait, cancel_futures=True)
