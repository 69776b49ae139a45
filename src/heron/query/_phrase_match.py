"""Phrase matching on arrays: the documents holding every word, their positions there,
and the exact and sloppy matches among them.

The candidates are intersected once, keeping where each list holds them. Each term's
positions in the candidates are shifted back by the term's offset in the phrase and
packed with the candidate's rank into one 64-bit key, ascending; an exact phrase is the
intersection of those key sets, and a candidate's frequency the count of its keys left.
A sloppy phrase matches where some window of ``slop + 1`` shifted positions holds every
term (Lucene's measure: ``"b a"`` is ``"a b"`` with 2 moves).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt

from heron._kernels._numpy import member
from heron.index import SegmentReader
from heron.index._blocks import posting_positions

_BIAS = np.int64(1 << 31)
_32 = np.int64(32)
_EMPTY = np.zeros(0, dtype=np.int64)
_NONE = np.zeros(0, dtype=np.intp)
#: costs in nanoseconds (measured on news x16, where a binary search step in a list costs
#: about 1): merging, per number; a step that may miss the cache; clearing a bitmap
_MERGE = 1.4
_STEP = 1.7
_BITMAP = 17_000
#: lists longer than this together are sampled first: many shared numbers are better
#: found with bitmaps than by merging (too short, and the sample costs more than it saves)
_SAMPLED = 30_000
#: numbers of the shorter list looked up to estimate how many the lists share
_SAMPLE = 32

Ints = npt.NDArray[np.int64]


def intersect(short: npt.NDArray[Any], long: npt.NDArray[Any], *, way: str | None = None
              ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Where two ascending lists of distinct numbers share one: the indexes in ``short``
    and in ``long`` of the numbers in both, ascending.

    Three ways, the cheapest by the lists' lengths (and, for long lists, how many
    numbers they share, estimated from a sample); ``way`` forces one:

    - ``"search"``: each number of ``short`` looked up in ``long`` by binary search;
    - ``"merge"``: the lists merged (a stable sort of the two runs is one merge), and the
      numbers side by side there looked up in each list (laid on a bitmap when many);
    - ``"bitmap"``: ``short`` laid on a bitmap read at ``long``'s numbers, and the
      numbers found laid on another read at ``short``'s.
    """
    if not len(short) or not len(long):
        return _NONE, _NONE
    s, n = len(short), len(long)
    if way is None:
        way = "search" if s * math.log2(n) <= _MERGE * (s + n) else "merge"
        if way == "merge" and s + n > _SAMPLED and _many(_shared(short, long), s, n):
            way = "bitmap"
    if way == "search":
        at = long.searchsorted(short)
        if at[-1] == n:  # past the end: the largest numbers of ``short`` (not in ``long``)
            at = at[: at.searchsorted(n)]
        in_short = (long[at] == short[: len(at)]).nonzero()[0]
        return in_short, at[in_short]
    if way == "merge":
        both = np.concatenate((short, long))
        both.sort(kind="stable")
        common = both[1:][both[1:] == both[:-1]]
        if not _many(len(common), s, n):
            return short.searchsorted(common), long.searchsorted(common)
        marks = _marks(common)
        return _read(marks, short), _read(marks, long)
    in_long = _read(_marks(short), long)
    return _read(_marks(long[in_long]), short), in_long


