"""The fuzzy query: terms within a Damerau-Levenshtein distance of a word.

Only terms whose length is within the distance of the word's can match, so matching
looks at those alone and never at the longest term of the index (how, in
:mod:`heron.query._edits`): the work grows with the word's length, not the index's.

Scoring is Lucene's blended rewrite (``BlendedTermQuery``): every expansion is scored
as a term query with the same document frequency, the highest among the expansions,
and weighted by its similarity to the word, ``1 - edits / min(len(term), len(word))``.
The word itself (similarity 1) therefore outranks an expansion found as often in a
document of the same length, however rare the expansion is in the index. A document
scores its best expansion plus a tenth of the others (the blended query's dis-max
rewrite): summing them instead, Lucene's default, puts Coca-Cola first for ``cocoa~``
on news, where "coca" and "cola" are both expansions.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from attrs import define, frozen

from heron.errors import QueryError
from heron.index import SegmentReader
from heron.query._base import Context, Query
from heron.query._edits import terms_within
from heron.query._matches import Matches, grouped
from heron.query._multiterm import MAX_EXPANSIONS
from heron.query._share import exact_key
from heron.query._term import term_weight
from heron.query._weight import Marks, Weight
from heron.scoring import Explanation

MAX_DISTANCE = 2
#: how much the expansions other than a document's best add to its score (dis-max)
TIE_BREAKER = 0.1


def similarity(word: str, term: str, edits: int) -> float:
    """Lucene's fuzzy boost of ``term``, ``edits`` away from ``word``: 1 for the word itself.

    >>> similarity("sugar", "sugars", 1)
    0.8
    """
    if edits == 0:
        return 1.0
    shortest = min(len(word), len(term))
    return max(0.0, 1.0 - edits / shortest) if shortest else 0.0


@frozen
class Fuzzy(Query):
    """Documents with a term of ``field`` within ``distance`` edits of ``text``.

    Edits are insertions, deletions, substitutions and swaps of neighbours. The
    first ``prefix_length`` characters must match exactly. Expanded terms are scored
    as Lucene's blended rewrite does: each as a term query with the highest document
    frequency among them, weighted by :func:`similarity`; a document scores its best
    expansion plus ``TIE_BREAKER`` times the others.

    >>> Fuzzy("body", "tunel", distance=1)
    Fuzzy(field='body', text='tunel', distance=1, prefix_length=0, boost=1.0, max_expansions=1024)
    """

    field: str
    text: str
    distance: int = MAX_DISTANCE
    prefix_length: int = 0
    boost: float = 1.0
    max_expansions: int = MAX_EXPANSIONS

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise QueryError(f"a fuzzy query on {self.field!r} takes text, got "
                             f"{type(self.text).__name__} {self.text!r:.60}")
        if not 0 <= self.distance <= MAX_DISTANCE:
            raise QueryError(f"fuzzy distance is 0 to {MAX_DISTANCE}, got {self.distance}")

    def segment_terms(self, segment: SegmentReader) -> dict[str, int]:
        """The terms of one segment within the distance, with their distances."""
        prefix = self.text[: self.prefix_length]
        return terms_within(segment, self.field, self.text, self.distance, prefix)

    def expansions(self, context: Context) -> dict[str, int]:
        """The terms this query matches in the index, with their distances from the word."""
        ftype = context.schema[self.field]
        if ftype.columnar or not ftype.indexed:
            raise QueryError(f"a fuzzy query needs a text field; {self.field!r} is {ftype.kind}")
        found: dict[str, int] = {}
        for segment in context.reader.segments:
            found.update(self.segment_terms(segment))
            if len(found) > self.max_expansions:
                raise QueryError(
                    f"fuzzy {self.field}:{self.text}~{self.distance} expands to more than "
                    f"{self.max_expansions} terms; make it more specific or raise max_expansions"
                )
        return found

    def expanded_terms(self, context: Context) -> set[str]:
        """The terms this query matches in the index."""
        return set(self.expansions(context))

    def bind(self, context: Context) -> Weight:
        found = self.expansions(context)
        infos = {t: context.term_info(self.field, t) for t in sorted(found)}
        best = max((df for df, _ in infos.values()), default=0)
        return _BlendedWeight([
            term_weight(context, self.field, numbers,
                        self.boost * similarity(self.text, term, found[term]), best)
            for term, (_, numbers) in infos.items()])

    def terms(self) -> set[tuple[str, str]]:
        return {(self.field, self.text)}

    def marks(self, field_name: str, context: Context, into: Marks) -> None:
        """The terms the query expands to in this index."""
        if self.field == field_name:
            into.terms.extend(sorted(self.expanded_terms(context)))

    def share_key(self) -> Hashable | None:
        return exact_key(self)


@define
class _BlendedWeight(Weight):
    """The expansions' weights: a document scores its best, plus a little of the others."""

    weights: list[Weight]

    def match(self, segment: SegmentReader) -> Matches:
        parts = [m for w in self.weights if len(m := w.match(segment))]
        if len(parts) <= 1:
            return parts[0] if parts else Matches.empty()
        docs, scores, starts = grouped(parts)
        best = np.maximum.reduceat(scores, starts)
        total = np.add.reduceat(scores, starts)
        return Matches(docs[starts], best + TIE_BREAKER * (total - best))

    def explain(self, segment: SegmentReader, doc: int) -> Explanation | None:
        parts = [e for w in self.weights if (e := w.explain(segment, doc)) is not None]
        if len(parts) <= 1:
            return parts[0] if parts else None
        best = max(p.value for p in parts)
        total = sum(p.value for p in parts)
        return Explanation(best + TIE_BREAKER * (total - best),
                           f"best expansion {best:.4f} + {TIE_BREAKER:g} * the others "
                           f"{total - best:.4f}:", tuple(parts))
