"""Compressed document numbers (segment format 3): per term, its first document in 4 bytes,
then the gaps between its documents in the narrowest of 1, 2 or 4 bytes that holds them.

One width per term (not per block) keeps decoding one view and one cumulative sum, and
block ``k`` of a term at a fixed byte offset; the first document kept apart keeps a large
document number from widening the gaps (sizes on news x16: 43.8 MB against 40.5 for a width
per block of 128, and 89.7 for plain 4-byte numbers). Arrays:

    ``post.docs``    uint8   per term: first document (<u4), then its gaps, little-endian
    ``terms.docs``   offsets [terms + 1] where each term's bytes start in ``post.docs``
    ``skip.terms``   offsets the terms of more than one block of :data:`BLOCK` postings
    ``skip.first``   offsets [len(skip.terms) + 1] where each one's blocks start in
                     ``skip.last``
    ``skip.last``    uint32  [blocks] the last document of each block (skip data)

A term's width is ``(bytes - 4) / (postings - 1)`` (a term of one posting has 4 bytes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import CorruptIndexError
from heron.index._arrays import concat_ranges

#: postings per block (of the skip data)
BLOCK = 128
#: the widths of a term's gaps, in bytes
WIDTHS = (1, 2, 4)
_DTYPES: dict[int, np.dtype[Any]] = {1: np.dtype(np.uint8), 2: np.dtype("<u2"),
                                     4: np.dtype("<u4")}
_U4 = np.dtype("<u4")
#: terms of at least this many postings (more than one block) have their decoded documents
#: kept (per segment): one document's posting is looked up in them per hit and term when
#: highlighting, and decoding the term each time made snippets a third slower
CACHED_FROM = BLOCK + 1
#: the most decoded postings kept per segment (4 bytes each)
CACHE_POSTINGS = 1 << 22


@frozen
class EncodedTerms:
    """Terms' documents, encoded: the bytes, and each term's byte count."""

    data: npt.NDArray[np.uint8]
    nbytes: npt.NDArray[np.int64]


def encode_terms(docs: npt.NDArray[Any], counts: npt.NDArray[np.int64]) -> EncodedTerms:
    """Encode the documents of terms holding ``counts`` postings each (all above 0), one term
    after another, each term's ascending.

    >>> enc = encode_terms(np.array([7, 3, 300, 301]), np.array([1, 3]))
    >>> enc.nbytes.tolist(), enc.data.tolist()
    ([4, 8], [7, 0, 0, 0, 3, 0, 0, 0, 41, 1, 1, 0])
    """
    values = docs.astype(np.int64)
    firsts = np.cumsum(counts) - counts
    gaps = np.empty(len(values), dtype=np.int64)
    if len(values):
        gaps[1:] = values[1:] - values[:-1]
        gaps[firsts] = 0
        if np.count_nonzero(gaps <= 0) != len(counts):  # only the terms' first postings
            raise _not_ascending()
    top = np.maximum.reduceat(gaps, firsts) if len(values) else np.zeros(0, np.int64)
    widths = _widths(top)
    nbytes = 4 + widths * (counts - 1)
    data = np.empty(int(nbytes.sum()), dtype=np.uint8)
    starts = np.cumsum(nbytes) - nbytes
    data[concat_ranges(starts, np.full(len(counts), 4))] = values[firsts].astype(_U4).view(
        np.uint8)
    for width in WIDTHS:
        chosen = np.flatnonzero((widths == width) & (counts > 1))
        if len(chosen):
            rest = concat_ranges(firsts[chosen] + 1, counts[chosen] - 1)
            raw = gaps[rest].astype(_DTYPES[width]).view(np.uint8)
            data[concat_ranges(starts[chosen] + 4, (counts[chosen] - 1) * width)] = raw
    return EncodedTerms(data, nbytes)


def _widths(top: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The byte width of the gaps of terms whose largest gaps are ``top``."""
    return np.where(top < 1 << 8, 1, np.where(top < 1 << 16, 2, 4))


def _not_ascending() -> CorruptIndexError:
    return CorruptIndexError("the documents of a term do not ascend: a segment being merged "
                             "is damaged (Index.check() names it)")