def _marks(numbers: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """A bitmap of ascending numbers, up to the largest."""
    marks = np.zeros(int(numbers[-1]) + 1 if len(numbers) else 0, dtype=bool)
    marks[numbers] = True
    return marks


def _shared(short: npt.NDArray[Any], long: npt.NDArray[Any]) -> float:
    """How many numbers two lists share, estimated from a sample of the shorter."""
    sample = short[:: max(1, len(short) // _SAMPLE)]
    at = long.searchsorted(sample)
    at[at == len(long)] = 0
    return len(short) * int((long[at] == sample).sum()) / len(sample)


def _many(shared: float, s: int, n: int) -> bool:
    """Whether finding ``shared`` numbers in lists of ``s`` and ``n`` costs more by binary
    search than by a bitmap."""
    return _STEP * shared * (math.log2(s) + math.log2(n)) > _BITMAP + s + n + shared


def _read(marks: npt.NDArray[np.bool_], numbers: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """The indexes of the numbers marked (a bitmap that may end before the largest)."""
    inside = numbers[: numbers.searchsorted(len(marks))]
    found: npt.NDArray[np.intp] = marks[inside].nonzero()[0]
    return found


def common_postings(lists: list[npt.NDArray[Any]]
                    ) -> tuple[Ints, list[npt.NDArray[np.intp]]]:
    """The documents in every list (each ascending, distinct) and where each list holds
    them (the shortest lists first, so the candidates shrink early)."""
    if len(lists) == 2:  # the common case, without the bookkeeping below
        first, second = lists
        if len(first) <= len(second):
            in_first, in_second = intersect(first, second)
        else:
            in_second, in_first = intersect(second, first)
        return first[in_first].astype(np.int64), [in_first, in_second]
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


def rank_keys(size: int) -> Ints:
    """The keys of position 0 in each of ``size`` candidates (``rank << 32 | 2**31``)."""
    keys: Ints = (np.arange(size, dtype=np.int64) << _32) | _BIAS
    return keys


def position_keys(segment: SegmentReader, number: int, idx: npt.NDArray[np.intp],
                  ranks: Ints) -> Ints:
    """Keys ``rank << 32 | position + 2**31``, ascending, of a term's positions in the
    candidates, whose postings are ``idx`` in its list (``rank``: the candidate's index;
    ``ranks``: :func:`rank_keys` of the candidates).

    Only those postings' positions are read (and only the blocks holding them summed),
    whatever the term's total number of postings.
    """
    positions, starts, counts = posting_positions(segment, number, idx)
    if not len(counts):
        return _EMPTY
    ends = counts.cumsum()
    index = np.arange(int(ends[-1])) + (starts - ends + counts).repeat(counts)
    keys = ranks.repeat(counts)
    keys += positions[index]
    return keys


def exact(keys: dict[int, Ints], numbers: list[int], offsets: tuple[int, ...], size: int
          ) -> Ints:
    """How many places each of ``size`` candidates holds where every term stands at its
    offset from the place (each place once, however often a term stands there)."""
    found: Ints | None = None
    for number, offset in sorted(zip(numbers, offsets, strict=True),
                                 key=lambda p: len(keys[p[0]])):
        shifted = keys[number] - offset if offset else keys[number]
        found = shifted if found is None else found[member(found, shifted)]
        if not len(found):
            break
    assert found is not None
    if len(found) > 1:  # a term repeating a place (n-grams do) counts the place once
        found = found[np.concatenate(([True], found[1:] != found[:-1]))]
    return np.bincount(found >> _32, minlength=size)


def sloppy(keys: dict[int, Ints], numbers: list[int], offsets: tuple[int, ...], slop: int,
           size: int) -> Ints:
    """How many windows of each candidate, anchored at each shifted position, hold every
    (distinct) term."""
    shifted = [keys[n] - o for n, o in zip(numbers, offsets, strict=True)]
    anchors = np.unique(np.concatenate(shifted))
    ok = np.ones(len(anchors), dtype=bool)
    for arr in shifted:
        lo = np.searchsorted(arr, anchors, side="left")
        hi = np.searchsorted(arr, anchors + slop, side="right")
        ok &= hi > lo
    # a window stays inside one document: a candidate's keys share the top bits
    ok &= ((anchors + slop) >> _32) == (anchors >> _32)
    return np.bincount(anchors[ok] >> _32, minlength=size)


def sloppy_repeated(keys: dict[int, Ints], numbers: list[int], offsets: tuple[int, ...],
                    slop: int, size: int) -> Ints:
    """Sloppy phrases with a repeated term: each occurrence needs its own position."""
    counts = np.zeros(size, dtype=np.int64)
    need = Counter(numbers)
    for rank in np.unique(np.concatenate([keys[n] for n in need]) >> _32).tolist():
        per_term = {n: ((keys[n][(keys[n] >> _32) == rank] & 0xFFFFFFFF) - _BIAS).tolist()
                    for n in need}
        counts[rank] = _count_windows(per_term, numbers, offsets, slop)
    return counts


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
