"""Block bounds of a segment's postings: per block of 128, the largest frequency, the
shortest field length and the first and last document (what block-max pruning needs).

Segments do not store them yet: :func:`block_table` computes them from the postings,
norms and term ranges when a segment is first searched with pruning, a few vectorised
passes over the postings (in chunks, so memory stays bounded), and keeps them with the
segment (:attr:`SegmentReader.derived`). Only terms with more than one block's postings
get entries; a shorter list is bounded directly from its postings
(:func:`term_blocks`), which costs no more than reading them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import CorruptIndexError
from heron.index._format import POS_DATA, POST_FREQS, TERMS_POS, TERMS_POST
from heron.index._segment_reader import SegmentReader

#: postings per block
BLOCK = 128
#: summing a posting's block up to it costs about this many times summing whole lists
#: per posting (measured): fewer postings than a list's length over this are read by block
_SUMMED = 3 * BLOCK
#: postings handled at once while computing a segment's table
_CHUNK = 1 << 22
_KEY = ("blocks", "table")
_NO_BEFORE = np.zeros(1, dtype=np.int64)


@frozen
class Blocks:
    """The blocks of one term's postings in a segment: offsets into its posting list,
    and per block the largest frequency, shortest length (None: the field keeps none),
    first and last document."""

    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    max_freq: npt.NDArray[np.int64]
    min_length: npt.NDArray[np.int64] | None
    first_doc: npt.NDArray[np.int64]
    last_doc: npt.NDArray[np.int64]


@frozen
class BlockTable:
    """Block bounds of every term of a segment with more than :data:`BLOCK` postings."""

    terms: npt.NDArray[np.int64]
    """their numbers, ascending"""
    first: npt.NDArray[np.int64]
    """each one's first block (one more entry: the end)"""
    max_freq: npt.NDArray[np.uint32]
    min_length: npt.NDArray[np.uint32]
    """0 where the field keeps no lengths"""
    first_doc: npt.NDArray[np.uint32]
    last_doc: npt.NDArray[np.uint32]
    pos_before: npt.NDArray[np.int64]
    """positions of the term before each block"""

    def blocks_of(self, term_no: int) -> tuple[int, int]:
        """The entries ``[lo, hi)`` of a term of more than one block."""
        i = int(self.terms.searchsorted(term_no))
        return int(self.first[i]), int(self.first[i + 1])


def block_table(segment: SegmentReader) -> BlockTable:
    """The segment's block bounds, computed once and kept with the segment."""
    cached: BlockTable | None = segment.derived.get(_KEY)
    if cached is None:
        cached = segment.derived[_KEY] = _compute(segment)
    return cached


def term_blocks(segment: SegmentReader, term_no: int, field: str) -> Blocks:
    """The blocks of one term's postings (a short list: one block, bounded from itself)."""
    post = segment.raw_array(TERMS_POST)
    a, b = int(post[term_no]), int(post[term_no + 1])
    docs, freqs = segment.postings(term_no)
    norms = segment.norms(field)
    if b - a <= BLOCK:
        one = np.zeros(1, dtype=np.int64)
        return Blocks(one, one + (b - a), one + int(freqs.max()),
                      None if norms is None else one + int(norms[docs].min()),
                      one + int(docs[0]), one + int(docs[-1]))
    table = block_table(segment)
    lo, hi = table.blocks_of(term_no)
    starts = np.arange(hi - lo, dtype=np.int64) * BLOCK
    ends = np.minimum(starts + BLOCK, b - a)
    return Blocks(starts, ends, table.max_freq[lo:hi].astype(np.int64),
                  None if norms is None else table.min_length[lo:hi].astype(np.int64),
                  table.first_doc[lo:hi].astype(np.int64), table.last_doc[lo:hi].astype(np.int64))


