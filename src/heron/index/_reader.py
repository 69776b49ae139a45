"""The index reader: a point-in-time snapshot of the segments named by one commit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.errors import MissingFileError, SearcherClosedError
from heron.index._format import TERMS_POST
from heron.index._manifest import Manifest, SegmentEntry, latest_manifest
from heron.index._pins import read_generation
from heron.index._schemas import snapshot_schema
from heron.index._segment_reader import SegmentReader
from heron.schema import FieldType, Schema

_OPEN_ATTEMPTS = 5


class IndexReader:
    """The segments of one commit, with document numbering and index-wide statistics.

    Global document numbers run through the segments in manifest order: segment ``i``
    holds ``bases[i] .. bases[i] + doc_count - 1``. The reader owns its segments:
    :meth:`close` (or leaving a ``with`` block) releases their files.
    """

    def __init__(self, directory: Path, manifest: Manifest, schema: Schema,
                 segments: list[SegmentReader], *, given: Schema | None = None) -> None:
        self.directory = directory
        self.manifest = manifest
        self.schema = schema
        self.segments = segments
        #: the schema the user gave (its analyzers), laid over each newer commit's
        self._given = given
        names = set(schema.names())
        #: segments that still hold fields the schema no longer has (removed, not merged)
        self._extra = frozenset(id(seg) for seg in segments if not set(seg.field_nos) <= names)
        self._closed = False
        self.bases: list[int] = []
        total = 0
        for seg in segments:
            self.bases.append(total)
            total += seg.doc_count
        self.max_doc = total
        #: stored values that need converting back (DATETIME), by field
        self._from_stored = {
            name: ftype.from_stored for name, ftype in schema.items
            if type(ftype).from_stored is not FieldType.from_stored
        }
        self._field_stats: dict[str, tuple[int, int]] = {}
        #: stored ID fields whose values equal their single term, read from forward lists
        self._by_term = frozenset(
            name for name, ftype in schema.items
            if ftype.value_is_term and ftype.stored
        )

    @classmethod
    def open(cls, directory: Path, schema: Schema | None = None, *,
             generation: int | None = None) -> IndexReader:
        """Open the newest commit in ``directory``, or the commit ``generation``.

        A writer may commit and remove old files while this runs; if a segment
        file vanished, the newer commit is opened instead. An older generation opens
        while its files are there: a writer keeps them while it is pinned.

        Raises:
            IndexNotFoundError: no commit ``generation`` is (still) there.
        """
        manifest, segments = _open_newest(directory, {}, generation)
        try:
            return cls(directory, manifest, schema_of(manifest, schema), segments, given=schema)
        except BaseException:
            _close_all(segments)
            raise

    def reopen(self) -> IndexReader:
        """A reader on the newest commit, or this reader if it already sees it.

        The new reader takes over this one's segments that the newest commit names
        unchanged (same file, same deletions), so only new or changed segments are
        opened; this reader is then closed, which releases the rest.
        """
        self._check_open()
        if latest_manifest(self.directory).generation == self.generation:
            return self
        mine = {seg.entry: seg for seg in self.segments}
        manifest, segments = _open_newest(self.directory, mine)
        taken = {id(seg) for seg in segments if mine.get(seg.entry) is seg}
        try:
            reader = IndexReader(self.directory, manifest, schema_of(manifest, self._given),
                                 segments, given=self._given)
        except BaseException:
            _close_all([seg for seg in segments if id(seg) not in taken])
            raise
        self._close_segments(taken)
        return reader

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has released this reader's files."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise SearcherClosedError("this index reader is closed")

    def close(self) -> None:
        """Release the files of every segment (idempotent); the reader cannot be used after."""
        self._close_segments(set())

    def _close_segments(self, keep: set[int]) -> None:
        """Mark this reader closed and close its segments but those another reader took.

        ``keep`` holds the ``id`` of each segment handed on to the newer reader.
        """
        self._closed = True
        segments, self.segments = self.segments, []
        _close_all([seg for seg in segments if id(seg) not in keep])

    def __enter__(self) -> IndexReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def generation(self) -> int:
        """The generation of the commit this reader sees."""
        return self.manifest.generation

    def doc_count(self) -> int:
        """Number of live (not deleted) documents."""
        self._check_open()
        return sum(s.entry.live_count for s in self.segments)

    def field_stats(self, field: str) -> tuple[int, int]:
        """Documents that have a scored field and their total length, over all segments."""
        self._check_open()
        stats = self._field_stats.get(field)
        if stats is None:
            docs = sum(s.stats.get(field, {}).get("docs", 0) for s in self.segments)
            length = sum(s.stats.get(field, {}).get("length", 0) for s in self.segments)
            stats = self._field_stats[field] = (docs, length)
        return stats

    def doc_freq(self, field: str, term: str) -> int:
        """How many documents hold ``term`` in ``field``, over all segments."""
        return self.term_info(field, term)[0]

    def doc_freqs(self, field: str, terms: Sequence[str]) -> npt.NDArray[np.int64]:
        """How many documents hold each of ``terms`` in ``field`` (one vectorised look-up
        per segment)."""
        self._check_open()
        total = np.zeros(len(terms), dtype=np.int64)
        for seg in self.segments:
            numbers = seg.terms.find_many(field, terms)
            known = numbers >= 0
            if known.any():
                post = seg.raw_array(TERMS_POST)
                total[known] += post[numbers[known] + 1] - post[numbers[known]]
        return total

    def term_info(self, field: str, term: str) -> tuple[int, list[int]]:
        """Document frequency over all segments, and the term's number in each (-1: absent)."""
        self._check_open()
        total = 0
        numbers = []
        for seg in self.segments:
            no = seg.terms.find(field, term)
            numbers.append(no)
            if no >= 0:
                total += seg.doc_freq(no)
        return total, numbers

    def locate(self, docnum: int) -> tuple[SegmentReader, int]:
        """The segment and local number of a global document number."""
        self._check_open()
        if not 0 <= docnum < self.max_doc:
            raise IndexError(f"document number {docnum} is out of range")
        lo, hi = 0, len(self.bases) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.bases[mid] <= docnum:
                lo = mid
            else:
                hi = mid - 1
        return self.segments[lo], docnum - self.bases[lo]

    def stored_value(self, docnum: int, name: str) -> Any:
        """One stored field of a document, or None if the document has no value there.

        Stored ID fields are read from the field's forward list (the value is its own
        term), without decompressing the stored document.
        """
        if name in self._by_term:
            seg, local = self.locate(docnum)
            with contextlib.suppress(KeyError):  # KeyError: a segment without the list
                return seg.first_term(name, local)
        return self.stored_fields(docnum).get(name)

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        """The stored fields of a document, converted back to Python values."""
        seg, local = self.locate(docnum)
        out = seg.document(local)
        if id(seg) in self._extra:  # values of removed fields, until a merge drops them
            out = {name: value for name, value in out.items() if name in self.schema}
        for name, convert in self._from_stored.items():
            if name in out:
                out[name] = convert(out[name])
        return out

    def iter_segments(self) -> Iterator[tuple[int, SegmentReader]]:
        """Yield (base document number, segment)."""
        self._check_open()
        yield from zip(self.bases, self.segments, strict=True)

    def verify(self) -> None:
        """Check the checksum of every array of every segment."""
        self._check_open()
        for seg in self.segments:
            seg.verify()


