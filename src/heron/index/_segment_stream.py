"""Writing a segment's term dictionary, postings and positions as a stream of term runs.

Both the segment builder (a field at a time) and the merger (a bounded run of merged
terms at a time) describe postings as :class:`Pairs`, one entry per (term, document)
pair in term then document order, and append them with :class:`PostingsOut` to the
arrays that :mod:`heron.index._segment_writer` documents, spilled by a
:class:`~heron.index._stream.ContainerStream` until the segment file is written.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.index import _format
from heron.index._arrays import byte_table
from heron.index._assemble import smallest_uint
from heron.index._format import (
    POS_DATA,
    POST_DOCS,
    POST_FREQS,
    SKIP_FIRST,
    SKIP_LAST,
    SKIP_TERMS,
    TERM_KEYS,
    TERMS_BLOB,
    TERMS_DOCS,
    TERMS_KEYS,
    TERMS_OFFSETS,
    TERMS_POS,
    TERMS_POST,
    encodes_docs,
    offsets_narrow,
    term_key_2,
)
from heron.index._postings import block_last, encode_long_term, encode_terms
from heron.index._stream import ContainerStream, SliceReader


@frozen
class Pairs:
    """Live (term, document) pairs of a run of merged terms, in merged order.

    ``terms`` are indices into the run's terms; ``positions`` hold ``pos_counts[i]``
    positions for pair ``i``, one pair after another.
    """

    terms: npt.NDArray[np.integer[Any]]
    docs: npt.NDArray[np.integer[Any]]
    freqs: npt.NDArray[np.integer[Any]]
    pos_counts: npt.NDArray[np.integer[Any]]
    positions: npt.NDArray[np.integer[Any]]


def term_keys_2(blob: npt.NDArray[np.uint8], lengths: npt.NDArray[np.int64]
                ) -> npt.NDArray[np.uint64]:
    """:func:`heron.index._format.term_key_2` of many terms at once, laid end to end in ``blob``.

    >>> terms = [b"ab", b"", b"abcdefghij"]
    >>> blob = np.frombuffer(b"".join(terms), dtype=np.uint8)
    >>> keys = term_keys_2(blob, np.array([len(t) for t in terms]))
    >>> keys.tolist() == [term_key_2(0, t) for t in terms]
    True
    """
    padded = byte_table(blob, np.cumsum(lengths) - lengths, lengths, 8)
    return padded.view(">u8").ravel().astype(np.uint64)


class PostingsOut:
    """A segment's term dictionary and postings arrays, appended a run of terms at a time."""

    def __init__(self, out: ContainerStream, doc_count: int) -> None:
        # the keys of the format segments are written in (looked up now, not at import)
        self._key = TERM_KEYS[_format.SEGMENT_FORMAT][0]
        self.blob = out.spill(TERMS_BLOB, np.uint8)
        self.offsets = out.spill(TERMS_OFFSETS, np.int64, offsets_narrow())
        self.keys = out.spill(TERMS_KEYS, np.uint64)
        self.post = out.spill(TERMS_POST, np.int64, offsets_narrow())
        self.pos = out.spill(TERMS_POS, np.int64, offsets_narrow())
        self._encoded = _DocsOut(out) if encodes_docs() else None
        self.docs = (self._encoded.data if self._encoded is not None else
                     out.spill(POST_DOCS, np.uint16 if doc_count <= 0x10000 else np.uint32))
        self.freqs = out.spill(POST_FREQS, np.uint32)
        self.positions = out.spill(POS_DATA, np.uint32)
        for arr in (self.offsets, self.post, self.pos):
            arr.append([0])
        self.nterms = 0
        self._blob_bytes = 0
        self._pairs = 0
        self._positions = 0

    def add(self, terms: list[bytes], field_no: int, pairs: Pairs) -> npt.NDArray[np.int64]:
        """Append the pairs of ``terms``; return each term's new number (-1: no live posting)."""
        counts = np.bincount(pairs.terms, minlength=len(terms))
        used = counts > 0
        kept_count = int(np.count_nonzero(used))
        numbers = np.full(len(terms), -1, dtype=np.int64)
        numbers[used] = self.nterms + np.arange(kept_count, dtype=np.int64)
        kept = [t for t, keep in zip(terms, used.tolist(), strict=True) if keep]
        lengths = np.fromiter(map(len, kept), dtype=np.int64, count=len(kept))
        blob = np.frombuffer(b"".join(kept), dtype=np.uint8)
        self.blob.append(blob)
        self.offsets.append(np.cumsum(lengths) + self._blob_bytes)
        self.keys.append(term_keys_2(blob, lengths) if self._key is term_key_2 else
                         np.fromiter((self._key(field_no, t) for t in kept), dtype=np.uint64,
                                     count=len(kept)))
        pos_counts = np.bincount(pairs.terms, weights=pairs.pos_counts, minlength=len(terms))
        self.post.append(np.cumsum(counts[used]) + self._pairs)
        self.pos.append(np.cumsum(pos_counts[used].astype(np.int64)) + self._positions)
        if self._encoded is not None:
            self._encoded.add(self.nterms, counts[used].astype(np.int64), pairs.docs)
        else:
            self.docs.append(pairs.docs)
        self.freqs.append(pairs.freqs)
        self.positions.append(pairs.positions)
        self.nterms += kept_count
        self._blob_bytes += int(lengths.sum())
        self._pairs += len(pairs.docs)
        self._positions += len(pairs.positions)
        return numbers

    def add_pieces(self, term: bytes, field_no: int, pieces: Iterable[Pairs]) -> int:
        """Append one term whose pairs come in pieces (too many to hold at once); return its
        new number (-1: no live posting)."""
        pairs = positions = 0
        encoded = self._encoded.term(self.nterms) if self._encoded is not None else None
        for piece in pieces:
            if encoded is not None:
                encoded.add(piece.docs)
            else:
                self.docs.append(piece.docs)
            self.freqs.append(piece.freqs)
            self.positions.append(piece.positions)
            pairs += len(piece.docs)
            positions += len(piece.positions)
        if encoded is not None:
            encoded.finish()
        if not pairs:
            return -1
        self.blob.append(np.frombuffer(term, dtype=np.uint8))
        self._blob_bytes += len(term)
        self.offsets.append([self._blob_bytes])
        self.keys.append(np.asarray([self._key(field_no, term)], dtype=np.uint64))
        self._pairs += pairs
        self._positions += positions
        self.post.append([self._pairs])
        self.pos.append([self._positions])
        self.nterms += 1
        return self.nterms - 1

    def extend(self, read: SliceReader) -> int:
        """Append the terms and postings another :class:`PostingsOut` wrote (a merge's
        part, its terms numbered from 0), ``read(name)`` giving each of its arrays in
        slices; offsets and term numbers are shifted past this one's. Return how many
        terms it held."""
        first = self.nterms
        before = self.offsets.count
        blob_bytes = self.offsets.extend(read(TERMS_OFFSETS), self._blob_bytes, first=1)
        nterms = self.offsets.count - before
        pairs = self.post.extend(read(TERMS_POST), self._pairs, first=1)
        positions = self.pos.extend(read(TERMS_POS), self._positions, first=1)
        for spill, name in ((self.blob, TERMS_BLOB), (self.keys, TERMS_KEYS),
                            (self.freqs, POST_FREQS), (self.positions, POS_DATA)):
            spill.extend(read(name))
        if self._encoded is not None:
            self._encoded.extend(read, first)
        else:
            self.docs.extend(read(POST_DOCS))
        self.nterms += nterms
        self._blob_bytes += blob_bytes
        self._pairs += pairs
        self._positions += positions
        return nterms

    def narrow(self) -> None:
        """Choose the final dtypes of frequencies and positions from their largest values."""
        self.freqs.final = np.dtype(smallest_uint(int(self.freqs.max)))
        self.positions.final = np.dtype(np.uint16 if self.positions.max <= 0xFFFF else np.uint32)


