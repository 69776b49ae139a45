"""The term query: documents whose field holds one exact (already analysed) term."""

from __future__ import annotations

import numpy as np
from attrs import define, frozen

from heron.index import SegmentReader
from heron.query._base import Context, Matches, Query, Weight, live


@frozen
class Term(Query):
    """Documents whose ``field`` holds the term ``text``, scored with BM25 times ``boost``.

    ``text`` is a term as the index holds it (already analysed: ``tunnel``, not
    ``Tunnels``); the query parser analyses words for you.

    >>> Term("body", "tunnel", boost=2.0)
    Term(field='body', text='tunnel', boost=2.0)
    """

    field: str
    text: str
    boost: float = 1.0

    def bind(self, context: Context) -> Weight:
        ftype = context.schema[self.field]
        stats = context.field_stats(self.field)
        df, numbers = context.term_info(self.field, self.text)
        weight = self.boost * ftype.boost * context.scoring.idf(df, stats.doc_count)
        by_segment = {s.name: n for s, n in zip(context.reader.segments, numbers, strict=True)}
        return TermWeight(self.field, by_segment, weight, stats.average_length, context)

    def terms(self) -> set[tuple[str, str]]:
        return {(self.field, self.text)}


@define
class TermWeight(Weight):
    """A term bound to its idf and the field's average length."""

    field: str
    numbers: dict[str, int]
    weight: float
    average_length: float
    context: Context

    def match(self, segment: SegmentReader) -> Matches:
        number = self.numbers.get(segment.name, -1)
        if number < 0:
            return Matches.empty()
        docs, freqs = segment.postings(number)
        mask = live(segment, docs)
        if mask is not None:
            docs, freqs = docs[mask], freqs[mask]
        norms = self.context.length_norms(segment, self.field, self.average_length)
        if norms is None:
            scores = self.context.scoring.score(freqs, None, self.average_length, self.weight)
        else:
            scores = self.context.scoring.score_normed(freqs, norms[docs], self.weight)
        return Matches(docs.astype(np.int64), scores)
