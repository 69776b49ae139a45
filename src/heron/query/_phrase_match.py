"""Phrase matching on arrays: the documents holding every word, their positions there,
and the exact and sloppy matches among them.

Each term's positions in the candidate documents are shifted back by the term's offset
in the phrase and packed with the document number into one 64-bit key, ascending; an
exact phrase is the intersection of those key sets. A sloppy phrase matches where some
window of ``slop + 1`` shifted positions holds every term (Lucene's measure: ``"b a"``
is ``"a b"`` with 2 moves).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.index import SegmentReader
from heron.index._blocks import posting_positions

_BIAS = np.int64(1 << 31)
_32 = np.int64(32)
_EMPTY = np.zeros(0, dtype=np.int64)
_ZERO = np.zeros(1, dtype=np.int64)
_NONE = np.zeros(0, dtype=np.intp)
#: what one entry costs, relative to one step of a binary search: a bitmap of the
#: documents costs a fixed part (clearing it) and a part with the lists' lengths
_BITMAP_FIXED = 11_000
_BITMAP_EACH = 1.2

Ints = npt.NDArray[np.int64]


def intersect(short: npt.NDArray[Any], long: npt.NDArray[Any], *, bitmap: bool | None = None
              ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Where two ascending lists of distinct numbers share one: the indexes in ``short``
    and in ``long`` of the numbers in both, ascending.

    Each number of ``short`` is looked up in ``long`` by binary search, or (lists of
    similar lengths, where that costs more) both are laid on a bitmap; ``bitmap`` forces
    one way (None: the cheaper by the lists' lengths).
    """
    if not len(short) or not len(long):
        return _NONE, _NONE
    if bitmap is None:
        bitmap = (len(short) * math.log2(len(long))
                  > _BITMAP_FIXED + _BITMAP_EACH * (len(short) + len(long)))
    if bitmap:
        marks = np.zeros(max(int(short[-1]), int(long[-1])) + 1, dtype=bool)
        marks[short] = True
        in_long = marks[long].nonzero()[0]
        return short.searchsorted(long[in_long]), in_long
    at = long.searchsorted(short)
    if at[-1] == len(long):  # past the end: the largest numbers of ``short`` (not in ``long``)
        at = at[: at.searchsorted(len(long))]
    in_short = (long[at] == short[: len(at)]).nonzero()[0]
    return in_short, at[in_short]


def common_postings(lists: list[npt.NDArray[Any]]
                    ) -> tuple[Ints, list[npt.NDArray[np.intp]]]:
    """The documents in every list (each ascending, distinct) and where each list holds
    them (the shortest lists first, so the candidates shrink early)."""
    order = sorted(range(len(lists)), key=lambda i: len(lists[i]))
    found = lists[order[0]]
    at: dict[int, npt.NDArray[np.intp]] = {}
    for i in order[1:]:
        keep, there = intersect(found, lists[i])
        found = found[keep]
        at = {j: a[keep] for j, a in at.items()}
        at[i] = there
        at.setdefault(order[0], keep)
    if order[0] not in at:  # a single list
        at[order[0]] = np.arange(len(found), dtype=np.intp)
    return found.astype(np.int64), [at[i] for i in range(len(lists))]


def position_keys(segment: SegmentReader, number: int, docs: Ints, idx: npt.NDArray[np.intp]
                  ) -> Ints:
    """Keys ``doc << 32 | position + 2**31``, ascending, of a term in some documents
    (``docs``, ascending), whose postings are ``idx`` in the term's list.

    Only those postings' positions are read (and only the blocks holding them summed),
    whatever the term's total number of postings.
    """
    positions, starts, counts = posting_positions(segment, number, idx)
    if not len(counts):
        return _EMPTY
    ends = counts.cumsum()
    index = np.arange(int(ends[-1])) + (starts - ends + counts).repeat(counts)
    keys: Ints = ((docs << _32) | _BIAS).repeat(counts) + positions[index]
    return keys


def _member(keys: Ints, within: Ints) -> npt.NDArray[np.intp]:
    """Indexes of the entries of ascending ``keys`` that ascending ``within`` holds."""
    if not len(within):
        return _NONE
    at = within.searchsorted(keys)
    if at[-1] == len(within):
        at = at[: at.searchsorted(len(within))]
    found: npt.NDArray[np.intp] = (within[at] == keys[: len(at)]).nonzero()[0]
    return found


def runs(docs: Ints) -> tuple[Ints, Ints]:
    """The distinct values of ascending ``docs`` and how often each occurs (what
    ``np.unique(..., return_counts=True)`` gives, without sorting again)."""
    if not len(docs):
        return _EMPTY, _EMPTY
    bounds = np.concatenate((_ZERO, (docs[1:] != docs[:-1]).nonzero()[0] + 1, [len(docs)]))
    return docs[bounds[:-1]], bounds[1:] - bounds[:-1]


def exact(keys: dict[int, Ints], numbers: list[int], offsets: tuple[int, ...]
          ) -> tuple[Ints, Ints]:
    """Documents where every term stands at its offset from a common place, and how many
    such places each holds."""
    found: Ints | None = None
    for number, offset in sorted(zip(numbers, offsets, strict=True),
                                 key=lambda p: len(keys[p[0]])):
        shifted = keys[number] - offset if offset else keys[number]
        found = shifted if found is None else found[_member(found, shifted)]
        if not len(found):
            break
    assert found is not None
    return runs(found >> _32)


def sloppy(keys: dict[int, Ints], numbers: list[int], offsets: tuple[int, ...], slop: int
           ) -> tuple[Ints, Ints]:
    """Windows anchored at each shifted position that hold every (distinct) term."""
    shifted = [keys[n] - o for n, o in zip(numbers, offsets, strict=True)]
    anchors = np.unique(np.concatenate(shifted))
    ok = np.ones(len(anchors), dtype=bool)
    for arr in shifted:
        lo = np.searchsorted(arr, anchors, side="left")
        hi = np.searchsorted(arr, anchors + slop, side="right")
        ok &= hi > lo
    # a window must stay inside one document: keys of the same doc share the top bits
    ok &= ((anchors + slop) >> 32) == (anchors >> 32)
    return runs(anchors[ok] >> _32)


def sloppy_repeated(keys: dict[int, Ints], numbers: list[int], offsets: tuple[int, ...],
                    slop: int) -> tuple[Ints, Ints]:
    """Sloppy phrases with a repeated term: each occurrence needs its own position."""
    docs_out: list[int] = []
    freqs_out: list[int] = []
    need = Counter(numbers)
    common = np.unique(np.concatenate([keys[n] for n in need]) >> 32)
    for doc in common.tolist():
        per_term = {n: ((keys[n][(keys[n] >> 32) == doc] & 0xFFFFFFFF) - _BIAS).tolist()
                    for n in need}
        count = _count_windows(per_term, numbers, offsets, slop)
        if count:
            docs_out.append(doc)
            freqs_out.append(count)
    return np.asarray(docs_out, dtype=np.int64), np.asarray(freqs_out, dtype=np.int64)


def _count_windows(per_term: dict[int, list[int]], numbers: list[int], offsets: tuple[int, ...],
                   slop: int) -> int:
    """Anchors (smallest shifted position) of windows with distinct positions per occurrence."""
    anchors = set()
    choices = [per_term[n] for n in numbers]
    for combo in itertools.product(*choices):
        if len(set(combo)) != len(combo):
            continue
        shifted = [p - o for p, o in zip(combo, offsets, strict=True)]
        if max(shifted) - min(shifted) <= slop:
            anchors.add(min(shifted))
    return len(anchors)
