"""BM25F (Robertson and Zaragoza): one saturation over the field-weighted frequencies.

For one word searched in several fields, each field's frequency is normalised by its
own length and weighted, then the sum saturates once::

    tf~ = sum over fields f of  w_f * tf_f / (1 - b_f + b_f * len_f / avglen_f)
    score = boost * idf * tf~ / (k1 + tf~)

``w_f`` is the field's weight (``weights=``, times the schema's field boost, times the
boost the query gives the field). The word's idf is computed from the largest document
frequency among its fields (``max_f df_f``; the union's frequency would need every
posting list read at bind time) and the largest document count among them, both
index-wide. A word in a single field is this formula with one field: BM25 with that
field's ``b`` and its frequency weighted inside the saturation.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
from attrs import define, field, frozen

from heron.errors import ArgumentError, ArgumentTypeError
from heron.scoring._explanation import Explanation
from heron.scoring._model import FieldStats, JointScorer, Scoring, TermScorer

#: b of a field that ``b=`` does not name
DEFAULT_B = 0.75

Pairs = tuple[tuple[str, float], ...]


def _pairs(value: float | Mapping[str, float] | Pairs) -> Pairs:
    if isinstance(value, tuple):  # the stored form ("" stands for every field)
        return tuple(sorted((str(name), _number(v, name)) for name, v in value))
    if isinstance(value, Mapping):
        items = list(value.items())
    else:
        return (("", _number(value, "b")),)
    for name, _ in items:
        if not isinstance(name, str) or not name:
            raise ArgumentTypeError(f"BM25F field names are non-empty strings, got {name!r}")
    return tuple(sorted((name, _number(v, name)) for name, v in items))


def _weights(value: Mapping[str, float] | Pairs) -> Pairs:
    return _pairs(value if isinstance(value, Mapping | tuple) else dict(value))


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"BM25F parameter {name!r} is a number, got {value!r}")
    return float(value)


def _check_k1(_inst: object, _attr: object, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ArgumentError(f"BM25F needs k1 >= 0, got {value}")


def _check_b(_inst: object, _attr: object, value: Pairs) -> None:
    for name, b in value:
        if not 0 <= b <= 1:
            raise ArgumentError(f"BM25F needs 0 <= b <= 1, got {b} for {name or 'every field'}")


def _check_weights(_inst: object, _attr: object, value: Pairs) -> None:
    for name, w in value:
        if not (math.isfinite(w) and w > 0):
            raise ArgumentError(f"BM25F field weights are positive, got {w} for {name!r}")


@frozen
class BM25F(Scoring):
    """Robertson's BM25F: a word over several fields saturates once.

    ``b`` is one value for every field or a mapping from field names to values (fields
    it leaves out take 0.75); ``weights`` maps field names to weights (default 1).

    >>> model = BM25F(k1=1.2, b={"title": 0.5, "body": 0.75})
    >>> model.b_of("title"), model.b_of("tags")
    (0.5, 0.75)
    """

    k1: float = field(default=1.2, converter=float, validator=_check_k1)
    b: Pairs = field(default=(("", DEFAULT_B),), converter=_pairs, validator=_check_b)
    weights: Pairs = field(factory=tuple, converter=_weights, validator=_check_weights)

    def b_of(self, name: str) -> float:
        """The field's ``b``."""
        found = dict(self.b)
        return found.get(name, found.get("", DEFAULT_B))

    def weight_of(self, name: str) -> float:
        """The field's weight from ``weights`` (1 if not named)."""
        return dict(self.weights).get(name, 1.0)

    def field_names(self) -> Collection[str]:
        return {name for name, _ in self.b if name} | {name for name, _ in self.weights}

    def joint_fields(self) -> bool:
        return True

    def idf(self, doc_freq: int, doc_count: int) -> float:
        """ln(1 + (N - n + 0.5) / (n + 0.5)), as BM25's."""
        return math.log(1.0 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5))

    def scorer(self, field: str, boost: float, doc_freqs: Sequence[int], stats: FieldStats
               ) -> TermScorer:
        return self.joint_scorer([(field, 1.0, stats)], doc_freqs, boost)

    def joint_scorer(self, fields: Sequence[tuple[str, float, FieldStats]],
                     doc_freqs: Sequence[int], boost: float) -> BM25FScorer:
        """The scorer of one word over ``fields`` (name, the query's weight for it, its
        statistics) with the word's document frequency in each; a phrase of one field
        passes the frequency of each of its words instead (their idfs add up)."""
        doc_count = max(stats.doc_count for _, _, stats in fields)
        if len(fields) == 1:
            idf = sum(self.idf(n, doc_count) for n in doc_freqs)
        else:
            idf = self.idf(max(doc_freqs, default=0), doc_count)
        parts = tuple((name, weight * self.weight_of(name), self.b_of(name), stats)
                      for name, weight, stats in fields)
        return BM25FScorer(self.k1, parts, idf, boost, tuple(doc_freqs))


