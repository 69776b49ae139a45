"""Completions: the most frequent words of a field that start with a typed prefix.

A completion is a word of the documents ("petroleum", "exports"), not a stem: the words
come from the surface forms each segment records per term, with how often each occurs
(:mod:`heron.index._surface`); a term without forms is a word of its own, counted by its
occurrences too, so a segment with forms and one without count alike. Words differing
only by case are one word, spelled as most often.

Per searcher and field, on first use, :class:`WordTable` lays the field's words out in
sorted order with their counts summed over the segments (each segment's words decoded,
lower-cased, counted and sorted, then the sorted lists merged: a sort of sorted runs), and
ranks them once: ``rank[i]`` is word ``i``'s place by count, most frequent first (ties
alphabetical). A prefix's words are then a contiguous range ``[lo, hi)`` found by two
binary searches, and its best words those of lowest rank in the range:

- a range of at most :data:`SMALL` words is sorted per call;
- a longer range (short prefixes: "s", "co") has its best :data:`WIDTH` words in a table
  computed with the rest. Such a prefix is one of at most ``words / SMALL`` per prefix
  length, so the table is a small fraction of the words whatever the collection's size;
  a limit past :data:`WIDTH` cuts the range to its best by numpy's partial sort.

The answer is exact: the words counted over every segment, not the best of each. Counts
are those recorded when the documents were indexed: deleting a document does not lower
them, and a word leaves when a merge drops its last term. A searcher is a snapshot, so
its tables never go stale: a newer commit is a new searcher with tables of its own
(:class:`WordTables`, kept by the searcher and dropped when it closes).
"""

from __future__ import annotations

import array
import bisect
import itertools
import threading
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.index import IndexReader, SegmentReader
from heron.index._surface import Forms

#: ranges of at most this many words are sorted per call; longer ones come from the table
SMALL = 32
_LAST_CHAR = chr(0x10FFFF)
#: the best words the table keeps per prefix (a larger limit ranks the range per call)
WIDTH = 10

@frozen
class SegmentWords:
    """One segment's words of a field: distinct, lower-cased, sorted, with counts."""

    keys: list[str]
    counts: npt.NDArray[np.int64]
    #: every spelling with its count, when some word has capitals (else None)
    spellings: dict[str, int] | None


def segment_words(seg: SegmentReader, field: str) -> SegmentWords:
    """A segment's words of ``field`` (from its surface forms, or its terms)."""
    first, stop = seg.terms.field_range(field)
    if first >= stop:
        return SegmentWords([], np.zeros(0, np.int64), None)
    forms = seg.surface(field)
    if forms is None:
        words = [t for _, t in seg.terms.iter_range(field, first, stop)]
        counts = seg.term_occurrences(first, stop)
    else:
        words, counts, bare = _decode(forms, stop - first)
        if len(bare):  # terms merged in from a segment without forms: each is its own word
            words += [seg.terms.term(first + i) for i in bare.tolist()]
            counts = np.concatenate([counts, [int(seg.term_occurrences(first + i, first + i + 1)[0])
                                              for i in bare.tolist()]])
    return _folded(words, counts.tolist())


def _folded(words: list[str], counts: list[int]) -> SegmentWords:
    """Words with counts (a word may repeat: once per term it came from) folded to
    distinct lower-cased words."""
    lowered = [w.lower() for w in words]
    by_key = _added_up(zip(lowered, counts, strict=True))
    keys = sorted(by_key)
    totals = np.fromiter(map(by_key.__getitem__, keys), dtype=np.int64, count=len(keys))
    spellings = None if lowered == words else _added_up(zip(words, counts, strict=True))
    return SegmentWords(keys, totals, spellings)


