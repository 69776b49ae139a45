"""Reading one segment: term look-ups, postings, positions, norms, columns, stored fields."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.errors import CorruptIndexError
from heron.index._deletions import read_deletions
from heron.index._files import Container
from heron.index._format import (
    COLUMN,
    COLUMN_MASK,
    FORWARD_OFFSETS,
    FORWARD_TERMS,
    NORMS,
    POS_DATA,
    POST_DOCS,
    POST_FREQS,
    SEGMENT_MAGIC,
    SURFACE_ARRAYS,
    SURFACE_STARTS,
    TERM_KEYS,
    TERMS_BLOB,
    TERMS_OFFSETS,
    TERMS_POS,
    TERMS_POST,
    encodes_docs,
    field_array,
    segment_file,
)
from heron.index._layout import check_segment, encoded_arrays, segment_meta, validator
from heron.index._manifest import SegmentEntry
from heron.index._postings import BLOCK, DocsReader
from heron.index._stored import StoredReader
from heron.index._surface import Forms
from heron.index._termdict import TermDictionary


class SegmentReader:
    """A read-only view of one immutable segment, memory-mapped; its owner closes it."""

    def __init__(self, directory: Path, entry: SegmentEntry) -> None:
        self.entry = entry
        self.name = entry.name
        self._c = Container(segment_file(directory, entry.name), SEGMENT_MAGIC, entry.size)
        try:
            self._read(directory, entry)
        except BaseException:
            self._c.close()
            raise

    def _read(self, directory: Path, entry: SegmentEntry) -> None:
        """Check the metadata and table of contents (see :mod:`heron.index._layout`) and read
        the deletions (the caller closes the file on error)."""
        segment_format = self._c.meta.get("format")
        if not isinstance(segment_format, str) or segment_format not in TERM_KEYS:
            raise CorruptIndexError(f"{entry.name}: unknown segment format {segment_format!r}")
        self.layout = segment_meta(self._c)
        self._c.validate_with(validator(self._c, self.layout))
        self.doc_count: int = self.layout.doc_count
        self.field_nos: dict[str, int] = self.layout.fields
        self.stats: dict[str, dict[str, int]] = self.layout.stats
        ranges = self.layout.ranges
        if self.doc_count != entry.doc_count:
            raise CorruptIndexError(
                f"{entry.name}: holds {self.doc_count} documents, the manifest says "
                f"{entry.doc_count}"
            )
        self.terms = TermDictionary(self._c, ranges, self.field_nos)
        self.stored = StoredReader(self._c)
        self.deleted: npt.NDArray[np.bool_] | None = None
        self._post: tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]] | None = None
        self._docs: DocsReader | None = None
        #: whether document numbers are compressed (format 3 on: :mod:`._postings`)
        self.encoded = encodes_docs(segment_format)
        if entry.deletions is not None:
            self.deleted = read_deletions(directory / entry.deletions, entry.deletions_size,
                                          entry.name, self.doc_count, entry.deleted_count)
        #: data that queries derive from this segment and reuse (e.g. fuzzy matrices)
        self.derived: dict[tuple[str, str], Any] = {}

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has released the segment's file."""
        return self._c.closed

    def close(self) -> None:
        """Release the segment's file and everything derived from it (idempotent).

        Afterwards every read raises :class:`~heron.errors.SearcherClosedError`.
        """
        self._post = None
        self._docs = None
        self.derived.clear()
        self.stored.close()
        self._c.close()

    def __enter__(self) -> SegmentReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def path(self) -> Path:
        """The segment's file."""
        return self._c.path

    def verify(self) -> None:
        """Check every array's checksum, and the segment's structure (see :mod:`._layout`)."""
        check_segment(self._c, self.layout)
        self.stored.verify(self.doc_count)

    def raw_array(self, name: str) -> npt.NDArray[Any]:
        """One of the segment's arrays by its name in the format (for merging)."""
        return self._c.array(name)

    def _postings_arrays(self) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
        """``terms.post``, ``post.docs`` (checked: so encoded documents are sound) and
        ``post.freqs``."""
        if self._post is None:
            docs = self._c.array(POST_DOCS)
            self._post = (self._c.array(TERMS_POST), docs, self._c.array(POST_FREQS))
        return self._post

    def _decoder(self) -> DocsReader:
        if self._docs is None:
            _, data, _ = self._postings_arrays()
            self._docs = DocsReader(encoded_arrays(self._c, data), self.doc_count, self.name)
        return self._docs

    def term_docs(self, term_no: int) -> npt.NDArray[Any]:
        """The documents (ascending) of a term."""
        if self.encoded:
            return self._decoder().term(term_no)
        post, docs, _ = self._postings_arrays()
        a, b = post[term_no : term_no + 2].tolist()
        return docs[a:b]

    def freqs(self, term_no: int) -> npt.NDArray[Any]:
        """The frequencies of a term's postings (without decoding its documents)."""
        post, _, freqs = self._postings_arrays()
        a, b = post[term_no : term_no + 2].tolist()
        return freqs[a:b]

    def docs_of_terms(self, start: int, stop: int) -> npt.NDArray[Any]:
        """The documents of the terms ``[start, stop)``, one term after another (merging)."""
        if self.encoded:
            return self._decoder().terms(start, stop)
        post, docs, _ = self._postings_arrays()
        return docs[int(post[start]) : int(post[stop])]

    def docs_between(self, a: int, b: int) -> npt.NDArray[Any]:
        """The documents of postings ``[a, b)`` of the segment (counted over all terms)."""
        post, docs, _ = self._postings_arrays()
        if not self.encoded:
            return docs[a:b]
        if b <= a:
            return np.zeros(0, dtype=np.uint32)
        start = int(post.searchsorted(np.asarray(a, dtype=post.dtype), side="right")) - 1
        stop = int(post.searchsorted(np.asarray(b, dtype=post.dtype), side="left"))
        base = int(post[start])
        return self._decoder().terms(start, stop)[a - base : b - base]

    def doc_blocks(self, term_no: int, lo: int, hi: int) -> npt.NDArray[Any]:
        """The documents of a term's blocks ``[lo, hi)`` of 128 postings (the last one may be
        shorter), decoding only those."""
        if self.encoded:
            return self._decoder().blocks(term_no, lo, hi)
        return self.term_docs(term_no)[lo * BLOCK : hi * BLOCK]

    def block_last_docs(self, term_no: int) -> npt.NDArray[Any]:
        """The last document of each of a term's blocks of 128 postings (skip data)."""
        if self.encoded:
            return self._decoder().last_docs(term_no)
        docs = self.term_docs(term_no)
        return docs[np.minimum(np.arange(BLOCK - 1, len(docs) + BLOCK - 1, BLOCK),
                               len(docs) - 1)]

    def docs_end(self, term_no: int) -> int:
        """Where in ``post.docs`` the documents of the terms before ``term_no`` end."""
        if self.encoded:
            return self._decoder().end_byte(term_no)
        return int(self._postings_arrays()[0][term_no])

    def doc_freqs(self, start: int, stop: int) -> npt.NDArray[np.int64]:
        """How many documents of this segment hold each of the terms ``[start, stop)``."""
        return np.diff(self._postings_arrays()[0][start : stop + 1]).astype(np.int64)

    def term_occurrences(self, start: int, stop: int) -> npt.NDArray[np.int64]:
        """How often each of the terms ``[start, stop)`` occurs in this segment's documents
        (deleted ones too, as :meth:`doc_freqs` counts them)."""
        post, _, freqs = self._postings_arrays()
        bounds = post[start : stop + 1].astype(np.int64)
        found = np.zeros(max(len(bounds) - 1, 0), dtype=np.int64)
        if len(found) and bounds[-1] > bounds[0]:
            present = np.flatnonzero(bounds[1:] > bounds[:-1])
            found[present] = np.add.reduceat(freqs[bounds[0] : bounds[-1]],
                                             bounds[present] - bounds[0], dtype=np.int64)
        return found

    def doc_freq(self, term_no: int) -> int:
        """How many documents of this segment hold term ``term_no``."""
        a, b = self._postings_arrays()[0][term_no : term_no + 2].tolist()
        return int(b - a)

    def postings(self, term_no: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """Documents (ascending) and frequencies of a term."""
        return self.term_docs(term_no), self.freqs(term_no)

    def positions(self, term_no: int) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
        """All positions of a term, and where each posting's positions start (len + 1)."""
        pos = self._c.array(TERMS_POS)
        a, b = int(pos[term_no]), int(pos[term_no + 1])
        freqs = self.freqs(term_no)
        starts = np.zeros(len(freqs) + 1, dtype=np.int64)
        np.cumsum(freqs, out=starts[1:])
        if b - a not in (0, int(starts[-1])):
            raise CorruptIndexError(f"{self.name}: positions of term {term_no} do not add up")
        return self._c.array(POS_DATA)[a:b], starts

    def posting_index(self, term_no: int, doc: int) -> int:
        """Where document ``doc`` is among a term's postings (-1: it does not hold the term).

        A term of more than one block is decoded once and kept (one document is looked up in
        it per hit when highlighting); decoding only the block that may hold the document
        measured slower, for the numpy calls it takes.
        """
        docs = self.term_docs(term_no)
        j = int(docs.searchsorted(doc))
        return j if j < len(docs) and int(docs[j]) == doc else -1

    def doc_positions(self, term_no: int, doc: int,
                      starts: npt.NDArray[np.int64] | None = None) -> npt.NDArray[Any] | None:
        """Positions of a term in one document (None if the document lacks the term).

        ``starts`` (from :meth:`positions`) spares summing the frequencies before it.
        """
        j = self.posting_index(term_no, doc)
        if j < 0:
            return None
        freqs = self.freqs(term_no)
        pos = self._c.array(TERMS_POS)
        a, b = int(pos[term_no]), int(pos[term_no + 1])
        if a == b:
            return None  # the field keeps no positions
        before = int(starts[j]) if starts is not None else int(freqs[:j].sum(dtype=np.int64))
        return self._c.array(POS_DATA)[a + before : a + before + int(freqs[j])]

    def norms(self, field: str) -> npt.NDArray[np.uint32] | None:
        """Field lengths of a scored field per document, or None."""
        name = field_array(NORMS, field)
        return self._c.array(name) if name in self._c else None

    def column(self, field: str) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]] | None:
        """Values and presence mask of a columnar field, or None."""
        name = field_array(COLUMN, field)
        if name not in self._c:
            return None
        return self._c.array(name), self._c.array(field_array(COLUMN_MASK, field))

    def forward(self, field: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]] | None:
        """Per-document term lists of a field (offsets, field-relative terms), or None; see
        :attr:`heron.schema.FieldType.keeps_forward`."""
        name = field_array(FORWARD_OFFSETS, field)
        if name not in self._c:
            return None
        return self._c.array(name), self._c.array(field_array(FORWARD_TERMS, field))

    def first_term(self, field: str, doc: int) -> str | None:
        """The text of the first term of a document's forward list of ``field`` (None: the
        document has none there): a stored ID's value, without the stored document.

        Raises:
            KeyError: the field keeps no forward list in this segment.
        """
        key = ("first_term", field)
        found = self.derived.get(key)
        if found is None:
            forward = self.forward(field)
            if forward is None:
                raise KeyError(field)
            found = self.derived[key] = (*forward, self.terms.field_range(field)[0],
                                         self._c.array(TERMS_OFFSETS),
                                         self._c.array(TERMS_BLOB))
        offsets, terms, first, term_offsets, blob = found
        start, end = offsets[doc : doc + 2].tolist()
        if end == start:
            return None
        number = first + int(terms[start])
        a, b = term_offsets[number : number + 2].tolist()
        return bytes(blob[a:b]).decode("utf-8", "replace")

    def surface(self, field: str) -> Forms | None:
        """The surface forms of a field's terms (see :mod:`heron.index._surface`), or None."""
        if field_array(SURFACE_STARTS, field) not in self._c:
            return None
        starts, offsets, counts, blob = (self._c.array(field_array(kind, field))
                                         for kind in SURFACE_ARRAYS)
        return starts, offsets, counts, blob

    def document(self, doc: int) -> dict[str, Any]:
        """Stored values (JSON form) of a segment-local document."""
        return self.stored.document(doc)
