"""Compressed document numbers (segment format 3): per block of 128 postings of a term,
the gaps between documents in the narrowest of 1, 2 or 4 bytes.

A term's postings are cut into blocks of :data:`BLOCK` (the last one shorter). Each value
is the document's gap to the one before it in the term (the first posting's gap is its
document number), so a plain cumulative sum over a term gives its documents back, and a
block is decoded alone from the last document of the block before it. Arrays:

    ``post.docs``    uint8   the gaps, block after block, term after term, each block's
                     values little-endian in its width
    ``terms.docs``   offsets [terms + 1] where each term's bytes start in ``post.docs``
    ``skip.terms``   offsets the terms with more than one block, ascending
    ``skip.first``   offsets [len(skip.terms) + 1] where each one's blocks start in the two
                     arrays below
    ``skip.widths``  uint8   [blocks] the width of each block's values (1, 2 or 4)
    ``skip.last``    uint32  [blocks] the last document of each block (skip data)

A term of one block (most terms: most have a single posting) has no skip entry: its width
is its byte count over its posting count.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.index._arrays import concat_ranges

#: postings per block
BLOCK = 128
#: the widths a block's values may have, in bytes
WIDTHS = (1, 2, 4)
#: runs of one width past which a term's blocks are gathered in one vectorised pass
_RUNS = 32
_DTYPES: dict[int, np.dtype[Any]] = {1: np.dtype(np.uint8), 2: np.dtype("<u2"),
                                     4: np.dtype("<u4")}


@frozen
class EncodedBlocks:
    """Blocks of gaps, encoded: the bytes, and each block's width and byte count."""

    data: npt.NDArray[np.uint8]
    widths: npt.NDArray[np.uint8]
    nbytes: npt.NDArray[np.int64]


def encode_blocks(docs: npt.NDArray[Any], sizes: npt.NDArray[np.int64],
                  bases: npt.NDArray[np.int64]) -> EncodedBlocks:
    """Encode ``docs`` (ascending within each block) cut into blocks of ``sizes``, each
    block's first gap taken from its ``bases`` entry (0 for a term's first block, else the
    last document of the block before).

    >>> enc = encode_blocks(np.array([3, 300, 301]), np.array([2, 1]), np.array([0, 300]))
    >>> enc.widths.tolist(), enc.nbytes.tolist(), enc.data.tolist()
    ([2, 1], [4, 1], [3, 0, 41, 1, 1])
    """
    values = docs.astype(np.int64)
    gaps = np.empty(len(values), dtype=np.int64)
    if len(values):
        gaps[1:] = values[1:] - values[:-1]
        firsts = np.cumsum(sizes) - sizes
        gaps[firsts] = values[firsts] - bases
    block_of = np.repeat(np.arange(len(sizes)), sizes)
    top = np.zeros(len(sizes), dtype=np.int64)
    np.maximum.at(top, block_of, gaps)
    widths = np.where(top < 1 << 8, 1, np.where(top < 1 << 16, 2, 4)).astype(np.uint8)
    nbytes = widths.astype(np.int64) * sizes
    data = np.empty(int(nbytes.sum()), dtype=np.uint8)
    per_value = widths[block_of]
    where = np.cumsum(per_value, dtype=np.int64) - per_value
    for width in WIDTHS:
        chosen = np.flatnonzero(per_value == width)
        if len(chosen):
            raw = gaps[chosen].astype(_DTYPES[width]).view(np.uint8)
            data[concat_ranges(where[chosen], np.full(len(chosen), width))] = raw
    return EncodedBlocks(data, widths, nbytes)