def _open_newest(directory: Path, reuse: dict[SegmentEntry, SegmentReader],
                 generation: int | None = None) -> tuple[Manifest, list[SegmentReader]]:
    """The newest manifest (or that of ``generation``) and its segments, taken from
    ``reuse`` where they are unchanged.

    Segments opened here are closed again if opening another one fails.
    """
    for attempt in range(_OPEN_ATTEMPTS):
        manifest = (latest_manifest(directory) if generation is None
                    else read_generation(directory, generation))
        segments: list[SegmentReader] = []
        opened: list[SegmentReader] = []
        try:
            for entry in manifest.segments:
                seg = reuse.get(entry)
                if seg is None:
                    seg = SegmentReader(directory, entry)
                    opened.append(seg)
                segments.append(seg)
        except BaseException as exc:
            _close_all(opened)
            if isinstance(exc, MissingFileError) and attempt + 1 < _OPEN_ATTEMPTS:
                continue
            raise
        return manifest, segments
    raise AssertionError("unreachable")  # pragma: no cover


def _close_all(segments: list[SegmentReader]) -> None:
    for seg in segments:
        seg.close()


def schema_of(manifest: Manifest, given: Schema | None = None) -> Schema:
    """The schema recorded in a manifest, with the field types of ``given`` laid over it
    where only their analyzers differ (see :mod:`heron.index._schemas`)."""
    return snapshot_schema(manifest.schema, given, manifest.generation)