def _compute(segment: SegmentReader) -> BlockTable:
    post = segment.raw_array(TERMS_POST).astype(np.int64)
    freqs = segment.raw_array(POST_FREQS)
    df = np.diff(post)
    terms = np.flatnonzero(df > BLOCK).astype(np.int64)
    counts = (df[terms] + BLOCK - 1) // BLOCK
    first = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(counts, out=first[1:])
    owner = np.repeat(np.arange(len(terms)), counts)
    starts = post[terms][owner] + (np.arange(int(first[-1])) - first[owner]) * BLOCK
    ends = np.minimum(starts + BLOCK, post[terms + 1][owner])
    max_freq = np.zeros(len(starts), dtype=np.uint32)
    min_length = np.zeros(len(starts), dtype=np.uint32)
    sums = np.zeros(len(starts), dtype=np.int64)
    first_doc = np.zeros(len(starts), dtype=np.uint32)
    last_doc = np.zeros(len(starts), dtype=np.uint32)
    for field, (lo, hi) in segment.layout.ranges.items():
        norms = segment.norms(field)
        mine = np.flatnonzero((terms[owner] >= lo) & (terms[owner] < hi))
        for part in np.array_split(mine, max(1, int(ends[mine].sum() - starts[mine].sum())
                                              // _CHUNK + 1)):
            if len(part):
                a, b = int(starts[part[0]]), int(ends[part[-1]])
                # every block start and end cuts the slice; the pieces between terms go
                cuts = np.unique(np.concatenate((starts[part], ends[part]))) - a
                cuts = cuts[cuts < b - a]
                at = np.searchsorted(cuts, starts[part] - a)
                max_freq[part] = np.maximum.reduceat(freqs[a:b], cuts)[at]
                sums[part] = np.add.reduceat(freqs[a:b], cuts, dtype=np.int64)[at]
                docs = segment.docs_between(a, b)  # decoded (segment format 3)
                first_doc[part] = docs[starts[part] - a]
                last_doc[part] = docs[ends[part] - 1 - a]
                if norms is not None:
                    min_length[part] = np.minimum.reduceat(norms[docs], cuts)[at]
    running = np.cumsum(sums) - sums  # positions before each block, over all terms
    pos_before = running - running[first[:-1]][owner]
    return BlockTable(terms, first, max_freq, min_length, first_doc, last_doc, pos_before)


def posting_positions(segment: SegmentReader, term_no: int, idx: npt.NDArray[np.int64]
                      ) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The positions of some of a term's postings (``idx``, ascending): the term's position
    array, where each posting's positions start in it, and how many there are.

    Only the blocks holding those postings are summed, whatever the term's length.

    Raises:
        CorruptIndexError: the postings' positions lie outside the term's.
    """
    freqs = segment.freqs(term_no)  # not the documents: they would be decoded for nothing
    positions = _positions(segment, term_no)
    counts = freqs[idx].astype(np.int64)
    if not len(idx):
        return positions, counts, counts
    if len(idx) * _SUMMED >= len(freqs):  # summing the list up to the last posting is cheaper
        # 32 bits add up quicker, where bytes cannot overflow them (fewer than 2**23)
        total = np.int32 if freqs.itemsize == 1 and len(freqs) < 1 << 23 else np.int64
        starts = freqs[: int(idx[-1]) + 1].cumsum(dtype=total)[idx] - counts
    else:  # the positions before each posting's block, and those in it before the posting
        table = block_table(segment)
        first, _ = table.blocks_of(term_no)
        offset = idx % BLOCK
        ends = offset.cumsum()
        within = np.zeros(int(ends[-1]) + 1, dtype=np.int64)
        if len(within) > 1:  # each posting's part of its block, one after another
            before = idx - ends
            freqs[np.arange(len(within) - 1) + before.repeat(offset)].cumsum(dtype=np.int64,
                                                                          out=within[1:])
        starts = table.pos_before[first + idx // BLOCK] + within[ends] - within[ends - offset]
    if int(starts[-1] + counts[-1]) > len(positions):  # the last posting's end last
        raise _not_adding_up(segment, term_no)
    return positions, starts, counts


def term_positions(segment: SegmentReader, term_no: int
                   ) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """A term's positions (every posting's, one after another) and how many come before
    each of its blocks of :data:`BLOCK` postings (a short list: one block, none before).

    Raises:
        CorruptIndexError: the term's positions do not add up to its frequencies.
    """
    positions = _positions(segment, term_no)
    freqs = segment.freqs(term_no)
    before, last = _NO_BEFORE, 0
    if len(freqs) > BLOCK:
        table = block_table(segment)
        lo, hi = table.blocks_of(term_no)
        before = table.pos_before[lo:hi]
        last = (len(freqs) - 1) // BLOCK * BLOCK  # the last block's first posting
    if int(before[-1]) + int(freqs[last:].sum(dtype=np.int64)) != len(positions):
        raise _not_adding_up(segment, term_no)
    return positions, before


def _positions(segment: SegmentReader, term_no: int) -> npt.NDArray[Any]:
    """Every position of a term, one posting's after another."""
    a, b = segment.raw_array(TERMS_POS)[term_no : term_no + 2].tolist()
    return segment.raw_array(POS_DATA)[a:b]


def _not_adding_up(segment: SegmentReader, term_no: int) -> CorruptIndexError:
    return CorruptIndexError(f"{segment.name}: positions of term {term_no} do not add up")