def _added_up(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The counts of each word added up."""
    totals: dict[str, int] = {}
    for word, count in pairs:
        totals[word] = totals.get(word, 0) + count
    return totals


def _decode(forms: Forms, nterms: int
            ) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every form with its count, and the field-relative terms that have none."""
    starts, offsets, counts, blob = forms
    ends = offsets.tolist()
    data = blob[ends[0] : ends[-1]].tobytes() if ends else b""
    base = ends[0] if ends else 0
    words = [data[a - base : b - base].decode("utf-8", "replace")
             for a, b in itertools.pairwise(ends)]
    per_term = np.diff(starts.astype(np.int64))[:nterms]
    bare = np.flatnonzero(per_term == 0)
    if len(per_term) < nterms:
        bare = np.concatenate([bare, np.arange(len(per_term), nterms)])
    return words, counts.astype(np.int64), bare


class WordTable:
    """The words of one field over a reader's segments, sorted, counted and ranked."""

    def __init__(self, parts: list[SegmentWords]) -> None:
        keys, spelled, totals = _fold(parts)
        #: the distinct lower-cased words, sorted (binary searched per call)
        self.keys = keys
        #: each word as documents most often spell it
        self.spelled: list[str] = spelled
        #: each word's total count
        self.counts = totals
        order = np.lexsort((np.arange(len(totals)), -totals))  # most frequent, then a-z
        ranks = np.empty(len(totals), dtype=np.int64)
        ranks[order] = np.arange(len(totals))
        self._rank_list = array.array("q")  # 8 bytes a word, read as Python ints
        self._rank_list.frombytes(ranks.tobytes())
        self._rank = np.frombuffer(self._rank_list, dtype=np.int64)  # the same memory
        #: prefix -> its best WIDTH words, for every prefix of more than SMALL words
        self.table: dict[str, tuple[str, ...]] = _big_prefixes(keys, self._rank, spelled)

    def range(self, typed: str) -> tuple[int, int]:
        """Positions ``[lo, hi)`` of the words starting with ``typed`` (lower-cased)."""
        lo = bisect.bisect_left(self.keys, typed)
        head = typed.rstrip(_LAST_CHAR)  # the last code point has no successor
        if not head:
            return lo, len(self.keys)
        return lo, bisect.bisect_left(self.keys, head[:-1] + chr(ord(head[-1]) + 1), lo)

    def complete(self, typed: str, limit: int) -> list[str]:
        """The ``limit`` most frequent words starting with ``typed`` (lower-cased, not
        empty), ties alphabetical."""
        lo, hi = self.range(typed)
        positions: range | list[int] = range(lo, hi)
        if hi - lo > SMALL:
            best = self.table.get(typed)
            if best is not None and limit <= len(best):
                return list(best[:limit])
            if hi - lo > limit:
                top = np.argpartition(self._rank[lo:hi], limit - 1)[:limit]
                positions = (lo + top).tolist()
        spelled = self.spelled
        return [spelled[i] for i in sorted(positions, key=self._rank_list.__getitem__)[:limit]]


def _fold(parts: list[SegmentWords]) -> tuple[list[str], list[str], npt.NDArray[np.int64]]:
    """The segments' words merged: distinct lower-cased words (sorted), the spelling of
    each most counted (ties: the first in code point order), and each word's count."""
    if len(parts) == 1:
        keys, totals = parts[0].keys, parts[0].counts
    else:
        every = [w for part in parts for w in part.keys]
        counts = np.concatenate([part.counts for part in parts]) if parts else np.zeros(0, np.int64)
        order = sorted(range(len(every)), key=every.__getitem__)  # sorted runs: a merge
        ordered = [every[i] for i in order]
        differs = np.fromiter(map(str.__ne__, ordered[1:], ordered), dtype=bool,
                              count=max(len(ordered) - 1, 0))
        starts = np.flatnonzero(np.r_[True, differs]) if ordered else np.zeros(0, np.int64)
        keys = [ordered[i] for i in starts.tolist()]
        totals = (np.add.reduceat(counts[np.asarray(order, dtype=np.int64)], starts)
                  if ordered else np.zeros(0, np.int64))
    if all(part.spellings is None for part in parts):  # no capitals anywhere
        return keys, keys, totals
    per_spelling = _added_up(pair for part in parts for pair in (
        part.spellings.items() if part.spellings is not None
        else zip(part.keys, part.counts.tolist(), strict=True)))
    best = {word.lower(): word for word in fold_case(dict(sorted(per_spelling.items())))}
    return keys, [best[key] for key in keys], totals


def fold_case(counts: dict[str, int]) -> dict[str, int]:
    """Counts of words that differ only by case added up, under the most frequent spelling
    (of equal counts, the first met).

    >>> fold_case({"Oil": 2, "oil": 1, "OIL": 2, "gas": 1})
    {'Oil': 5, 'gas': 1}
    """
    merged: dict[str, tuple[str, int, int]] = {}  # lower -> (spelling, its count, total)
    for word, count in counts.items():
        key = word.lower()
        best = merged.get(key)
        if best is None:
            merged[key] = (word, count, count)
        else:
            spelling, top, total = best
            if count > top:
                spelling, top = word, count
            merged[key] = (spelling, top, total + count)
    return {spelling: total for spelling, _, total in merged.values()}


#: characters of each word the prefix table compares in numpy (longer prefixes in Python)
_NARROW = 12


def _big_prefixes(keys: list[str], rank: npt.NDArray[np.int64],
                  spelled: list[str]) -> dict[str, tuple[str, ...]]:
    """The best :data:`WIDTH` words of every prefix that more than :data:`SMALL` words
    start with: one vectorised pass per prefix length, over the words of such prefixes."""
    table: dict[str, tuple[str, ...]] = {}
    narrow = np.array(keys, dtype=f"<U{_NARROW}")
    sizes = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    live = np.arange(len(keys))  # sorted words whose prefix one shorter was big
    length = 1
    while len(live) > SMALL:
        live = live[sizes[live] >= length]
        if length <= _NARROW:
            heads = narrow[live].astype(f"<U{length}")
        else:
            heads = np.array([keys[i][:length] for i in live.tolist()])
        group = np.cumsum(np.r_[True, heads[1:] != heads[:-1]]) - 1
        big = (np.bincount(group) > SMALL)[group]
        live, heads, group = live[big], heads[big], group[big]
        if not len(live):
            break
        order = np.lexsort((rank[live], group))  # per prefix, most frequent first
        starts = np.r_[True, group[order][1:] != group[order][:-1]]
        place = np.arange(len(order))
        place -= np.maximum.accumulate(np.where(starts, place, 0))
        best = order[place < WIDTH]
        best_words = [spelled[i] for i in live[best].tolist()]
        bounds = np.flatnonzero(np.r_[True, group[best][1:] != group[best][:-1], True]).tolist()
        firsts = live[best[bounds[:-1]]].tolist()  # numpy strings drop trailing NULs:
        for i, a, b in zip(firsts, bounds, bounds[1:], strict=False):  # key by the words
            table[keys[i][:length]] = tuple(best_words[a:b])
        length += 1
    return table


class WordTables:
    """One searcher's word tables, a field's built on first use (once, whatever the
    threads) and dropped with the searcher's caches."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._tables: dict[str, WordTable] = {}
        self._lock = threading.Lock()

    def table(self, field: str) -> WordTable:
        """The word table of ``field``."""
        table = self._tables.get(field)
        if table is None:
            with self._lock:
                table = self._tables.get(field)
                if table is None:
                    parts = [segment_words(seg, field) for seg in self._reader.segments]
                    table = self._tables[field] = WordTable(parts)
        return table

    def complete(self, field: str, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` words of ``field`` that start with ``prefix``, most frequent
        first."""
        typed = prefix.strip().lower()
        if not typed or limit <= 0:
            return []
        return self.table(field).complete(typed, limit)

    def clear(self) -> None:
        """Forget every table."""
        self._tables.clear()
