"""The index writer: buffers documents into segments and publishes them with a commit."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from heron.errors import HeronError, WriterClosedError
from heron.index._lock import WriteLock
from heron.index._manifest import Manifest, SegmentEntry, manifest_name
from heron.index._parallel import SegmentPool
from heron.index._segment_reader import segment_file
from heron.index._segment_writer import SegmentBuilder
from heron.schema import Schema

#: documents validated before a batch goes through analysis
BATCH_DOCS = 2048
#: batches a worker process gets at a time (with procs > 1)
_CHUNK_BATCHES = 2
_OWN_FILE = re.compile(r"(seg_\d+\.hsg|manifest_\d{8}\.json)(\.tmp)?\Z")


def remove_unreferenced(directory: Path, manifest: Manifest) -> None:
    """Delete index files that the given (newest) commit does not name.

    Only the lock holder calls this. Readers that still map a removed segment keep
    reading it (the file lives until they close it).
    """
    keep = {segment_file(directory, s.name).name for s in manifest.segments}
    keep.add(manifest_name(manifest.generation))
    for path in directory.iterdir():
        if _OWN_FILE.match(path.name) and path.name not in keep:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


class IndexWriter:
    """Adds documents to an index; holds the write lock until commit or cancel.

    Documents are validated when added (a bad one raises :class:`SchemaError` and
    nothing of it is kept), analysed in batches, and flushed into a new segment
    whenever the buffer passes ``buffer_mb``. Nothing is visible to readers until
    :meth:`commit` publishes a new manifest. Used as a context manager it commits
    on a clean exit and cancels on an exception.
    """

    def __init__(self, directory: Path, manifest: Manifest, schema: Schema, lock: WriteLock,
                 *, buffer_mb: float = 256.0, batch_docs: int = BATCH_DOCS, procs: int = 1
                 ) -> None:
        if procs < 1:
            raise HeronError(f"procs must be at least 1, got {procs}")
        self.directory = directory
        self.schema = schema
        self._base = manifest
        self._lock = lock
        self._limit = int(buffer_mb * 1024 * 1024)
        self._batch_docs = max(1, batch_docs)
        self._pending: list[dict[str, Any]] = []
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heron-zlib")
        self._builder = SegmentBuilder(schema, self._executor)
        self._new: list[SegmentEntry] = []
        self._next_segment = manifest.next_segment
        self._procs = procs
        self._pool = SegmentPool(procs - 1, schema, self._batch_docs) if procs > 1 else None
        self._batches = 0
        self._remote: list[dict[str, Any]] = []
        remove_unreferenced(directory, manifest)

    @property
    def closed(self) -> bool:
        """Whether the writer has committed or been cancelled."""
        return not self._lock.held

    def _check_open(self) -> None:
        if self.closed:
            raise WriterClosedError("this writer has already committed or been cancelled")

    def add_document(self, **fields: Any) -> None:
        """Add one document given as field=value arguments."""
        self.add_documents((fields,))

    def add_documents(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Add documents from any iterable of mappings (the fast path); return how many."""
        self._check_open()
        validate = self.schema.validate
        count = 0
        for doc in docs:
            self._pending.append(validate(doc))
            count += 1
            if len(self._pending) >= self._batch_docs:
                self._analyse_pending()
        return count

    def _analyse_pending(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        self._batches += 1
        if self._pool is not None and self._batches % self._procs:
            # this batch goes to a worker process, in chunks of several batches
            self._remote.extend(batch)
            if len(self._remote) >= _CHUNK_BATCHES * self._batch_docs:
                self._submit_remote()
            return
        self._builder.add(batch)
        if self._builder.nbytes + self._builder.vocabulary_bytes() >= self._limit:
            self._flush()

    def _new_name(self) -> str:
        name = f"seg_{self._next_segment:06d}"
        self._next_segment += 1
        return name

    def _submit_remote(self) -> None:
        if self._pool is not None and self._remote:
            docs, self._remote = self._remote, []
            self._pool.submit(segment_file(self.directory, self._new_name()), docs)

    def _flush(self) -> None:
        builder = self._builder
        if builder.doc_count == 0:
            return
        name = self._new_name()
        size, crc = builder.write(segment_file(self.directory, name))
        self._new.append(SegmentEntry(name, size, crc, builder.doc_count))
        self._builder = SegmentBuilder(self.schema, self._executor)

    def commit(self) -> None:
        """Write what is buffered and publish everything added as a new commit."""
        self._check_open()
        try:
            self._analyse_pending()
            self._flush()
            self._submit_remote()
            if self._pool is not None:
                for file_name, size, crc, count in self._pool.results():
                    self._new.append(SegmentEntry(file_name.removesuffix(".hsg"), size, crc,
                                                  count))
            if self._new:
                manifest = self._base.successor(
                    (*self._base.segments, *self._new), self._next_segment
                )
                manifest.write(self.directory)
                remove_unreferenced(self.directory, manifest)
        except BaseException:
            self.cancel()
            raise
        self._close()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        self._executor.shutdown(wait=True)
        self._lock.release()

    def cancel(self) -> None:
        """Drop everything added since the last commit and release the lock."""
        if self.closed:
            return
        self._pending = []
        self._builder = SegmentBuilder(self.schema, self._executor)
        if self._pool is not None:
            self._pool.shutdown()
            for file_name in self._pool.submitted():
                with contextlib.suppress(FileNotFoundError):
                    (self.directory / file_name).unlink()
        self._remote = []
        for entry in self._new:
            with contextlib.suppress(FileNotFoundError):
                segment_file(self.directory, entry.name).unlink()
        self._new = []
        for path in self.directory.glob("*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self._close()

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            if not self.closed:
                self.commit()
        else:
            self.cancel()
