"""Completions: the most frequent words of a field that start with a typed prefix.

A completion is a word of the documents ("petroleum", "exports"), not a stem: the words
come from the surface forms each segment records per term, with their counts
(:mod:`heron.index._surface`); a term without forms is a word of its own, counted by its
document frequency. Words differing only by case are one word, spelled as most often.

Per reader snapshot and field, on first use, :class:`WordTable` lays the field's words
out in sorted order with their counts summed over the segments (numpy sorts; the
per-segment part is kept with the segment, which a refreshed reader takes over), and
ranks them once: ``rank[i]`` is word ``i``'s place by count, most frequent first (ties
alphabetical). A prefix's words are then a contiguous range ``[lo, hi)`` found by two
binary searches, and its best words those of lowest rank in the range:

- a range of at most :data:`SMALL` words is ranked per call (a sort of at most that many
  integers);
- a range of more (short prefixes: "s", "co") has its best :data:`WIDTH` words in a
  table, computed with the rest at build time. Every such prefix is one of at most
  ``words / SMALL`` ranges per prefix length, so the table stays a small fraction of
  the words, whatever the collection's size.

The answer is exact: the words counted over every segment, not the best of each. Counts
are those of the segments as they are (a deleted document's words count until a merge
drops them, as :meth:`heron.index.IndexReader.doc_freq` does). A reader is a snapshot, so
its table never goes stale: a newer commit is a new reader with a table of its own.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import weakref

import numpy as np
import numpy.typing as npt

from heron.index import IndexReader, SegmentReader
from heron.index._surface import Forms

#: ranges of at most this many words are ranked per call; longer ones come from the table
SMALL = 8
#: the best words the table keeps per prefix (a larger limit ranks the range per call)
WIDTH = 10

SegmentWords = tuple[list[str], npt.NDArray[np.int64]]


def segment_words(seg: SegmentReader, field: str) -> SegmentWords:
    """A segment's words of ``field`` with their counts (a word may repeat: one per term)."""
    first, stop = seg.terms.field_range(field)
    if first >= stop:
        return [], np.zeros(0, np.int64)
    freqs = seg.doc_freqs(first, stop).astype(np.int64)
    forms = seg.surface(field)
    if forms is None:
        return [t for _, t in seg.terms.iter_range(field, first, stop)], freqs
    words, counts, bare = _decode(forms, stop - first)
    if len(bare):  # terms merged in from a segment without forms: each is its own word
        words += [seg.terms.term(first + i) for i in bare.tolist()]
        counts = np.concatenate([counts, freqs[bare]])
    return words, counts


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
        words = [w for part, _ in parts for w in part]
        counts = (np.concatenate([c for _, c in parts]) if parts else np.zeros(0, np.int64))
        keys, spelled, totals = _fold(words, counts)
        #: the distinct lower-cased words, sorted (binary searched per call)
        self.keys = keys
        #: each word as documents most often spell it
        self.spelled: list[str] = spelled
        #: each word's total count
        self.counts = totals
        order = np.lexsort((np.arange(len(totals)), -totals))  # most frequent, then a-z
        rank = np.empty(len(totals), dtype=np.int64)
        rank[order] = np.arange(len(totals))
        self._rank = rank
        self._rank_list: list[int] = rank.tolist()
        #: prefix -> its best WIDTH words, for every prefix of more than SMALL words
        self.table: dict[str, tuple[str, ...]] = _big_prefixes(keys, rank, spelled)

    def range(self, typed: str) -> tuple[int, int]:
        """Positions ``[lo, hi)`` of the words starting with ``typed`` (lower-cased)."""
        lo = bisect.bisect_left(self.keys, typed)
        last = ord(typed[-1])
        if last >= 0x10FFFF:
            return lo, len(self.keys)  # nothing sorts after the last code point's prefix
        return lo, bisect.bisect_left(self.keys, typed[:-1] + chr(last + 1), lo)

    def complete(self, typed: str, limit: int) -> list[str]:
        """The ``limit`` most frequent words starting with ``typed`` (lower-cased, not
        empty), ties alphabetical."""
        lo, hi = self.range(typed)
        if hi - lo > SMALL:
            best = self.table.get(typed)
            if best is not None and limit <= len(best):
                return list(best[:limit])
            ranks = self._rank[lo:hi]  # a larger limit: the range's best, at numpy's speed
            top = np.argpartition(ranks, limit - 1)[:limit] if hi - lo > limit else None
            positions = range(lo, hi) if top is None else (lo + top).tolist()
        else:
            positions = range(lo, hi)
        spelled = self.spelled
        return [spelled[i] for i in sorted(positions, key=self._rank_list.__getitem__)[:limit]]


def _fold(words: list[str], counts: npt.NDArray[np.int64]
          ) -> tuple[list[str], list[str], npt.NDArray[np.int64]]:
    """Distinct lower-cased words (sorted), the spelling of each most counted (ties: the
    first in code point order), and each word's count summed over spellings and repeats."""
    lowered = [w.lower() for w in words]
    counted = counts.tolist()
    totals: dict[str, int] = {}
    for key, count in zip(lowered, counted, strict=True):
        totals[key] = totals.get(key, 0) + count
    keys = sorted(totals)
    summed = np.fromiter(map(totals.__getitem__, keys), dtype=np.int64, count=len(keys))
    if lowered == words:
        return keys, keys, summed
    per_spelling: dict[str, int] = {}
    for word, count in zip(words, counted, strict=True):
        per_spelling[word] = per_spelling.get(word, 0) + count
    best: dict[str, tuple[int, str]] = {}
    for word, count in sorted(per_spelling.items()):
        key = word.lower()
        if key not in best or count > best[key][0]:
            best[key] = (count, word)
    return keys, [best[key][1] for key in keys], summed


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
        for head, a, b in zip(heads[best[bounds[:-1]]].tolist(), bounds, bounds[1:],
                              strict=False):
            table[head] = tuple(best_words[a:b])
        length += 1
    return table


_segment_cache: weakref.WeakKeyDictionary[SegmentReader, dict[str, SegmentWords]] = (
    weakref.WeakKeyDictionary())
_tables: weakref.WeakKeyDictionary[IndexReader, dict[str, WordTable]] = (
    weakref.WeakKeyDictionary())
_building = threading.Lock()


def table_for(reader: IndexReader, field: str) -> WordTable:
    """The reader's word table of ``field``, built on first use (once, whatever the
    threads) and dropped with the reader."""
    tables = _tables.get(reader)
    table = tables.get(field) if tables is not None else None
    if table is None:
        with _building:
            table = _tables.setdefault(reader, {}).get(field)
            if table is None:
                parts = []
                for seg in reader.segments:
                    cached = _segment_cache.setdefault(seg, {})
                    if field not in cached:
                        cached[field] = segment_words(seg, field)
                    parts.append(cached[field])
                table = _tables[reader][field] = WordTable(parts)
    return table


def complete(reader: IndexReader, field: str, prefix: str, limit: int) -> list[str]:
    """Up to ``limit`` words of ``field`` that start with ``prefix``, most frequent first."""
    typed = prefix.strip().lower()
    if not typed or limit <= 0:
        return []
    return table_for(reader, field).complete(typed, limit)
