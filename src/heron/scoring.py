"""BM25 ranking from plain collection statistics, with Lucene's formulas.

For a term with document frequency ``n`` among ``N`` documents that have the field,
a document with ``tf`` occurrences in a field of length ``dl`` (average ``avgdl``)
scores::

    boost * idf * tf / (tf + k1 * (1 - b + b * dl / avgdl))
    idf = ln(1 + (N - n + 0.5) / (n + 0.5))

which is Lucene's ``BM25Similarity`` since version 8 (the constant ``k1 + 1`` factor
of the textbook formula is left out: it changes no ranking). Field lengths are exact
token counts, where Lucene keeps a one-byte approximation.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from attrs import field, frozen

from heron.errors import HeronError


def _check_k1(_inst: object, _attr: object, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise HeronError(f"BM25 needs k1 >= 0, got {value}")


def _check_b(_inst: object, _attr: object, value: float) -> None:
    if not 0 <= value <= 1:
        raise HeronError(f"BM25 needs 0 <= b <= 1, got {value}")


@frozen
class FieldStats:
    """Index-wide statistics of one field: documents that have it and their total length."""

    doc_count: int
    total_length: int

    @property
    def average_length(self) -> float:
        """Average field length over documents that have the field (1.0 if none)."""
        return self.total_length / self.doc_count if self.doc_count else 1.0


@frozen
class BM25:
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

    def upper_bound(self, weight: float, max_freq: npt.NDArray[np.number],
                    min_length: npt.NDArray[np.number] | None, average_length: float
                    ) -> npt.NDArray[np.float64]:
        """Scores no document of a block of postings can pass: that of the block's largest
        frequency in its shortest field (``min_length``; None: the field keeps no lengths).

        They are computed with the operations of :meth:`score`, each monotonic under
        rounding, so they bound the scores :meth:`score` gives exactly, not only nearly.

        >>> bm25 = BM25()
        >>> bound = bm25.upper_bound(2.0, np.array([3]), np.array([5]), 10.0)[0]
        >>> bool(bound >= bm25.score(np.array([3, 1]), np.array([5, 5]), 10.0, 2.0).max())
        True
        """
        return self.score(max_freq, min_length, average_length, weight)

    def explain(
        self, freq: int, length: int | None, stats: FieldStats, doc_freq: int, boost: float
    ) -> str:
        """Explain one score factor by factor, in words.

        >>> print(BM25().explain(2, 10, FieldStats(10, 100), 1, 1.0))
        1.2453 = boost 1 * idf 1.9924 * tf 0.6250
          idf = ln(1 + (N 10 - n 1 + 0.5) / (n 1 + 0.5))
          tf = freq 2 / (freq 2 + k1 1.2 * (1 - b 0.75 + b * dl 10 / avgdl 10))
        """
        idf = self.idf(doc_freq, stats.doc_count)
        avg = stats.average_length
        dl = avg if length is None else length
        tf = freq / (freq + self.k1 * (1 - self.b + self.b * dl / avg))
        return (
            f"{boost * idf * tf:.4f} = boost {boost:g} * idf {idf:.4f} * tf {tf:.4f}\n"
            f"  idf = ln(1 + (N {stats.doc_count} - n {doc_freq} + 0.5) / (n {doc_freq} + 0.5))\n"
            f"  tf = freq {freq} / (freq {freq} + k1 {self.k1:g} * (1 - b {self.b:g} + b * dl "
            f"{dl:g} / avgdl {avg:g}))"
        )
