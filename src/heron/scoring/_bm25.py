"""BM25 ranking from plain collection statistics, with Lucene's formulas.

For a term with document frequency ``n`` among ``N`` documents that have the field,
a document with ``tf`` occurrences in a field of length ``dl`` (average ``avgdl``)
scores::

    boost * idf * tf / (tf + k1 * (1 - b + b * dl / avgdl))
    idf = ln(1 + (N - n + 0.5) / (n + 0.5))

which is Lucene's ``BM25Similarity`` since version 8 (the constant ``k1 + 1`` factor
of the textbook formula is left out: it changes no ranking). Field lengths are exact
token counts, where Lucene keeps a one-byte approximation. A phrase's idf is the sum
of its words' idfs, as in Lucene.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
from attrs import define, field, frozen

from heron.errors import ArgumentError
from heron.scoring._explanation import Explanation
from heron.scoring._model import FieldStats, Scoring, TermScorer


def _check_k1(_inst: object, _attr: object, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ArgumentError(f"BM25 needs k1 >= 0, got {value}")


def _check_b(_inst: object, _attr: object, value: float) -> None:
    if not 0 <= value <= 1:
        raise ArgumentError(f"BM25 needs 0 <= b <= 1, got {value}")


@frozen
class BM25(Scoring):
    """Okapi BM25 as Lucene computes it.

    >>> bm25 = BM25()
    >>> round(bm25.idf(doc_freq=1, doc_count=10), 4)
    1.9924
    >>> round(float(bm25.score(np.array([2]), np.array([10]), 10.0, 1.0)[0]), 4)
    0.625
    """

    k1: float = field(default=1.2, validator=_check_k1)
    b: float = field(default=0.75, validator=_check_b)

    def idf(self, doc_freq: int, doc_count: int) -> float:
        """Inverse document frequency: ln(1 + (N - n + 0.5) / (n + 0.5))."""
        return math.log(1.0 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5))

    def score(
        self,
        freqs: npt.NDArray[np.number],
        lengths: npt.NDArray[np.number] | None,
        average_length: float,
        weight: float,
    ) -> npt.NDArray[np.float64]:
        """Scores of documents with term frequencies ``freqs`` and field ``lengths``.

        ``weight`` is boost times idf. Without lengths (a field that keeps none) every
        document is taken to have the average length.
        """
        if lengths is None or self.b == 0:
            tf = freqs.astype(np.float64)
            return weight * tf / (tf + self.k1)
        return self.score_normed(freqs, self.length_norms(lengths, average_length), weight)

    def length_norms(self, lengths: npt.NDArray[np.number], average_length: float
                     ) -> npt.NDArray[np.float64]:
        """The length part of the formula per document: ``k1 * (1 - b + b * dl / avgdl)``.

        It depends only on field lengths and their average, so a searcher can compute it
        once per segment and field and reuse it for every term.
        """
        return self.k1 * (1.0 - self.b + self.b * (lengths.astype(np.float64) / average_length))

    def score_normed(self, freqs: npt.NDArray[np.number], norms: npt.NDArray[np.float64],
                     weight: float) -> npt.NDArray[np.float64]:
        """Scores from frequencies and :meth:`length_norms` of the same documents."""
        tf = freqs.astype(np.float64)
        return weight * tf / (tf + norms)

    def explain_score(self, freq: int, length: int | None, stats: FieldStats,
                      doc_freqs: Sequence[int], boost: float) -> Explanation:
        """One score as a tree: boost times idf times the tf part, each factor explained."""
        idfs = [self.idf(n, stats.doc_count) for n in doc_freqs]
        idf = sum(idfs)
        avg = stats.average_length
        dl = avg if length is None or self.b == 0 else length
        tf = freq / (freq + self.k1 * (1 - self.b + self.b * dl / avg))
        idf_text = " + ".join(
            f"ln(1 + (N {stats.doc_count} - n {n} + 0.5) / (n {n} + 0.5))" for n in doc_freqs)
        return Explanation(boost * idf * tf, f"boost {boost:g} * idf {idf:.4f} * tf {tf:.4f}", (
            Explanation(idf, f"idf = {idf_text}", show_value=False),
            Explanation(tf, f"tf = freq {freq} / (freq {freq} + k1 {self.k1:g} * (1 - b "
                            f"{self.b:g} + b * dl {dl:g} / avgdl {avg:g}))", show_value=False),
        ))

    def explain(
        self, freq: int, length: int | None, stats: FieldStats, doc_freq: int, boost: float
    ) -> str:
        """Explain one score factor by factor, in words.

        >>> print(BM25().explain(2, 10, FieldStats(10, 100), 1, 1.0))
        1.2453 = boost 1 * idf 1.9924 * tf 0.6250
          idf = ln(1 + (N 10 - n 1 + 0.5) / (n 1 + 0.5))
          tf = freq 2 / (freq 2 + k1 1.2 * (1 - b 0.75 + b * dl 10 / avgdl 10))
        """
        return self.explain_score(freq, length, stats, (doc_freq,), boost).format()

    def scorer(self, field: str, boost: float, doc_freqs: Sequence[int], stats: FieldStats
               ) -> TermScorer:
        idf = (self.idf(doc_freqs[0], stats.doc_count) if len(doc_freqs) == 1
               else sum(self.idf(n, stats.doc_count) for n in doc_freqs))
        key = None if self.b == 0 else (self.k1, self.b, stats.average_length)
        return BM25Scorer(self, boost * idf, boost, tuple(doc_freqs), stats, key)


@define
class BM25Scorer(TermScorer):
    """One term (or phrase) under :class:`BM25`: its weight (boost times idf) and field."""

    model: BM25
    weight: float
    boost: float
    doc_freqs: tuple[int, ...]
    stats: FieldStats
    #: what the length norms depend on (None: b = 0, none are needed)
    key: Hashable | None = None

    def score(self, freqs: npt.NDArray[np.number], lengths: npt.NDArray[np.number] | None
              ) -> npt.NDArray[np.float64]:
        return self.model.score(freqs, lengths, self.stats.average_length, self.weight)

    def norms_key(self) -> Hashable | None:
        return self.key

    def length_norms(self, lengths: npt.NDArray[np.number]) -> npt.NDArray[np.float64]:
        return self.model.length_norms(lengths, self.stats.average_length)

    def score_normed(self, freqs: npt.NDArray[np.number], norms: npt.NDArray[np.float64]
                     ) -> npt.NDArray[np.float64]:
        return self.model.score_normed(freqs, norms, self.weight)

    def postings_weight(self) -> float | None:
        """The weight, unless the model scores otherwise than BM25's formula (a subclass
        that overrides :meth:`BM25.score_normed`) or needs no norms (b = 0)."""
        if self.key is None or type(self.model).score_normed is not BM25.score_normed:
            return None
        return self.weight

    def upper_bound(self, max_freq: int, min_length: int | None) -> float | None:
        lengths = None if min_length is None else np.array([min_length])
        return float(self.score(np.array([max_freq]), lengths)[0])

    def explain(self, freq: int, length: int | None) -> Explanation:
        return self.model.explain_score(freq, length, self.stats, self.doc_freqs, self.boost)