@define
class BM25FScorer(JointScorer):
    """One word over one or more fields under :class:`BM25F`."""

    k1: float
    #: (field, weight, b, statistics) per field
    fields: tuple[tuple[str, float, float, FieldStats], ...]
    idf: float
    boost: float
    doc_freqs: tuple[int, ...]

    def field_tf(self, i: int, freqs: npt.NDArray[np.number],
                 lengths: npt.NDArray[np.number] | None) -> npt.NDArray[np.float64]:
        """Field ``i``'s weighted, length-normalised frequencies."""
        _, weight, b, stats = self.fields[i]
        tf = freqs.astype(np.float64)
        if lengths is None or b == 0:
            return weight * tf
        return weight * tf / (1.0 - b + b * (lengths.astype(np.float64) / stats.average_length))

    def saturate(self, tf: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Scores from summed frequencies: ``boost * idf * tf / (k1 + tf)``."""
        return self.boost * self.idf * tf / (self.k1 + tf)

    def score(self, freqs: npt.NDArray[np.number], lengths: npt.NDArray[np.number] | None
              ) -> npt.NDArray[np.float64]:
        return self.saturate(self.field_tf(0, freqs, lengths))

    def norms_key(self) -> Hashable | None:
        return None

    def upper_bound(self, max_freq: int, min_length: int | None) -> float | None:
        if len(self.fields) != 1:
            return None
        lengths = None if min_length is None else np.array([min_length])
        return float(self.score(np.array([max_freq]), lengths)[0])

    def explain_fields(self, freqs: Sequence[int], lengths: Sequence[int | None]
                       ) -> Explanation:
        """One document's score from its frequency and length in each field."""
        parts = []
        for i, (freq, length) in enumerate(zip(freqs, lengths, strict=True)):
            name, weight, b, stats = self.fields[i]
            avg = stats.average_length
            dl = avg if length is None or b == 0 else length
            value = float(self.field_tf(i, np.array([freq]), np.array([dl]))[0])
            parts.append(Explanation(value, f"{name}: weight {weight:g} * freq {freq} / "
                                            f"(1 - b {b:g} + b * dl {dl:g} / avgdl {avg:g})"))
        tf = sum(p.value for p in parts)
        n = max(self.doc_freqs, default=0) if len(self.fields) > 1 else self.doc_freqs[0]
        doc_count = max(stats.doc_count for *_, stats in self.fields)
        idf_text = (f"ln(1 + (N {doc_count} - n {n} + 0.5) / (n {n} + 0.5))"
                    if len(self.doc_freqs) == 1 or len(self.fields) > 1
                    else f"sum of the words' idfs, n {list(self.doc_freqs)}")
        value = float(self.saturate(np.array([tf]))[0])
        return Explanation(value, f"boost {self.boost:g} * idf {self.idf:.4f} * tf~ {tf:.4f} / "
                                  f"(k1 {self.k1:g} + tf~ {tf:.4f})", (
            Explanation(self.idf, f"idf = {idf_text}", show_value=False),
            Explanation(tf, "tf~, sum of:", tuple(parts)),
        ))

    def explain(self, freq: int, length: int | None) -> Explanation:
        return self.explain_fields([freq], [length])
