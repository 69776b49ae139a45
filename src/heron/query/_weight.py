"""Weights (queries bound to statistics) and what queries hand to highlighting."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import define, field, frozen

from heron._kernels import Postings
from heron.index import SegmentReader
from heron.query._matches import Matches
from heron.scoring import Explanation, sum_of


@frozen
class PhraseSpan:
    """A phrase to mark: its words, each word's place in it and the moves allowed."""

    words: tuple[str, ...]
    offsets: tuple[int, ...]
    slop: int


@define
class Marks:
    """What a query marks in one field for highlighting: terms and phrases, in order."""

    terms: list[str] = field(factory=list)
    phrases: list[PhraseSpan] = field(factory=list)


def score_of(matches: Matches, doc: int) -> float | None:
    """The score of segment-local document ``doc`` among ``matches`` (None: not there)."""
    i = int(matches.docs.searchsorted(doc))
    if i < len(matches) and int(matches.docs[i]) == doc:
        return float(matches.scores[i])
    return None


class Weight:
    """A query bound to statistics, ready to match segments."""

    def match(self, segment: SegmentReader) -> Matches:
        """Matching documents of ``segment`` with their scores."""
        raise NotImplementedError

    def describe(self) -> str:
        """What the weight scores, for an explanation (default: its class name)."""
        return type(self).__name__

    def bm25_postings(self, segment: SegmentReader) -> Postings | None:
        """The weight's postings in ``segment`` when it scores each as BM25 over length
        norms (a term), for an OR to score many at once; None (the default): it does not."""
        return None

    def explain(self, segment: SegmentReader, doc: int) -> Explanation | None:
        """How segment-local document ``doc`` scores, as a tree (None: it does not match).

        The default matches the segment and reports the document's score as one value;
        weights that know their factors explain them.
        """
        score = score_of(self.match(segment), doc)
        return None if score is None else Explanation(score, self.describe())


def explain_any(weights: Sequence[Weight], segment: SegmentReader, doc: int
                ) -> Explanation | None:
    """The sum of the explanations of the weights that match (None: none does)."""
    parts = [e for w in weights if (e := w.explain(segment, doc)) is not None]
    return sum_of(parts) if parts else None
