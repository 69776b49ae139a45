"""Simpler models: TF-IDF, raw frequency, and a scoring function of the user's."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
from attrs import define, frozen

from heron.errors import ArgumentError, ArgumentTypeError
from heron.scoring._explanation import Explanation
from heron.scoring._model import FieldStats, Scoring, TermScorer

Array = npt.NDArray[np.float64]
#: a scoring function: (tf, df, length, avg_length, n) to scores, see FunctionScoring
ScoreFunction = Callable[[Array, Array, Array, Array, Array], npt.ArrayLike]


@frozen
class TFIDF(Scoring):
    """Classic TF-IDF without length normalisation: ``boost * sqrt(tf) * idf``,
    ``idf = 1 + ln((N + 1) / (n + 1))`` (a phrase adds its words' idfs).

    >>> scorer = TFIDF().scorer("body", 1.0, [1], FieldStats(3, 30))
    >>> round(float(scorer.score(np.array([4]), None)[0]), 4)
    3.3863
    """

    def idf(self, doc_freq: int, doc_count: int) -> float:
        """``1 + ln((N + 1) / (n + 1))``."""
        return 1.0 + math.log((doc_count + 1) / (doc_freq + 1))

    def scorer(self, field: str, boost: float, doc_freqs: Sequence[int], stats: FieldStats
               ) -> TermScorer:
        idf = sum(self.idf(n, stats.doc_count) for n in doc_freqs)
        return _TFIDFScorer(boost, idf, stats.doc_count, tuple(doc_freqs))


@define
class _TFIDFScorer(TermScorer):
    boost: float
    idf: float
    doc_count: int
    doc_freqs: tuple[int, ...]

    def score(self, freqs: npt.NDArray[np.number], lengths: npt.NDArray[np.number] | None
              ) -> Array:
        return self.boost * self.idf * np.sqrt(freqs.astype(np.float64))

    def upper_bound(self, max_freq: int, min_length: int | None) -> float | None:
        return self.boost * self.idf * math.sqrt(max_freq)

    def explain(self, freq: int, length: int | None) -> Explanation:
        idf_text = " + ".join(f"1 + ln((N {self.doc_count} + 1) / (n {n} + 1))"
                              for n in self.doc_freqs)
        return Explanation(
            self.boost * self.idf * math.sqrt(freq),
            f"boost {self.boost:g} * idf {self.idf:.4f} * sqrt(freq {freq})",
            (Explanation(self.idf, f"idf = {idf_text}", show_value=False),))


@frozen
class Frequency(Scoring):
    """The term's frequency in the document times the boost (no idf, no lengths).

    >>> float(Frequency().scorer("body", 2.0, [5], FieldStats(3, 30)).score(np.array([3]), None)[0])
    6.0
    """

    def scorer(self, field: str, boost: float, doc_freqs: Sequence[int], stats: FieldStats
               ) -> TermScorer:
        return _FrequencyScorer(boost)


@define
class _FrequencyScorer(TermScorer):
    boost: float

    def score(self, freqs: npt.NDArray[np.number], lengths: npt.NDArray[np.number] | None
              ) -> Array:
        return self.boost * freqs.astype(np.float64)

    def upper_bound(self, max_freq: int, min_length: int | None) -> float | None:
        return self.boost * max_freq

    def explain(self, freq: int, length: int | None) -> Explanation:
        return Explanation(self.boost * freq, f"boost {self.boost:g} * freq {freq}")


@frozen
class FunctionScoring(Scoring):
    """Scores from a function of numpy arrays: ``fn(tf, df, length, avg_length, n)``.

    All five arguments are float64 arrays of the documents' length: the term's frequency
    in each document, its document frequency, each document's field length (the
    average where the field keeps none), the field's average length and the number of
    documents with the field (index-wide; a phrase passes its rarest word's df). The
    function returns one finite score per document, which the boost multiplies. It has
    no bound on its scores, so its terms are scored exhaustively.

    >>> model = FunctionScoring(lambda tf, df, length, avg, n: tf / df)
    >>> model.scorer("body", 1.0, [4], FieldStats(10, 100)).score(np.array([2]), None)
    array([0.5])
    """

    function: ScoreFunction

    def __attrs_post_init__(self) -> None:
        if not callable(self.function):
            raise ArgumentTypeError(f"FunctionScoring takes a function, got {self.function!r}")

    def scorer(self, field: str, boost: float, doc_freqs: Sequence[int], stats: FieldStats
               ) -> TermScorer:
        return _FunctionScorer(self.function, boost, min(doc_freqs, default=0), stats)


@define
class _FunctionScorer(TermScorer):
    function: ScoreFunction
    boost: float
    doc_freq: int
    stats: FieldStats

    def score(self, freqs: npt.NDArray[np.number], lengths: npt.NDArray[np.number] | None
              ) -> Array:
        size = len(freqs)
        avg = self.stats.average_length
        length = (np.full(size, avg) if lengths is None else lengths.astype(np.float64))
        out = np.asarray(self.function(
            freqs.astype(np.float64), np.full(size, float(self.doc_freq)), length,
            np.full(size, avg), np.full(size, float(self.stats.doc_count))), dtype=np.float64)
        if out.shape != (size,) or not np.isfinite(out).all():
            raise ArgumentError(f"a FunctionScoring function must return {size} finite "
                                f"scores, got {out!r:.80}")
        return self.boost * out

    def explain(self, freq: int, length: int | None) -> Explanation:
        value = float(self.score(np.array([freq]), None if length is None
                                 else np.array([length]))[0])
        dl = self.stats.average_length if length is None else length
        return Explanation(value, f"boost {self.boost:g} * function(tf {freq}, df "
                                  f"{self.doc_freq}, length {dl:g}, avg_length "
                                  f"{self.stats.average_length:g}, n {self.stats.doc_count})")
