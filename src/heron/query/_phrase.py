"""The phrase query: terms at given relative positions, exactly or within a slop.

Matching works on whole position arrays, in the documents that hold every term
(:mod:`heron.query._phrase_match`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import attrs
import numpy as np
import numpy.typing as npt
from attrs import define, frozen

from heron._kernels import PairTerm, active
from heron.errors import ArgumentTypeError, QueryError
from heron.index import SegmentReader
from heron.index._blocks import term_positions
from heron.query._base import Context, Query
from heron.query._matches import Matches, live
from heron.query._phrase_match import (
    common_postings,
    exact,
    position_keys,
    rank_keys,
    sloppy,
    sloppy_repeated,
)
from heron.query._share import exact_key
from heron.query._term import index_term
from heron.query._weight import Marks, PhraseSpan, Weight
from heron.scoring import Explanation, TermScorer

#: the largest slop: a window wider than any field a phrase may match in
MAX_SLOP = 1_000_000

_NONE = np.zeros(0, dtype=np.int64)


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
        none = (_NONE, _NONE)
        numbers = self.numbers.get(segment.name)
        if not numbers or min(numbers) < 0:
            return none
        pair = active(segment.doc_count).exact_pair
        if pair is not None and self.slop == 0 and len(numbers) == 2 and (
                numbers[0] != numbers[1]):  # two words, one after the other: compiled
            first, second = (_pair_term(segment, n) for n in numbers)
            return pair(first, second, self.offsets[1] - self.offsets[0], segment.deleted)
        distinct = sorted(set(numbers))
        docs, at = common_postings([segment.postings(n)[0] for n in distinct])
        mask = live(segment, docs)
        if mask is not None:
            keep = np.flatnonzero(mask)
            docs, at = docs[keep], [a[keep] for a in at]
        if not len(docs):
            return none
        ranks = rank_keys(len(docs))
        keys = {n: position_keys(segment, n, a, ranks) for n, a in zip(distinct, at, strict=True)}
        if self.slop == 0:
            counts = exact(keys, numbers, self.offsets, len(docs))
        elif len(distinct) == len(numbers):
            counts = sloppy(keys, numbers, self.offsets, self.slop, len(docs))
        else:
            counts = sloppy_repeated(keys, numbers, self.offsets, self.slop, len(docs))
        found = counts.nonzero()[0]
        return docs[found], counts[found]


def _pair_term(segment: SegmentReader, number: int) -> PairTerm:
    """A word of a two-word phrase as the kernels read it."""
    docs, freqs = segment.postings(number)
    positions, before = term_positions(segment, number)
    return docs, freqs, positions, before