def encode_long_term(docs: npt.NDArray[Any], step: int
                     ) -> tuple[int, Iterator[npt.NDArray[np.uint8]]]:
    """One term's documents encoded as :func:`encode_terms` encodes them, ``step`` postings
    at a time (so that a merge's memory stays bounded whatever the term's length): its
    byte count, and its bytes in pieces."""
    def gaps() -> Iterator[npt.NDArray[np.int64]]:
        for lo in range(1, len(docs), step):
            piece = docs[lo - 1 : lo + step].astype(np.int64)
            yield piece[1:] - piece[:-1]

    top = 0
    for piece in gaps():  # the width needs the largest gap of all
        if int(piece.min()) <= 0:
            raise _not_ascending()
        top = max(top, int(piece.max()))
    width = int(_widths(np.asarray([top]))[0])

    def pieces() -> Iterator[npt.NDArray[np.uint8]]:
        yield np.asarray(docs[:1]).astype(_U4).view(np.uint8)
        for piece in gaps():
            yield piece.astype(_DTYPES[width]).view(np.uint8)

    return 4 + width * (len(docs) - 1), pieces()


def block_last(docs: npt.NDArray[Any], counts: npt.NDArray[np.int64]
               ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[Any]]:
    """The skip data of terms holding ``counts`` postings of ``docs``: the indices of the
    terms of more than one block, their block counts, and their blocks' last documents."""
    multi = np.flatnonzero(counts > BLOCK)
    nblocks = (counts[multi] + BLOCK - 1) // BLOCK
    firsts = (np.cumsum(counts) - counts)[multi]
    owner = np.repeat(np.arange(len(multi)), nblocks)
    index = np.arange(int(nblocks.sum()), dtype=np.int64) - (np.cumsum(nblocks) - nblocks)[owner]
    ends = np.minimum((index + 1) * BLOCK, counts[multi][owner]) - 1
    return multi, nblocks, np.asarray(docs)[firsts[owner] + ends]


@frozen
class Encoded:
    """A format-3 segment's arrays of document numbers (checked: see
    :func:`encoding_problem`), and the posting offsets of its terms (``terms.post``)."""

    data: npt.NDArray[np.uint8]
    term_bytes: npt.NDArray[Any]
    post: npt.NDArray[Any]
    skip_terms: npt.NDArray[Any]
    skip_first: npt.NDArray[Any]
    last: npt.NDArray[Any]


