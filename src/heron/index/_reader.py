"""The index reader: a point-in-time snapshot of the segments named by one commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from heron.errors import CorruptIndexError, SchemaError
from heron.index._manifest import Manifest, latest_manifest
from heron.index._segment_reader import SegmentReader
from heron.schema import ID, FieldType, Schema

_OPEN_ATTEMPTS = 5


class IndexReader:
    """The segments of one commit, with document numbering and index-wide statistics.

    Global document numbers run through the segments in manifest order: segment ``i``
    holds ``bases[i] .. bases[i] + doc_count - 1``.
    """

    def __init__(self, directory: Path, manifest: Manifest, schema: Schema,
                 segments: list[SegmentReader]) -> None:
        self.directory = directory
        self.manifest = manifest
        self.schema = schema
        self.segments = segments
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
            if isinstance(ftype, ID) and ftype.stored and not ftype.lowercase
        )

    @classmethod
    def open(cls, directory: Path, schema: Schema | None = None) -> IndexReader:
        """Open the newest commit in ``directory``.

        A writer may commit and remove old files while this runs; if a segment
        file vanished, the newer commit is opened instead.
        """
        for attempt in range(_OPEN_ATTEMPTS):
            manifest = latest_manifest(directory)
            try:
                segments = [SegmentReader(directory, e) for e in manifest.segments]
            except CorruptIndexError as exc:
                if "file is missing" in str(exc) and attempt + 1 < _OPEN_ATTEMPTS:
                    continue
                raise
            return cls(directory, manifest, schema or schema_of(manifest), segments)
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def generation(self) -> int:
        """The generation of the commit this reader sees."""
        return self.manifest.generation

    def doc_count(self) -> int:
        """Number of live (not deleted) documents."""
        return sum(s.entry.live_count for s in self.segments)

    def field_stats(self, field: str) -> tuple[int, int]:
        """Documents that have a scored field and their total length, over all segments."""
        stats = self._field_stats.get(field)
        if stats is None:
            docs = sum(s.stats.get(field, {}).get("docs", 0) for s in self.segments)
            length = sum(s.stats.get(field, {}).get("length", 0) for s in self.segments)
            stats = self._field_stats[field] = (docs, length)
        return stats

    def doc_freq(self, field: str, term: str) -> int:
        """How many documents hold ``term`` in ``field``, over all segments."""
        return self.term_info(field, term)[0]

    def term_info(self, field: str, term: str) -> tuple[int, list[int]]:
        """Document frequency over all segments, and the term's number in each (-1: absent)."""
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
            forward = seg.forward(name)
            if forward is not None:
                offsets, terms = forward
                start, end = offsets[local : local + 2].tolist()
                if end == start:
                    return None
                first, _ = seg.terms.field_range(name)
                return seg.terms.term(first + int(terms[start]))
        return self.stored_fields(docnum).get(name)

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        """The stored fields of a document, converted back to Python values."""
        seg, local = self.locate(docnum)
        out = seg.document(local)
        for name, convert in self._from_stored.items():
            if name in out:
                out[name] = convert(out[name])
        return out

    def iter_segments(self) -> Iterator[tuple[int, SegmentReader]]:
        """Yield (base document number, segment)."""
        yield from zip(self.bases, self.segments, strict=True)

    def verify(self) -> None:
        """Check the checksum of every array of every segment."""
        for seg in self.segments:
            seg.verify()


def schema_of(manifest: Manifest) -> Schema:
    """The schema recorded in a manifest."""
    try:
        return Schema.from_json(manifest.schema)
    except SchemaError as exc:
        raise SchemaError(f"the schema stored in the index cannot be rebuilt: {exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        message = f"manifest_{manifest.generation:08d}.json: the schema is damaged: {exc}"
        raise CorruptIndexError(message) from None
