"""The phrase query: terms at given relative positions, exactly or within a slop.

Matching works on whole position arrays. Each term's positions in the candidate
documents are shifted back by the term's offset in the phrase and packed with the
document number into one 64-bit key; an exact phrase is the intersection of those
key sets. A sloppy phrase matches where some window of ``slop + 1`` shifted
positions holds every term (Lucene's measure: ``"b a"`` is ``"a b"`` with 2 moves).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from attrs import define, frozen

from heron.errors import ArgumentTypeError, QueryError
from heron.index import SegmentReader
from heron.index._arrays import concat_ranges
from heron.index._blocks import posting_positions
from heron.query._base import Context, Query
from heron.query._matches import Matches, live, member
from heron.query._share import exact_key
from heron.query._term import index_term
from heron.query._weight import Marks, PhraseSpan, Weight
from heron.scoring import Explanation, TermScorer

#: the largest slop: a window wider than any field a phrase may match in
MAX_SLOP = 1_000_000

_SHIFT = np.int64(1 << 32)
_BIAS = np.int64(1 << 31)


def _words(words: Iterable[str]) -> tuple[str, ...]:
    """The phrase's words as a tuple (typed, so that mypy checks what callers pass)."""
    return tuple(words)


def _offsets_default(inst: Phrase, attribute: object, value: tuple[int, ...] | None) -> None:
    if value is not None and len(value) != len(inst.words):
        raise QueryError("a phrase needs one position per word")


@frozen
class Phrase(Query):
    """Documents where ``words`` (terms as indexed) occur together, in order.

    ``slop`` allows that many position moves (words between, or out of order);
    ``positions`` gives each word's place in the phrase (default 0, 1, 2, ...; the
    parser passes gaps left by stop words).

    >>> Phrase("body", ("smuggl", "tunnel"), slop=1)
    Phrase(field='body', words=('smuggl', 'tunnel'), slop=1, boost=1.0, positions=None)
    """

    field: str
    # attrs.field, not field: the name is shadowed by the attribute above (for mypy)
    words: tuple[str, ...] = attrs.field(converter=_words)
    slop: int = 0
    boost: float = 1.0
    positions: tuple[int, ...] | None = attrs.field(default=None, validator=_offsets_default)

    def offsets(self) -> tuple[int, ...]:
        """Each word's position within the phrase."""
        return self.positions if self.positions is not None else tuple(range(len(self.words)))

    def bind(self, context: Context) -> Weight:
        if isinstance(self.slop, bool) or not isinstance(self.slop, int | np.integer):
            raise ArgumentTypeError(f"phrase slop is a whole number, got {self.slop!r}")
        if self.slop < 0:
            raise QueryError(f"phrase slop must not be negative, got {self.slop}")
        if self.slop > MAX_SLOP:
            raise QueryError(f"phrase slop is at most {MAX_SLOP}, got {self.slop}")
        ftype = context.schema[self.field]
        if not ftype.positions:
            raise QueryError(f"field {self.field!r} keeps no positions, so phrases cannot "
                             "match it (a TEXT field with phrase=True does)")
        words = tuple(index_term(context.schema, self.field, w) for w in self.words)
        infos = [context.term_info(self.field, w) for w in words]
        numbers = {seg.name: [numbers[i] for _, numbers in infos]
                   for i, seg in enumerate(context.reader.segments)}
        scorer = context.scorer(self.field, self.boost, [df for df, _ in infos])
        return _PhraseWeight(self.field, numbers, self.offsets(), self.slop, scorer)

    def terms(self) -> set[tuple[str, str]]:
        return {(self.field, w) for w in self.words if isinstance(w, str)}

    def marks(self, field_name: str, context: Context, into: Marks) -> None:
        if self.field == field_name:
            into.phrases.append(PhraseSpan(self.words, self.offsets(), self.slop))

    def share_key(self) -> Hashable | None:
        return exact_key(self)


