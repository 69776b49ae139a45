"""One word searched in several fields: scored field by field, or as one unit (BM25F).

The parser turns a word searched in several default fields into a
:class:`MultiFieldTerm`. Under a model that scores fields apart (BM25, the default)
it is exactly the ``Or`` of its terms; under one that scores them jointly
(:class:`~heron.scoring.BM25F`) the word's frequencies in its fields are weighted,
summed and saturated once.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from attrs import define, field, frozen

from heron._kernels._numpy import grouped, run_sums
from heron.index import SegmentReader
from heron.query._base import Context, Or, Query, or_weight
from heron.query._matches import Matches, live
from heron.query._term import Term
from heron.query._weight import Weight
from heron.scoring import Explanation, JointScorer


def _terms(queries: Sequence[Term]) -> tuple[Term, ...]:
    return tuple(queries)


@frozen
class MultiFieldTerm(Query):
    """A word searched in several fields: one :class:`Term` per field, times ``boost``.

    Each term's boost weights its field (BM25F's field weight); ``boost`` multiplies
    the whole. Under BM25 it scores as ``Or`` of the terms with their boosts times
    ``boost``.

    >>> MultiFieldTerm((Term("title", "gaza"), Term("body", "gaza")))  # doctest: +ELLIPSIS
    MultiFieldTerm(queries=(Term(field='title', ...), Term(field='body', ...)), boost=1.0)
    """

    queries: tuple[Term, ...] = field(converter=_terms)
    boost: float = 1.0

    def parts(self) -> tuple[Term, ...]:
        """The terms, each with its boost times ``boost``."""
        if self.boost == 1.0:
            return self.queries
        return tuple(Term(q.field, q.text, q.boost * self.boost) for q in self.queries)

    def as_or(self) -> Or:
        """The ``Or`` of :meth:`parts`: what the query is under a model that scores fields
        apart."""
        return Or(self.parts())

    def bind(self, context: Context) -> Weight:
        if not context.scoring.joint_fields() or len(self.queries) < 2:
            return or_weight([context.bind(q) for q in self.parts()], context)
        fields, doc_freqs, numbers = [], [], []
        for q in self.queries:
            df, per_segment = context.term_info(q.field, q.resolve(context.schema))
            fields.append((q.field, q.boost * context.schema[q.field].boost,
                           context.field_stats(q.field)))
            doc_freqs.append(df)
            numbers.append(per_segment)
        scorer = context.scoring.joint_scorer(fields, doc_freqs, self.boost)
        by_segment = {seg.name: [n[i] for n in numbers]
                      for i, seg in enumerate(context.reader.segments)}
        return _JointWeight(tuple(q.field for q in self.queries), by_segment, scorer)

    def terms(self) -> set[tuple[str, str]]:
        return set().union(*(q.terms() for q in self.queries))

    def children(self) -> tuple[Query, ...]:
        return self.queries

    def share_key(self) -> Hashable | None:
        """None, as for ``Or``: its terms are shared, and hashing it all costs more."""
        return None


def multi_field(queries: list[Query], boost: float) -> Query | None:
    """The query for one word over several fields: a :class:`MultiFieldTerm` when every
    part is a plain term, else the ``Or`` of the parts (None: no part)."""
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    if boost and all(type(q) is Term for q in queries):
        terms = [q for q in queries if isinstance(q, Term)]
        if boost == 1.0:  # the common case: the terms as they are
            return MultiFieldTerm(terms)
        return MultiFieldTerm([Term(q.field, q.text, q.boost / boost) for q in terms], boost)
    return Or(tuple(queries))


@define
class _JointWeight(Weight):
    fields: tuple[str, ...]
    #: each field's term number per segment (-1: not there)
    numbers: dict[str, list[int]]
    scorer: JointScorer

    def match(self, segment: SegmentReader) -> Matches:
        docs_parts, tf_parts = [], []
        for i, number in enumerate(self.numbers.get(segment.name, ())):
            if number < 0:
                continue
            stored, freqs = segment.postings(number)
            docs = stored.astype(np.int64)  # numpy indexes with int64 arrays quicker
            mask = live(segment, docs)
            if mask is not None:
                docs, freqs = docs[mask], freqs[mask]
            norms = segment.norms(self.fields[i])
            docs_parts.append(docs)
            tf_parts.append(self.scorer.field_tf(i, freqs, None if norms is None else norms[docs]))
        if not docs_parts:
            return Matches.empty()
        docs, tf, starts = grouped(docs_parts, tf_parts)
        return Matches(docs[starts], self.scorer.saturate(run_sums(tf, starts)))

    def explain(self, segment: SegmentReader, doc: int) -> Explanation | None:
        if segment.deleted is not None and segment.deleted[doc]:
            return None
        freqs: list[int] = []
        lengths: list[int | None] = []
        for i, number in enumerate(self.numbers.get(segment.name, [-1] * len(self.fields))):
            freq = 0
            if number >= 0:
                j = segment.posting_index(number, doc)
                if j >= 0:
                    freq = int(segment.freqs(number)[j])
            norms = segment.norms(self.fields[i])
            freqs.append(freq)
            lengths.append(None if norms is None else int(norms[doc]))
        if not any(freqs):
            return None
        found_expl = self.scorer.explain_fields(freqs, lengths)
        return Explanation(found_expl.value, f"BM25F over {', '.join(self.fields)}: "
                                             f"{found_expl.description}", found_expl.details)