def term_blocks(counts: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64],
                                                        npt.NDArray[np.int64]]:
    """Per term, how many blocks its ``counts`` postings make; and each block's size.

    >>> [a.tolist() for a in term_blocks(np.array([1, 300, 128]))]
    [[1, 3, 1], [1, 128, 128, 44, 128]]
    """
    nblocks = np.maximum((counts + BLOCK - 1) // BLOCK, 1)
    first = np.cumsum(nblocks) - nblocks
    owner = np.repeat(np.arange(len(counts)), nblocks)
    index = np.arange(int(nblocks.sum()), dtype=np.int64) - first[owner]
    sizes = np.minimum(counts[owner] - index * BLOCK, BLOCK)
    return nblocks, np.maximum(sizes, 0)


def gather(data: npt.NDArray[np.uint8], starts: npt.NDArray[Any],
           widths: npt.NDArray[Any], sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]:
    """The values of runs of ``sizes`` values of ``widths`` bytes starting at byte ``starts``,
    one run after another (runs of one width are read together)."""
    out = np.empty(int(sizes.sum()), dtype=np.uint32)
    at = np.cumsum(sizes) - sizes
    for width in WIDTHS:
        chosen = np.flatnonzero(widths == width)
        if not len(chosen):
            continue
        raw = data[concat_ranges(starts[chosen], sizes[chosen] * width)]
        out[concat_ranges(at[chosen], sizes[chosen])] = raw.view(_DTYPES[width])
    return out


@frozen
class Encoded:
    """A format-3 segment's arrays of document numbers (checked: see
    :func:`encoding_problem`), and the posting offsets of its terms (``terms.post``)."""

    data: npt.NDArray[np.uint8]
    term_bytes: npt.NDArray[Any]
    post: npt.NDArray[Any]
    skip_terms: npt.NDArray[Any]
    skip_first: npt.NDArray[Any]
    widths: npt.NDArray[np.uint8]
    last: npt.NDArray[Any]


class DocsReader:
    """Decodes the document numbers of a format-3 segment."""

    def __init__(self, enc: Encoded) -> None:
        self.enc = enc

    def term(self, term: int) -> npt.NDArray[np.uint32]:
        """All documents of one term, ascending."""
        enc = self.enc
        a, b = enc.term_bytes[term : term + 2].tolist()
        p, q = enc.post[term : term + 2].tolist()
        n = q - p
        if n <= BLOCK:
            if not n:
                return np.zeros(0, dtype=np.uint32)
            return np.cumsum(enc.data[a:b].view(_DTYPES[(b - a) // n]), dtype=np.uint32)
        lo, hi = self._blocks_of(term)
        widths = enc.widths[lo:hi]
        if int(widths.min()) == int(widths.max()):
            return np.cumsum(enc.data[a:b].view(_DTYPES[int(widths[0])]), dtype=np.uint32)
        return np.cumsum(self._gather_blocks(a, n, widths, 0, hi - lo), dtype=np.uint32)

    def _blocks_of(self, term: int) -> tuple[int, int]:
        skip_terms = self.enc.skip_terms  # searched in its own dtype: no copy of it
        i = int(skip_terms.searchsorted(np.asarray(term, dtype=skip_terms.dtype)))
        lo, hi = self.enc.skip_first[i : i + 2].tolist()
        return int(lo), int(hi)

    def _gather_blocks(self, start: int, n: int, widths: npt.NDArray[np.uint8], lo: int,
                       hi: int) -> npt.NDArray[np.uint32]:
        """Gaps of blocks ``[lo, hi)`` of a term of ``n`` postings whose bytes start at
        ``start`` and whose blocks have ``widths``."""
        sizes = np.minimum(n - np.arange(len(widths), dtype=np.int64) * BLOCK, BLOCK)
        nbytes = sizes * widths
        starts = start + np.cumsum(nbytes) - nbytes
        widths = widths[lo:hi]
        changes = np.flatnonzero(widths[1:] != widths[:-1]) + 1
        if len(changes) > _RUNS:
            return gather(self.enc.data, starts[lo:hi], widths, sizes[lo:hi])
        # few runs of one width (the usual case): a view of each run's bytes
        cuts = [0, *changes.tolist(), len(widths)]
        ends = starts + nbytes
        return np.concatenate([
            self.enc.data[int(starts[lo + i]) : int(ends[lo + j - 1])].view(
                _DTYPES[int(widths[i])]).astype(np.uint32)
            for i, j in itertools.pairwise(cuts)])

    def last_docs(self, term: int) -> npt.NDArray[np.uint32]:
        """The last document of each block of a term (skip data)."""
        p, q = self.enc.post[term : term + 2].tolist()
        if q - p <= BLOCK:
            return self.term(term)[-1:]
        lo, hi = self._blocks_of(term)
        return self.enc.last[lo:hi]

    def blocks(self, term: int, lo: int, hi: int) -> npt.NDArray[np.uint32]:
        """The documents of blocks ``[lo, hi)`` of a term (postings ``[lo * 128, ...)``)."""
        p, q = self.enc.post[term : term + 2].tolist()
        if q - p <= BLOCK:
            return self.term(term) if lo <= 0 < hi else np.zeros(0, dtype=np.uint32)
        first, stop = self._blocks_of(term)
        lo, hi = max(lo, 0), min(hi, stop - first)
        if lo >= hi:
            return np.zeros(0, dtype=np.uint32)
        a = int(self.enc.term_bytes[term])
        gaps = self._gather_blocks(a, q - p, self.enc.widths[first:stop], lo, hi)
        docs = np.cumsum(gaps, dtype=np.uint32)
        docs += np.uint32(int(self.enc.last[first + lo - 1]) if lo else 0)
        return docs

    def terms(self, start: int, stop: int) -> npt.NDArray[np.uint32]:
        """The documents of the terms ``[start, stop)``, one term after another."""
        return decode_terms(self.enc, start, stop, cumulative=True)

    def end_byte(self, term: int) -> int:
        """Where the bytes of the terms before ``term`` end (to release read pages)."""
        return int(self.enc.term_bytes[term])


def _diff(offsets: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Differences of offsets, as int64 (never unsigned: no wrapping around)."""
    wide = offsets.astype(np.int64)
    return wide[1:] - wide[:-1]


def decode_terms(enc: Encoded, start: int, stop: int, *, cumulative: bool
                 ) -> npt.NDArray[np.uint32]:
    """The gaps (or, if ``cumulative``, the documents) of the terms ``[start, stop)``,
    one term after another, in one vectorised pass."""
    counts = _diff(enc.post[start : stop + 1])
    nbytes = _diff(enc.term_bytes[start : stop + 1])
    if not len(counts) or not int(counts.sum()):
        return np.zeros(0, dtype=np.uint32)
    nblocks, sizes = term_blocks(counts)
    block_widths = np.zeros(len(sizes), dtype=np.int64)
    term_first = np.cumsum(nblocks) - nblocks
    single = nblocks == 1
    block_widths[term_first[single]] = nbytes[single] // np.maximum(counts[single], 1)
    multi = np.flatnonzero(~single)
    if len(multi):
        at = enc.skip_terms.searchsorted((multi + start).astype(enc.skip_terms.dtype))
        lo = enc.skip_first[at].astype(np.int64)
        block_widths[concat_ranges(term_first[multi], nblocks[multi])] = enc.widths[
            concat_ranges(lo, nblocks[multi])]
    block_bytes = block_widths * sizes
    owner = np.repeat(np.arange(len(counts)), nblocks)
    within = np.cumsum(block_bytes) - block_bytes
    starts = enc.term_bytes[start:stop].astype(np.int64)[owner] + within - within[
        term_first][owner]
    gaps = gather(enc.data, starts, block_widths, sizes)
    if not cumulative:
        return gaps
    running = np.cumsum(gaps, dtype=np.int64)
    present = counts > 0
    firsts = (np.cumsum(counts) - counts)[present]
    before = running[firsts] - gaps[firsts]
    docs: npt.NDArray[np.uint32] = (running - np.repeat(before, counts[present])).astype(
        np.uint32)
    return docs


def encoding_problem(enc: Encoded, doc_count: int, chunk: int = 1 << 20) -> str | None:
    """What is wrong with a segment's encoded documents (None: nothing), in O(n) vectorised
    passes a chunk of terms at a time: the skip entries name exactly the terms of more than
    one block, with as many blocks as their postings make; widths are 1, 2 or 4; each term's
    byte count is what its blocks take; documents ascend strictly within each term and stay
    below ``doc_count``; each block's last document is the one the skip data says.

    ``term_bytes``, ``skip_first`` and ``post`` are offsets already checked (start at 0,
    ascending, ending at the lengths of ``data``, ``widths`` and the frequencies).
    """
    problem = _structure_problem(enc)
    if problem:
        return problem
    post = enc.post
    bounds = np.searchsorted(post, np.arange(0, int(post[-1]), chunk), side="right") - 1
    cuts = np.unique(np.concatenate((bounds, [len(post) - 1])))
    for start, stop in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        problem = _chunk_problem(enc, doc_count, start, stop)
        if problem:
            return problem
    return None


def _structure_problem(enc: Encoded) -> str | None:
    counts = _diff(enc.post)
    nbytes = _diff(enc.term_bytes)
    multi = np.flatnonzero(counts > BLOCK)
    nblocks, sizes = term_blocks(counts)
    single = counts <= BLOCK
    fits = (nbytes[single] == counts[single]) | (nbytes[single] == 2 * counts[single]) | (
        nbytes[single] == 4 * counts[single])
    why = None
    if not np.array_equal(enc.skip_terms.astype(np.int64), multi):
        why = "the skip data does not name the terms of more than one block"
    elif not np.array_equal(_diff(enc.skip_first), nblocks[multi]):
        why = "the skip data does not hold the blocks of its terms"
    elif len(enc.widths) != len(enc.last) or not bool(np.isin(enc.widths, WIDTHS).all()):
        why = "a block's width is not 1, 2 or 4"
    elif not bool(fits.all()):
        why = "a term's bytes do not hold its postings"
    else:
        term_first = np.cumsum(nblocks) - nblocks
        taken = np.zeros(len(counts), dtype=np.int64)
        if len(multi):
            mine = concat_ranges(term_first[multi], nblocks[multi])
            np.add.at(taken, np.repeat(multi, nblocks[multi]),
                      enc.widths.astype(np.int64) * sizes[mine])
        if not np.array_equal(taken[multi], nbytes[multi]):
            why = "a term's bytes do not hold its blocks"
    return why


def _chunk_problem(enc: Encoded, doc_count: int, start: int, stop: int) -> str | None:
    counts = _diff(enc.post[start : stop + 1])
    gaps = decode_terms(enc, start, stop, cumulative=False).astype(np.int64)
    present = counts > 0
    firsts = (np.cumsum(counts) - counts)[present]
    zero = np.flatnonzero(gaps == 0)
    if len(zero) and not bool(np.isin(zero, firsts).all()):
        return "postings are not ascending within a term"
    if len(gaps) and int(np.add.reduceat(gaps, firsts).max()) >= doc_count:
        return "a posting names a document past the segment's end"
    multi = np.flatnonzero(counts > BLOCK)
    if len(multi):
        running = np.cumsum(gaps)
        docs = running - np.repeat(running[firsts] - gaps[firsts], counts[present])
        nblocks, sizes = term_blocks(counts)
        ends = np.cumsum(sizes) - 1
        term_first = np.cumsum(nblocks) - nblocks
        mine = concat_ranges(term_first[multi], nblocks[multi])
        at = enc.skip_terms.searchsorted((multi + start).astype(enc.skip_terms.dtype))
        stored = enc.last[concat_ranges(enc.skip_first[at].astype(np.int64), nblocks[multi])]
        if not np.array_equal(docs[ends[mine]], stored.astype(np.int64)):
            return "the skip data's last documents are not the blocks' last documents"
    return None