@define
class _PhraseWeight(Weight):
    field: str
    #: the number of each word in each segment (by name; -1: not there)
    numbers: dict[str, list[int]]
    offsets: tuple[int, ...]
    slop: int
    scorer: TermScorer

    def match(self, segment: SegmentReader) -> Matches:
        docs, freqs = self.frequencies(segment)
        if not len(docs):
            return Matches.empty()
        norms = segment.norms(self.field)
        lengths = None if norms is None else norms[docs]
        return Matches(docs, self.scorer.score(freqs, lengths))

    def explain(self, segment: SegmentReader, doc: int) -> Explanation | None:
        docs, freqs = self.frequencies(segment)
        i = int(docs.searchsorted(doc))
        if i >= len(docs) or int(docs[i]) != doc:
            return None
        norms = segment.norms(self.field)
        found = self.scorer.explain(int(freqs[i]), None if norms is None else int(norms[doc]))
        return Explanation(found.value, f"phrase {self.field}:{' '.join(self.words(segment))}"
                                        f"~{self.slop}: {found.description}", found.details)

    def words(self, segment: SegmentReader) -> list[str]:
        """The phrase's words as one segment's dictionary holds them."""
        return [segment.terms.term(n) for n in self.numbers[segment.name]]

    def frequencies(self, segment: SegmentReader
                    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The live documents of a segment that hold the phrase, and how often each does."""
        none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        numbers = self.numbers.get(segment.name)
        if not numbers or min(numbers) < 0:
            return none
        candidates = _common_docs([segment.postings(n)[0] for n in set(numbers)])
        mask = live(segment, candidates)
        if mask is not None:
            candidates = candidates[mask]
        if not len(candidates):
            return none
        keys = {n: _position_keys(segment, n, candidates) for n in set(numbers)}
        if self.slop == 0:
            docs, freqs = _exact(keys, numbers, self.offsets)
        elif len(set(numbers)) == len(numbers):
            docs, freqs = _sloppy(keys, numbers, self.offsets, self.slop)
        else:
            docs, freqs = _sloppy_repeated(keys, numbers, self.offsets, self.slop)
        return docs, freqs


def _common_docs(lists: list[npt.NDArray[Any]]) -> npt.NDArray[np.int64]:
    """The documents in every list (each ascending), looked up in the longer lists without
    converting them."""
    lists = sorted(lists, key=len)
    found = lists[0].astype(np.int64)
    for docs in lists[1:]:
        if not len(found):
            break
        at = docs.searchsorted(found.astype(docs.dtype))
        at[at == len(docs)] = 0
        found = found[docs[at] == found]
    return found


def _position_keys(segment: SegmentReader, number: int, candidates: npt.NDArray[np.int64]
                   ) -> npt.NDArray[np.int64]:
    """Sorted keys ``doc << 32 | position + 2**31`` of a term in the candidate documents.

    Every candidate holds the term, so its postings are found by binary search and only
    their positions are read (and only the blocks holding them summed), whatever the
    term's total number of postings.
    """
    docs, _ = segment.postings(number)
    idx = docs.searchsorted(candidates.astype(docs.dtype))
    positions, starts, counts = posting_positions(segment, number, idx)
    doc_of = np.repeat(candidates, counts)
    return (doc_of << 32) | (positions[concat_ranges(starts, counts)].astype(np.int64) + _BIAS)


def _exact(keys: dict[int, npt.NDArray[np.int64]], numbers: list[int], offsets: tuple[int, ...]
           ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    found: npt.NDArray[np.int64] | None = None
    for number, offset in sorted(zip(numbers, offsets, strict=True),
                                 key=lambda p: len(keys[p[0]])):
        shifted = keys[number] - offset
        found = shifted if found is None else found[member(found, shifted)]
        if not len(found):
            break
    assert found is not None
    docs, freqs = np.unique(found >> 32, return_counts=True)
    return docs, freqs


def _sloppy(keys: dict[int, npt.NDArray[np.int64]], numbers: list[int], offsets: tuple[int, ...],
            slop: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
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
    docs, freqs = np.unique(anchors[ok] >> 32, return_counts=True)
    return docs, freqs


def _sloppy_repeated(keys: dict[int, npt.NDArray[np.int64]], numbers: list[int],
                     offsets: tuple[int, ...], slop: int
                     ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
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