#: postings encoded at once (see :meth:`_DocsOut.add`)
ENCODE_POSTINGS = 1 << 18


class _DocsOut:
    """The compressed document numbers of format 3 (see :mod:`heron.index._postings`)."""

    def __init__(self, out: ContainerStream) -> None:
        self.data = out.spill(POST_DOCS, np.uint8)
        self.term_bytes = out.spill(TERMS_DOCS, np.int64, offsets_narrow())
        self.skip_terms = out.spill(SKIP_TERMS, np.int64, offsets_narrow())
        self.skip_first = out.spill(SKIP_FIRST, np.int64, offsets_narrow())
        self.last = out.spill(SKIP_LAST, np.uint32)
        self.term_bytes.append([0])
        self.skip_first.append([0])
        self.bytes = 0
        self.blocks = 0

    def add(self, first_term: int, counts: npt.NDArray[np.int64],
            docs: npt.NDArray[np.integer[Any]]) -> None:
        """Append the documents of terms numbered from ``first_term`` holding ``counts``
        postings each (all above 0), one term after another (encoded a run of terms of
        about :data:`ENCODE_POSTINGS` at a time: encoding takes some 40 bytes a posting)."""
        if not len(counts):
            return
        ends = np.cumsum(counts)
        cuts = np.unique(np.searchsorted(ends, np.arange(ENCODE_POSTINGS, int(ends[-1]),
                                                         ENCODE_POSTINGS), side="left") + 1)
        big = np.flatnonzero(counts > ENCODE_POSTINGS)  # each alone, encoded in pieces
        cuts = np.union1d(cuts, np.concatenate((big, big + 1)))
        bounds = [0, *cuts[(cuts > 0) & (cuts < len(counts))].tolist(), len(counts)]
        for lo, hi in itertools.pairwise(bounds):
            base = int(ends[lo - 1]) if lo else 0
            if hi - lo == 1 and int(counts[lo]) > ENCODE_POSTINGS:  # one long term: in pieces
                self._add_long(first_term + lo, docs[base : int(ends[lo])])
            else:
                self._add(first_term + lo, counts[lo:hi], docs[base : int(ends[hi - 1])])

    def _add_long(self, number: int, docs: npt.NDArray[np.integer[Any]]) -> None:
        nbytes, pieces = encode_long_term(docs, ENCODE_POSTINGS)
        for piece in pieces:
            self.data.append(piece)
        self.term_bytes.append([self.bytes + nbytes])
        self.bytes += nbytes
        self._add_skip(number, np.asarray([len(docs)], dtype=np.int64), docs)

    def _add(self, first_term: int, counts: npt.NDArray[np.int64],
             docs: npt.NDArray[np.integer[Any]]) -> None:
        enc = encode_terms(docs, counts)
        self.data.append(enc.data)
        self.term_bytes.append(np.cumsum(enc.nbytes) + self.bytes)
        self.bytes += int(enc.nbytes.sum())
        self._add_skip(first_term, counts, docs)

    def _add_skip(self, first_term: int, counts: npt.NDArray[np.int64],
                  docs: npt.NDArray[np.integer[Any]]) -> None:
        multi, nblocks, last = block_last(docs, counts)
        if len(multi):
            self.skip_terms.append(multi + first_term)
            self.skip_first.append(np.cumsum(nblocks) + self.blocks)
            self.last.append(last)
            self.blocks += int(nblocks.sum())

    def extend(self, read: SliceReader, first_term: int) -> None:
        """Append another writer's encoded documents (see :meth:`PostingsOut.extend`), its
        terms numbered from ``first_term``."""
        self.data.extend(read(POST_DOCS))
        self.bytes += self.term_bytes.extend(read(TERMS_DOCS), self.bytes, first=1)
        self.skip_terms.extend(read(SKIP_TERMS), first_term)
        self.blocks += self.skip_first.extend(read(SKIP_FIRST), self.blocks, first=1)
        self.last.extend(read(SKIP_LAST))

    def term(self, number: int) -> _TermDocs:
        """A writer of one term's documents arriving in pieces."""
        return _TermDocs(self, number)


class _TermDocs:
    """One term's documents appended in pieces, encoded once all are there (a term's gap
    width depends on all its gaps): 4 bytes a posting are held meanwhile."""

    def __init__(self, out: _DocsOut, number: int) -> None:
        self._out = out
        self._number = number
        self._pieces: list[npt.NDArray[np.uint32]] = []

    def add(self, docs: npt.NDArray[np.integer[Any]]) -> None:
        """Append the next documents (ascending, after those before)."""
        self._pieces.append(np.asarray(docs).astype(np.uint32))

    def finish(self) -> None:
        """Encode the term (nothing if it has no live posting: it is dropped)."""
        docs = np.concatenate(self._pieces) if self._pieces else np.zeros(0, np.uint32)
        self._pieces = []
        if len(docs):
            self._out.add(self._number, np.asarray([len(docs)], dtype=np.int64), docs)
