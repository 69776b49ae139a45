"""What every scoring model offers: a scorer per term, built from index-wide statistics.

A model (:class:`Scoring`) turns one term's statistics into a :class:`TermScorer`, as
Lucene's ``Similarity`` turns them into a ``SimScorer``. The scorer computes the
scores of a posting array at once and explains one document's score. Everything comes
from index-wide statistics (document count, document frequency, field lengths), never
from one segment, so that scores do not depend on how the index is segmented.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence

import numpy as np
import numpy.typing as npt
from attrs import frozen

from heron.errors import SchemaError
from heron.scoring._explanation import Explanation


@frozen
class FieldStats:
    """Index-wide statistics of one field: documents that have it and their total length."""

    doc_count: int
    total_length: int

    @property
    def average_length(self) -> float:
        """Average field length over documents that have the field (1.0 if none)."""
        return self.total_length / self.doc_count if self.doc_count else 1.0


class TermScorer:
    """Scores one term (or phrase) of one field over posting arrays.

    A scorer that uses field lengths may split them out (:meth:`length_norms`, computed
    once per segment and field and shared between terms, under :meth:`norms_key`).
    """

    def score(self, freqs: npt.NDArray[np.number], lengths: npt.NDArray[np.number] | None
              ) -> npt.NDArray[np.float64]:
        """Scores of documents with term frequencies ``freqs`` and field ``lengths``
        (None: the field keeps no lengths)."""
        raise NotImplementedError

    def norms_key(self) -> Hashable | None:
        """A key under which :meth:`length_norms` may be cached per segment and field;
        None (the default): the scorer has no per-document part to share. It must hold
        every figure the norms depend on (the average length too): a searcher may score
        with other statistics (a shard's collection statistics) under the same cache."""
        return None

    def length_norms(self, lengths: npt.NDArray[np.number]) -> npt.NDArray[np.float64]:
        """The per-document part of the score that depends only on field lengths."""
        raise NotImplementedError

    def score_normed(self, freqs: npt.NDArray[np.number], norms: npt.NDArray[np.float64]
                     ) -> npt.NDArray[np.float64]:
        """Scores from frequencies and the :meth:`length_norms` of the same documents."""
        raise NotImplementedError

    def postings_weight(self) -> float | None:
        """``w`` when :meth:`score_normed` is BM25's ``w * f / (f + norm)`` over
        :meth:`length_norms` (then the query layer's kernels score postings in one pass,
        many terms at once); None (the default): :meth:`score_normed` is called."""
        return None

    def upper_bound(self, max_freq: int, min_length: int | None) -> float | None:
        """The best score of any document whose frequency is at most ``max_freq`` and
        length at least ``min_length``, for skipping blocks of postings; None (the
        default): no bound is known, so the term is scored exhaustively."""
        return None

    def explain(self, freq: int, length: int | None) -> Explanation:
        """One document's score, factor by factor."""
        raise NotImplementedError


class JointScorer(TermScorer):
    """Scores one word over several fields as one unit (see :class:`~heron.scoring.BM25F`)."""

    def field_tf(self, i: int, freqs: npt.NDArray[np.number],
                 lengths: npt.NDArray[np.number] | None) -> npt.NDArray[np.float64]:
        """Field ``i``'s part of the combined frequency, per document."""
        raise NotImplementedError

    def saturate(self, tf: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Scores from the combined frequencies."""
        raise NotImplementedError

    def explain_fields(self, freqs: Sequence[int], lengths: Sequence[int | None]
                       ) -> Explanation:
        """One document's score from its frequency and length in each field."""
        raise NotImplementedError


class Scoring:
    """Base of scoring models: pass one to ``ix.searcher(scoring=...)``."""

    def scorer(self, field: str, boost: float, doc_freqs: Sequence[int], stats: FieldStats
               ) -> TermScorer:
        """The scorer of a term (one document frequency) or a phrase (one per word) of
        ``field`` with statistics ``stats``, multiplied by ``boost``."""
        raise NotImplementedError

    def joint_fields(self) -> bool:
        """Whether a word searched in several fields is scored as one unit (BM25F) rather
        than field by field, each field's score added (the default)."""
        return False

    def joint_scorer(self, fields: Sequence[tuple[str, float, FieldStats]],
                     doc_freqs: Sequence[int], boost: float) -> JointScorer:
        """The scorer of one word over ``fields`` (name, weight, statistics), with its
        document frequency in each (only for models whose :meth:`joint_fields` is True)."""
        raise NotImplementedError

    def check_fields(self, names: Collection[str]) -> None:
        """Check the fields the model names against the schema's ``names``.

        Raises:
            SchemaError: the model names a field the schema lacks.
        """
        for name in sorted(self.field_names()):
            if name not in names:
                raise SchemaError(f"{type(self).__name__} names the field {name!r}, "
                                  "which the schema lacks")

    def field_names(self) -> Collection[str]:
        """The fields whose parameters the model sets (none by default)."""
        return ()
