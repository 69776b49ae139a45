"""The index writer: buffers documents into segments, records deletions, merges, commits.

Documents are validated when added, analysed in batches and flushed into new segment
files whenever the buffer passes its memory bound. Deletions (``delete_by_term``,
``update_document``, ``delete_by_query`` through the matcher the query layer hands in,
see :mod:`heron.index._matchers`) mark committed documents at once and are replayed at
commit on the documents this writer added before them. A document whose unique field
holds a value that the index or this writer already has replaces the earlier document
(at commit, with no per-document cost when the index is empty). A commit writes deletion
bitmaps, runs the merge policy and publishes everything with one new manifest; until then
readers see nothing of it.
Schema changes (``add_field``, ``remove_field``) are part of the commit too: the buffer is
written under the old schema first, and the manifest records the new one.

Only the storage can make a commit fail (every value was checked when it was added):
then, as for any failed write while adding, the writer is cancelled and raises
:class:`StorageError`, and the last commit stays as it was. A writer dropped without
commit or cancel is rolled back when it is garbage-collected, with a ResourceWarning,
so its lock never outlives it.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from attrs import evolve

from heron._kernels import Kernels, for_writer
from heron.errors import ArgumentError, SchemaError, StorageError, WriterClosedError
from heron.index._cleanup import abandoned, remove_unreferenced
from heron.index._deletions import write_deletions
from heron.index._format import SEGMENT_SUFFIX, segment_file, segment_name, writer_token
from heron.index._lock import WriteLock
from heron.index._manifest import FORMAT_VERSION, Manifest, SegmentEntry
from heron.index._matchers import Matcher, QueryMatcher, term_matcher
from heron.index._merge import choose_merges, merge_segments
from heron.index._parallel import SegmentPool, held_bytes
from heron.index._reader import IndexReader
from heron.index._segment_reader import SegmentReader
from heron.index._segment_writer import SegmentBuilder
from heron.index._unique import UniqueKeys
from heron.schema import FieldType, Schema

#: the default bound of a writer's buffer, in MB
BUFFER_MB = 160.0
#: the default number of documents validated before a batch goes through analysis
BATCH_DOCS = 2048
#: batches a worker process gets at a time (with procs > 1)
_CHUNK_BATCHES = 8
#: a segment's vocabularies (words seen and their terms) go on into the next segment while
#: they take at most this share of the buffer: a word is analysed once, not once a segment
_CARRY_SHARE = 4


class IndexWriter:
    """Adds, updates and deletes documents, changes the schema; holds the write lock
    until commit or cancel.

    ``Index.writer()`` makes one (its arguments and their defaults are there, once). A
    bad document raises :class:`SchemaError` and nothing of it is kept. Nothing is
    visible to readers until :meth:`commit`. Used as a context manager it commits on a
    clean exit and cancels on an exception. ``queries`` is what :meth:`delete_by_query`
    matches queries with (``Index.writer()`` passes the query layer's).
    """

    def __init__(self, directory: Path, manifest: Manifest, schema: Schema, lock: WriteLock,
                 *, buffer_mb: float, batch_docs: int, procs: int, merge: bool,
                 queries: QueryMatcher | None) -> None:
        if procs < 1:
            raise ArgumentError(f"procs must be at least 1, got {procs}")
        if isinstance(batch_docs, bool) or not isinstance(batch_docs, int) or batch_docs < 1:
            raise ArgumentError(f"batch_docs must be an int of at least 1, got {batch_docs!r}")
        self.directory = directory
        self.schema = schema
        self._base = manifest
        self._lock = lock
        self._limit = int(buffer_mb * 1024 * 1024)
        self._batch_docs = batch_docs
        self._queries = queries
        #: the schema this commit records (changed by add_field and remove_field)
        self._recorded: dict[str, Any] = dict(manifest.schema)
        #: fields removed by this writer (their data is in segments until a merge)
        self._removed: set[str] = set()
        self._merge = merge
        self._pending: list[dict[str, Any]] = []
        self._builder_seqs: list[npt.NDArray[np.int64]] = []
        self._new: list[SegmentEntry] = []
        self._new_seqs: dict[str, npt.NDArray[np.int64]] = {}
        self._next_segment = manifest.next_segment
        self._token = writer_token()
        self._remote: list[dict[str, Any]] = []
        self._remote_seqs: list[npt.NDArray[np.int64]] = []
        self._remote_held = 0  # what the documents of _remote hold (see held_bytes)
        # deletions: committed segments are marked at once, new documents at commit
        self._committed = [SegmentReader(directory, e) for e in manifest.segments]
        self._deleted: dict[str, npt.NDArray[np.bool_]] = {}
        self._ops: list[tuple[int, Matcher]] = []
        self._seq = 0  # documents added so far (the next one's sequence number)
        self._unique = schema.unique_field()
        # an ID field's term is its value (unless lower-cased): no analysis needed per document
        unique_type = schema[self._unique] if self._unique is not None else None
        self._unique_is_value = unique_type is not None and unique_type.value_is_term
        #: the unique values of the documents added, and which later ones replaced
        self._keys = UniqueKeys()
        remove_unreferenced(directory, manifest)
        # resources last: nothing above may leave them behind by raising
        # compresses stored blocks beside the analysis (see heron.index._stored)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heron-writer")
        self._builder = SegmentBuilder(schema, self._executor)
        self._pool: SegmentPool | None = None
        self._finalizer = weakref.finalize(self, abandoned, directory, manifest, lock,
                                           self._executor, None)
        if procs > 1:
            # chunks on their way to workers hold documents in this process: at most half
            # the buffer, and what they hold counts with the writer's own documents
            self._pool = SegmentPool(procs - 1, schema, self._batch_docs,
                                     most_held=self._limit // 2)
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, abandoned, directory, manifest, lock,
                                               self._executor, self._pool)

    # -- adding -------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """Whether the writer has committed or been cancelled."""
        return not self._lock.held

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the worker processes started so far (none with ``procs=1``)."""
        return self._pool.pids() if self._pool is not None else []

    def _check_open(self) -> None:
        if self.closed:
            raise WriterClosedError("this writer has already committed or been cancelled")

    def add_document(self, **fields: Any) -> None:
        """Add one document given as field=value arguments."""
        self.add_documents((fields,))

    def add_documents(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Add documents from any iterable of mappings (the fast path); return how many.

        A document whose unique field holds a value already in the index (or added
        earlier by this writer) replaces that document, as :meth:`update_document` does.

        Raises:
            SchemaError: a document does not fit the schema; nothing of it is kept (the
                documents before it are).
            StorageError: a segment could not be written; the writer is cancelled.
        """
        self._check_open()
        validate = self.schema.validate
        count = 0
        with self._storage_guard("adding documents to"):
            for doc in docs:
                self._add_valid(validate(doc))
                count += 1
        return count

    def _unique_key(self, doc: Mapping[str, Any]) -> str | None:
        """The unique field's term of a validated document, or None if it has none."""
        if self._unique is None or self._unique not in doc:
            return None
        value = doc[self._unique]
        if not self._unique_is_value:
            return self.schema.term(self._unique, value)
        return value if value else None  # the empty string is no term

    def _add_valid(self, doc: dict[str, Any], *, count: bool = False) -> int:
        """Buffer a validated document; with ``count``, return how many earlier ones that
        this writer added it replaced (committed ones are found at commit, or counted by
        :meth:`update_document`)."""
        replaced = 0
        key = self._unique_key(doc)
        if key is not None:
            replaced = self._keys.add(key, self._seq, count=count)
        self._pending.append(doc)
        self._seq += 1
        if len(self._pending) >= self._batch_docs:
            self._analyse_pending()
        return replaced

    @contextlib.contextmanager
    def _storage_guard(self, what: str) -> Iterator[None]:
        """Turn a failed write into StorageError, cancelling the writer (nothing half-done
        can be committed after it)."""
        try:
            yield
        except OSError as exc:
            self.cancel()
            raise StorageError(f"{what} {self.directory} failed: {exc}; the writer was "
                               "cancelled and the last commit is intact") from exc

    def update_document(self, **fields: Any) -> int:
        """Replace the documents whose unique field has this document's value, or add it.

        Returns how many documents it replaced.

        Raises:
            SchemaError: the schema has no unique field, the document lacks it, or the
                document does not fit the schema (then nothing is deleted).
        """
        self._check_open()
        if self._unique is None:
            raise SchemaError("update_document needs a field declared unique=True")
        doc = self.schema.validate(fields)
        key = self._unique_key(doc)
        if key is None:
            raise SchemaError(f"update_document needs a value for the unique field "
                              f"{self._unique!r}")
        committed = self._mark_committed(term_matcher(self._unique, key))
        with self._storage_guard("adding a document to"):
            buffered = self._add_valid(doc, count=True)
        # a document this writer added with the value had already replaced committed ones
        return buffered or committed

    def _analyse_pending(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        seqs = np.arange(self._seq - len(batch), self._seq, dtype=np.int64)
        if self._pool is not None and (self._remote or not self._pool.busy()):
            # this batch goes to a worker process, in chunks of several batches; while the
            # workers have enough to do, the writer's process analyses batches itself
            self._remote.extend(batch)
            self._remote_seqs.append(seqs)
            self._remote_held += held_bytes(batch)
            if len(self._remote) >= _CHUNK_BATCHES * self._batch_docs:
                self._submit_remote()
            return
        self._build_here(batch, seqs)

    def _held(self) -> int:
        """What documents bound for workers hold in this process (see ``held_bytes``)."""
        return self._remote_held + (self._pool.held() if self._pool is not None else 0)

    def _kernels(self) -> Kernels:
        """The kernels to analyse with now (see ``heron._kernels.for_writer``)."""
        return for_writer(self._seq, self._limit / (1024 * 1024))

    def _new_name(self) -> str:
        name = segment_name(self._next_segment, self._token)
        self._next_segment += 1
        return name

    def _submit_remote(self) -> None:
        if self._pool is not None and self._remote:
            docs, held, self._remote, self._remote_held = (self._remote, self._remote_held,
                                                           [], 0)
            name = self._new_name()
            self._new_seqs[name] = np.concatenate(self._remote_seqs)
            self._keys.seal(self._new_seqs[name])
            self._remote_seqs = []
            self._pool.submit(segment_file(self.directory, name), docs, self._kernels().name,
                              held=held)

    def _take_back_remote(self) -> None:
        """Build locally what no worker has started yet: the writer is idle at commit."""
        if self._pool is None:
            return
        if self._remote:
            docs, seqs = self._remote, np.concatenate(self._remote_seqs)
            self._remote, self._remote_seqs, self._remote_held = [], [], 0
            self._build_here(docs, seqs)
        while (taken := self._pool.reclaim()) is not None:
            name, docs = taken
            self._build_here(docs, self._new_seqs.pop(name.removesuffix(SEGMENT_SUFFIX)))

    def _build_here(self, docs: list[dict[str, Any]], seqs: npt.NDArray[np.int64]) -> None:
        """Analyse documents in the writer's own process (a batch, or a chunk meant for a
        worker). A segment holds documents added one after another: documents that do not
        follow the builder's last ones start a segment of their own, so that the commit,
        putting segments in the order of their first documents, numbers every document in
        the order it was added (the order equal scores rank in), however batches were
        shared with the workers."""
        if self._builder_seqs and int(self._builder_seqs[-1][-1]) + 1 != int(seqs[0]):
            self._flush()
        kernels = self._kernels()  # compiled analysis once the load is large
        for start in range(0, len(docs), self._batch_docs):
            self._builder.use(kernels)  # a builder started by a flush in this loop too
            self._builder.add(docs[start : start + self._batch_docs])
            self._builder_seqs.append(seqs[start : start + self._batch_docs])
            if self._builder.nbytes + self._builder.vocabulary_bytes() + self._held() >= (
                    self._limit):
                self._flush()

    def _flush(self, *, carry: bool = True) -> None:
        """Write the buffered documents as a segment; the next one goes on with their
        vocabularies (``carry``) while they are small enough."""
        builder = self._builder
        if builder.doc_count == 0:
            if not carry:  # a builder that carried vocabularies over lets them go
                self._builder = SegmentBuilder(self.schema, self._executor)
            return
        name = self._new_name()
        size, crc = builder.write(segment_file(self.directory, name))
        self._new.append(SegmentEntry(name, size, crc, builder.doc_count))
        self._new_seqs[name] = np.concatenate(self._builder_seqs)
        self._keys.seal(self._new_seqs[name])
        self._builder = SegmentBuilder(
            self.schema, self._executor,
            encoders=builder.carry(self._limit // _CARRY_SHARE) if carry else None)
        self._builder_seqs = []

    def flush(self) -> None:
        """Write every buffered document to segment files now, and wait until the worker
        processes have written theirs: the buffer is emptied. Readers see nothing of it
        until :meth:`commit`.

        Raises:
            StorageError: a segment could not be written; the writer is cancelled.
            WorkerError: a worker process died.
        """
        self._check_open()
        with self._storage_guard("writing segments to"):
            self._analyse_pending()
            self._submit_remote()
            self._flush()
            if self._pool is not None:
                self._pool.wait()

    # -- the schema -----------------------------------------------------------------
    def add_field(self, name: str, ftype: FieldType) -> None:
        """Add a field to the schema; documents added before it have no value for it.

        It is committed with the writer, like documents: readers see it from their next
        snapshot on, and a cancelled writer leaves the schema as it was.

        Raises:
            SchemaError: the name is taken or not a valid field name; the field is unique
                (documents already in the index would have no value for it); or a field
                of that name was removed and a merge has not yet dropped its data.
        """
        self._check_open()
        if name in self.schema:
            raise SchemaError(f"the index already has a field {name!r}")
        if isinstance(ftype, FieldType) and ftype.unique:
            raise SchemaError(f"field {name!r}: a unique field cannot be added to an index "
                              "(its documents would have no value for it)")
        if name in self._removed or any(name in seg.field_nos for seg in self._committed):
            raise SchemaError(f"field {name!r} was removed and its data is still in the index; "
                              "add it again after a merge has dropped it (Index.optimize())")
        schema = Schema(**dict(self.schema.items), **{name: ftype})
        self._use_schema(schema)
        self._recorded[name] = ftype.to_json()

    def remove_field(self, name: str) -> None:
        """Remove a field from the schema: queries, sorting and facets on it are errors at
        once (in this writer) and for readers from their next snapshot on; stored
        documents no longer show it, and a merge (:meth:`commit` with ``optimize=True``
        merges everything) drops its data.

        Raises:
            SchemaError: the schema has no such field, it is the unique field, or it is
                the last field.
        """
        self._check_open()
        if name not in self.schema:
            raise SchemaError(self.schema.unknown_field_message(name))
        if name == self._unique:
            raise SchemaError(f"field {name!r} is the unique field; it cannot be removed")
        self._use_schema(Schema(**{n: f for n, f in self.schema.items if n != name}))
        del self._recorded[name]
        self._removed.add(name)

    def _use_schema(self, schema: Schema) -> None:
        """Write what was buffered under the old schema, then take the new one (the
        workers finish their chunks first: none is taken back to build under the new)."""
        if self._pool is not None:
            self._pool.check_schema(schema)
        self.flush()
        if self._pool is not None:
            self._pool.use_schema(schema)
        self.schema = schema
        self._builder = SegmentBuilder(schema, self._executor)

    # -- deleting -----------------------------------------------------------------
    def delete_by_query(self, query: object, fields: Sequence[str] | None = None) -> int:
        """Delete every document a query (a string, or a :class:`heron.query.Query`)
        matches; return how many committed ones it deleted.

        ``fields`` are searched by a query string's unqualified words (default: every
        TEXT field). Documents added earlier by this writer are matched at commit.

        Raises:
            QueryError: the query string is malformed.
            SchemaError: the query names a field the schema does not have.
        """
        self._check_open()
        if self._queries is None:
            raise ArgumentError("this writer was made without a query matcher: use "
                                "Index.writer() to delete by query")
        return self.delete_where(self._queries(query, fields, self.schema))

    def delete_where(self, matcher: Matcher) -> int:
        """Delete the documents a matcher finds; return how many committed ones it deleted.

        Documents added earlier by this writer are matched at commit.
        """
        self._check_open()
        count = self._mark_committed(matcher)
        self._ops.append((self._seq, matcher))
        return count

    def _reader(self, segments: list[SegmentReader]) -> IndexReader:
        """A reader on some of this writer's segments (for matchers; the writer owns them)."""
        return IndexReader(self.directory, self._base, self.schema, segments)

    def _mark_committed(self, matcher: Matcher) -> int:
        """Mark the committed documents a matcher finds as deleted; return how many were
        not deleted before."""
        count = 0
        for seg, docs in matcher(self._reader(self._committed)):
            mask = self._deleted.get(seg.name)
            if mask is None:
                mask = self._deleted[seg.name] = (
                    np.zeros(seg.doc_count, bool) if seg.deleted is None else seg.deleted.copy())
            count += int(np.count_nonzero(~mask[docs]))
            mask[docs] = True
        return count

    def delete_by_term(self, field: str, value: Any) -> int:
        """Delete the documents whose ``field`` holds ``value``'s term; return how many.

        The count covers committed documents, and documents added by this writer when
        ``field`` is the unique field (others added by this writer are deleted at commit).
        """
        term = self.schema.term(field, value)
        count = self.delete_where(term_matcher(field, term))
        if field == self._unique and self._keys.delete(term):
            return 1  # the last one this writer added with it (it had replaced the others)
        return count

    # -- committing ---------------------------------------------------------------
    def commit(self, *, optimize: bool = False) -> None:
        """Publish everything added and deleted as a new commit (``optimize``: one segment).

        Raises:
            StorageError: a file could not be written; the previous commit stays intact.
        """
        self._check_open()
        try:
            with self._storage_guard("commit to"):
                self._write_commit(optimize)
        except BaseException:
            self.cancel()
            raise
        self._close()

    def _write_commit(self, optimize: bool) -> None:
        if self._committed and self._unique is not None:
            # documents added with a unique value the index already has replace its document
            for key in self._keys.recorded():
                self._mark_committed(term_matcher(self._unique, key))
        self._analyse_pending()
        self._take_back_remote()
        self._flush(carry=False)  # the last segment: its vocabularies go before the merges
        if self._pool is not None:
            for file_name, size, crc, count in self._pool.results():
                name = file_name.removesuffix(SEGMENT_SUFFIX)
                self._new.append(SegmentEntry(name, size, crc, count))
            # each segment holds a run of documents added one after another: in the order
            # of their first documents, they number every document as it was added
            self._new.sort(key=lambda e: int(self._new_seqs[e.name][0]))
        generation = self._base.generation + 1
        entries = [*self._base.segments, *self._new]
        masks = dict(self._deleted) | self._new_deletions()
        changed = bool(self._new or masks or self._recorded != self._base.schema)
        entries = [self._with_deletions(e, masks.get(e.name), generation) for e in entries]
        entries = [e for e in entries if e.live_count > 0]
        if optimize and (len(entries) > 1 or any(e.deleted_count for e in entries)
                         or any(self._holds_removed(e) for e in entries)):
            entries = self._merge_groups(entries, [[e.name for e in entries]])
            changed = True
        elif self._merge and (groups := choose_merges(
                entries, fresh=frozenset(e.name for e in self._new))):
            while groups:
                entries = self._merge_groups(entries, groups)
                groups = choose_merges(entries)
            changed = True
        if self._pool is not None:  # done: the workers let go of the merged segments' files
            self._pool.shutdown()
        if changed:
            old = {e.name for e in self._base.segments}
            version = (self._base.version if all(e.name in old for e in entries)
                       else FORMAT_VERSION)  # segments it wrote: readers of its format only
            manifest = Manifest(generation, self._recorded, tuple(entries), self._next_segment,
                                version)
            manifest.write(self.directory)
            self._base = manifest  # published: from here on, nothing may undo it
            with contextlib.suppress(OSError):  # clean-up is best effort; the next writer retries
                remove_unreferenced(self.directory, manifest)

    def _new_deletions(self) -> dict[str, npt.NDArray[np.bool_]]:
        """Deletions among the documents this writer added: those a later document with the
        same unique value replaced, and those each deletion matches among earlier ones."""
        masks: dict[str, npt.NDArray[np.bool_]] = {}
        superseded = self._keys.superseded()
        if len(superseded) and self._new:
            for name, seqs in self._new_seqs.items():
                hit = np.isin(seqs, superseded)
                if hit.any():
                    masks[name] = hit
        if not self._ops or not self._new:
            return masks
        readers = [SegmentReader(self.directory, e) for e in self._new]
        first = min(int(s.min()) for s in self._new_seqs.values() if len(s))
        for op_seq, matcher in self._ops:
            if op_seq <= first:
                continue
            for seg, docs in matcher(self._reader(readers)):
                earlier = docs[self._new_seqs[seg.name][docs] < op_seq]
                if len(earlier):
                    masks.setdefault(seg.name, np.zeros(seg.doc_count, bool))[earlier] = True
        for seg in readers:
            seg.close()
        return masks

    def _holds_removed(self, entry: SegmentEntry) -> bool:
        """Whether a segment holds fields the schema no longer has (a merge drops them)."""
        with SegmentReader(self.directory, entry) as seg:
            return not set(seg.field_nos) <= set(self.schema.names())

    def _with_deletions(self, entry: SegmentEntry, mask: npt.NDArray[np.bool_] | None,
                        generation: int) -> SegmentEntry:
        if mask is None or not mask.any():
            return entry
        name, size, crc = write_deletions(self.directory, entry.name, generation, mask)
        return evolve(entry, deletions=name, deleted_count=int(np.count_nonzero(mask)),
                      deletions_size=size, deletions_crc32=crc)

    def _merge_groups(self, entries: list[SegmentEntry], groups: list[list[str]]
                      ) -> list[SegmentEntry]:
        """Merge each group of segments into one, placed where the group's first one was."""
        by_name = {e.name: e for e in entries}
        replaced: dict[str, SegmentEntry | None] = {}
        for group in groups:
            name = self._new_name()
            readers = [SegmentReader(self.directory, by_name[n]) for n in group]
            helpers = (self._pool.helpers(self.directory, [by_name[n] for n in group],
                                          self._limit) if self._pool is not None else None)
            size, crc, count = merge_segments(readers, self.schema, segment_file(
                self.directory, name), self._executor, budget=self._limit, helpers=helpers)
            for seg in readers:
                seg.close()
            replaced[group[0]] = SegmentEntry(name, size, crc, count) if count else None
            replaced.update(dict.fromkeys(group[1:]))
        out: list[SegmentEntry] = []
        for entry in entries:
            if entry.name not in replaced:
                out.append(entry)
            elif (merged := replaced[entry.name]) is not None:
                out.append(merged)
        return out

    def _close(self) -> None:
        self._finalizer.detach()
        for seg in self._committed:
            seg.close()
        if self._pool is not None:
            self._pool.shutdown()
        self._executor.shutdown(wait=True)
        self._lock.release()

    def cancel(self) -> None:
        """Drop everything added and deleted since the last commit; release the lock."""
        if self.closed:
            return
        self._pending = []
        self._builder = SegmentBuilder(self.schema, self._executor)
        if self._pool is not None:
            self._pool.shutdown()
        self._remote, self._remote_held = [], 0
        self._ops = []
        self._deleted = {}
        with contextlib.suppress(OSError):
            remove_unreferenced(self.directory, self._base)
        self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            if not self.closed:
                self.commit()
        else:
            self.cancel()
