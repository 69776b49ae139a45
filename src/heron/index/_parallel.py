"""Building whole segments in worker processes, for writers with ``procs > 1``.

The writer validates every document itself (so a bad one fails at once), then
hands chunks of validated documents to worker processes; each worker analyses its
chunk into a complete segment file and reports its size and checksum. The commit
names the segments like any other. Workers are started with ``spawn``, so a script
that uses ``procs > 1`` must guard its entry point with ``if __name__ == "__main__"``.
"""

from __future__ import annotations

import functools
import multiprocessing
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from pathlib import Path
from typing import Any

from heron.errors import HeronError
from heron.index._segment_writer import SegmentBuilder
from heron.schema import Schema


@functools.cache
def _schema(text: str) -> Schema:
    """The schema of a JSON text, built once per worker (its analyzers keep their memos)."""
    return Schema.from_json(text)


def _warm_up(schema_json: str) -> None:
    _schema(schema_json)


def build_segment(path: str, schema_json: str, docs: list[dict[str, Any]], batch_docs: int
                  ) -> tuple[int, int, int]:
    """Analyse validated documents into a segment file; return (size, crc32, doc count)."""
    schema = _schema(schema_json)
    with ThreadPoolExecutor(max_workers=1) as executor:
        builder = SegmentBuilder(schema, executor)
        for start in range(0, len(docs), batch_docs):
            builder.add(docs[start : start + batch_docs])
        size, crc = builder.write(Path(path))
    return size, crc, builder.doc_count


class SegmentPool:
    """Worker processes building segments, with at most four chunks in flight per worker."""

    def __init__(self, workers: int, schema: Schema, batch_docs: int) -> None:
        text = schema.to_json()
        if Schema.from_json(text) != schema:
            raise HeronError("procs > 1 needs a schema whose analyzers heron can rebuild from "
                             "JSON (custom analyzers run only in the writer's own process)")
        self._schema_json = text
        self._batch_docs = batch_docs
        self._workers = workers
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        self._futures: list[tuple[str, Future[tuple[int, int, int]], list[dict[str, Any]]]] = []
        # start the workers now, so their start-up overlaps the writer's own work
        self._warm = [self._pool.submit(_warm_up, text) for _ in range(workers)]

    def submit(self, path: Path, docs: list[dict[str, Any]]) -> None:
        """Build a segment from ``docs`` at ``path`` in a worker (waits for a free one)."""
        running = [f for _, f, _ in self._futures if not f.done()]
        if len(running) >= 4 * self._workers:
            wait(running, return_when=FIRST_COMPLETED)
        future = self._pool.submit(build_segment, str(path), self._schema_json, docs,
                                   self._batch_docs)
        self._futures.append((path.name, future, docs))

    def reclaim(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """Take back the chunks no worker has started: (file name, documents) of each.

        At commit the writer's own process is free, so it builds them itself rather than
        wait for a busy worker.
        """
        taken = [(name, docs) for name, future, docs in self._futures if future.cancel()]
        self._futures = [item for item in self._futures if not item[1].cancelled()]
        return taken

    def results(self) -> list[tuple[str, int, int, int]]:
        """Wait for every chunk; return (file name, size, crc32, doc count) in submission order.

        Raises whatever a worker raised.
        """
        return [(name, *future.result()) for name, future, _ in self._futures]

    def shutdown(self) -> None:
        """Stop the workers (after they finish what they are doing)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