class DocsReader:
    """Decodes the document numbers of a format-3 segment, keeping the recently decoded
    documents of long terms (at least :data:`CACHED_FROM` postings, :data:`CACHE_POSTINGS`
    in all, read-only): a query's terms are decoded once, whatever asks for them.

    Opening checked the structure (:func:`encoding_problem` without ``full``); each decode
    checks what it reads, in passes over the narrow gaps (no gap of 0 after a term's first
    posting, the last document below the document count, blocks ending at their skip
    data's documents), so a damaged file raises :class:`CorruptIndexError`, never yields
    documents out of order or out of range.
    """

    def __init__(self, enc: Encoded, doc_count: int, name: str) -> None:
        self.enc = enc
        self.doc_count = doc_count
        self.name = name
        self._cache: OrderedDict[int, npt.NDArray[np.uint32]] = OrderedDict()
        self._cached = 0
        self._budget = CACHE_POSTINGS
        self._lock = threading.Lock()

    def _damaged(self, term: int) -> CorruptIndexError:
        return CorruptIndexError(f"{self.name}: the documents of term {term} are damaged")

    def _term(self, term: int) -> tuple[int, int, int]:
        """A term's first byte, posting count and width (0: fewer than two postings)."""
        a, b = self.enc.term_bytes[term : term + 2].tolist()
        p, q = self.enc.post[term : term + 2].tolist()
        n = q - p
        return a, n, (b - a - 4) // (n - 1) if n > 1 else 0

    def term(self, term: int) -> npt.NDArray[np.uint32]:
        """All documents of one term, ascending."""
        a, n, width = self._term(term)
        if n < CACHED_FROM:
            return self._prefix(term, a, width, n)
        with self._lock:  # segments may be searched from several threads
            docs = self._cache.get(term)
            if docs is not None:
                self._cache.move_to_end(term)
                return docs
        docs = self._prefix(term, a, width, n)
        docs.flags.writeable = False
        with self._lock:
            if term not in self._cache and n <= self._budget:
                self._cache[term] = docs
                self._cached += n
                while self._cached > self._budget:
                    self._cached -= len(self._cache.popitem(last=False)[1])
        return docs

    def _prefix(self, term: int, a: int, width: int, hi: int) -> npt.NDArray[np.uint32]:
        """The first ``hi`` documents of a term whose bytes start at ``a``."""
        out = np.empty(hi, dtype=np.uint32)
        if hi:
            data = self.enc.data
            out[:1] = data[a : a + 4].view(_U4)
            if hi > 1:
                gaps = data[a + 4 : a + 4 + (hi - 1) * width].view(_DTYPES[width])
                self._check_gaps(term, gaps, int(out[0]))
                out[1:] = gaps  # then one cumulative sum in place: the fastest numpy has
                np.cumsum(out, out=out)
            if int(out[-1]) >= self.doc_count:
                raise self._damaged(term)
        return out

    def _check_gaps(self, term: int, gaps: npt.NDArray[Any], base: int) -> None:
        """No gap is 0 (documents ascend strictly), and ``base`` plus the gaps stays below
        2**32, so a 32-bit cumulative sum cannot wrap around (usually certain from the
        gaps' width and count alone; else from their largest; else summed)."""
        most = len(gaps) * ((1 << 8 * gaps.itemsize) - 1)  # the largest sum of such gaps
        if not gaps.min() or (base + most >= 1 << 32 and base + len(gaps) * int(
                gaps.max()) >= 1 << 32 and base + int(gaps.sum(dtype=np.uint64)) >= 1 << 32):
            raise self._damaged(term)

    def _blocks_of(self, term: int) -> tuple[int, int]:
        skip_terms = self.enc.skip_terms  # searched in its own dtype: no copy of it
        i = int(skip_terms.searchsorted(np.asarray(term, dtype=skip_terms.dtype)))
        lo, hi = self.enc.skip_first[i : i + 2].tolist()
        return int(lo), int(hi)

    def last_docs(self, term: int) -> npt.NDArray[np.uint32]:
        """The last document of each block of a term (skip data)."""
        a, n, width = self._term(term)
        if n <= BLOCK:
            return self._prefix(term, a, width, n)[-1:]
        lo, hi = self._blocks_of(term)
        return self.enc.last[lo:hi]

    def blocks(self, term: int, lo: int, hi: int) -> npt.NDArray[np.uint32]:
        """The documents of blocks ``[lo, hi)`` of a term (postings ``[lo * 128, ...)``)."""
        a, n, width = self._term(term)
        first, stop = max(lo, 0) * BLOCK, min(hi * BLOCK, n)
        if first >= stop:
            return np.zeros(0, dtype=np.uint32)
        if first == 0:
            return self._prefix(term, a, width, stop)
        skip = self._blocks_of(term)[0]
        base = int(self.enc.last[skip + first // BLOCK - 1])
        gaps = self.enc.data[a + 4 + (first - 1) * width : a + 4 + (stop - 1) * width].view(
            _DTYPES[width])
        self._check_gaps(term, gaps, base)
        docs = gaps.astype(np.uint32)
        docs[0] += np.uint32(base)
        np.cumsum(docs, out=docs)
        # the blocks must end at the skip data's document (which opening checked in range)
        if int(docs[-1]) != int(self.enc.last[skip + (stop - 1) // BLOCK]):
            raise self._damaged(term)
        return docs

    def terms(self, start: int, stop: int) -> npt.NDArray[np.uint32]:
        """The documents of the terms ``[start, stop)``, one term after another."""
        counts = _diff(self.enc.post[start : stop + 1])
        gaps = decode_terms(self.enc, start, stop, cumulative=False)
        problem = _gaps_problem(gaps, counts, self.doc_count)
        if problem:
            raise CorruptIndexError(f"{self.name}: {problem}")
        return _cumulate(gaps, counts).astype(np.uint32)

    def end_byte(self, term: int) -> int:
        """Where the bytes of the terms before ``term`` end (to release read pages)."""
        return int(self.enc.term_bytes[term])


def _diff(offsets: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Differences of offsets, as int64 (never unsigned: no wrapping around)."""
    wide = offsets.astype(np.int64)
    return wide[1:] - wide[:-1]


def decode_terms(enc: Encoded, start: int, stop: int, *, cumulative: bool
                 ) -> npt.NDArray[np.int64]:
    """The gaps (each term's first one its first document) or, if ``cumulative``, the
    documents of the terms ``[start, stop)``, one term after another, vectorised (not
    checked: see :func:`_gaps_problem`)."""
    counts = _diff(enc.post[start : stop + 1])
    nbytes = _diff(enc.term_bytes[start : stop + 1])
    out = np.zeros(int(counts.sum()), dtype=np.int64)
    if not len(out):
        return out
    present = np.flatnonzero(counts > 0)
    at = enc.term_bytes[start:stop].astype(np.int64)
    firsts = np.cumsum(counts) - counts
    out[firsts[present]] = enc.data[concat_ranges(at[present], np.full(len(present), 4))].view(
        _U4)
    many = counts > 1
    widths = np.zeros(len(counts), dtype=np.int64)
    widths[many] = (nbytes[many] - 4) // (counts[many] - 1)
    for width in WIDTHS:
        chosen = np.flatnonzero(widths == width)
        if len(chosen):
            raw = enc.data[concat_ranges(at[chosen] + 4, (counts[chosen] - 1) * width)]
            out[concat_ranges(firsts[chosen] + 1, counts[chosen] - 1)] = raw.view(
                _DTYPES[width])
    return _cumulate(out, counts) if cumulative else out


def _cumulate(gaps: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]
              ) -> npt.NDArray[np.int64]:
    """Documents from gaps (each term's first gap its first document), term by term."""
    present = counts > 0
    firsts = (np.cumsum(counts) - counts)[present]
    running: npt.NDArray[np.int64] = np.cumsum(gaps)
    if len(running):
        running -= np.repeat(running[firsts] - gaps[firsts], counts[present])
    return running


def _gaps_problem(gaps: npt.NDArray[np.int64], counts: npt.NDArray[np.int64],
                  doc_count: int) -> str | None:
    """What is wrong with decoded gaps: a gap of 0 past a term's first posting (documents
    must ascend strictly), a term's last document past the segment's end."""
    if not len(gaps):
        return None
    present = counts > 0
    firsts = (np.cumsum(counts) - counts)[present]
    zero = np.flatnonzero(gaps == 0)
    if len(zero) and not bool(np.isin(zero, firsts).all()):
        return "postings are not ascending within a term"
    if int(np.add.reduceat(gaps, firsts).max()) >= doc_count:
        return "a posting names a document past the segment's end"
    return None


def encoding_problem(enc: Encoded, doc_count: int, *, full: bool = True,
                     chunk: int = 1 << 20) -> str | None:
    """What is wrong with a segment's encoded documents (None: nothing): each term's byte
    count is 4 and a gap width of 1, 2 or 4 bytes per further posting; the skip data names
    exactly the terms of more than one block, with as many blocks, its documents in range
    (O(terms), what opening a segment checks); and, if ``full`` (``Index.check()``), in
    O(n) vectorised passes a chunk of terms at a time: documents ascend strictly within
    each term and stay below ``doc_count``, each block ends at its skip data's document.

    ``term_bytes``, ``skip_first`` and ``post`` are offsets already checked (start at 0,
    ascending, ending at the lengths of ``data``, ``last`` and the frequencies).
    """
    problem = _structure_problem(enc, doc_count)
    if problem or not full:
        return problem
    post = enc.post
    bounds = np.searchsorted(post, np.arange(0, int(post[-1]), chunk), side="right") - 1
    cuts = np.unique(np.concatenate((bounds, [len(post) - 1])))
    for start, stop in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        problem = _chunk_problem(enc, doc_count, start, stop)
        if problem:
            return problem
    return None


def _structure_problem(enc: Encoded, doc_count: int) -> str | None:
    """What is wrong with the byte counts and skip data (O(terms + blocks))."""
    counts = _diff(enc.post)
    nbytes = _diff(enc.term_bytes)
    rest = nbytes - 4
    fits = np.where(counts > 1, (rest == counts - 1) | (rest == 2 * (counts - 1)) | (
        rest == 4 * (counts - 1)), nbytes == 4 * counts)
    multi = np.flatnonzero(counts > BLOCK)
    why = None
    if not bool(fits.all()):
        why = "a term's bytes do not hold its postings"
    elif not np.array_equal(enc.skip_terms.astype(np.int64), multi):
        why = "the skip data does not name the terms of more than one block"
    elif not np.array_equal(_diff(enc.skip_first), (counts[multi] + BLOCK - 1) // BLOCK):
        why = "the skip data does not hold the blocks of its terms"
    elif len(enc.last) and int(enc.last.max()) >= doc_count:
        why = "the skip data names a document past the segment's end"
    return why


def _chunk_problem(enc: Encoded, doc_count: int, start: int, stop: int) -> str | None:
    counts = _diff(enc.post[start : stop + 1])
    gaps = decode_terms(enc, start, stop, cumulative=False)
    problem = _gaps_problem(gaps, counts, doc_count)
    if problem:
        return problem
    multi, _, last = block_last(_cumulate(gaps, counts), counts)
    if len(multi):
        lo = enc.skip_terms.searchsorted(np.asarray(start, dtype=enc.skip_terms.dtype))
        stored = enc.last[int(enc.skip_first[lo]) : int(enc.skip_first[lo + len(multi)])]
        if not np.array_equal(last, stored.astype(np.int64)):
            return "the skip data's last documents are not the blocks' last documents"
    return None
