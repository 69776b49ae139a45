"""The term query: documents whose field holds one exact term, or one typed value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import define, frozen

from heron._kernels import Postings, active
from heron.errors import QueryError, SchemaError
from heron.index import SegmentReader
from heron.query._base import Context, Query
from heron.query._matches import Matches, live
from heron.query._share import exact_key
from heron.query._weight import Marks, Weight
from heron.schema import Schema
from heron.scoring import Explanation, TermScorer

_NO_POSTINGS = np.zeros(0, dtype=np.uint32)

#: what a term query looks for: a term as indexed (text), or a value of a typed field
TermValue = str | int | float | dt.date


def index_term(schema: Schema, field: str, value: TermValue) -> str:
    """The term ``value`` is indexed as in ``field``: text as it is, other values converted.

    A string is a term as the index holds it (already analysed, what the parser
    passes); a number, date, datetime or boolean is converted by the field's type.

    >>> from heron.schema import NUMERIC, Schema
    >>> index_term(Schema(year=NUMERIC()), "year", 2017)
    '80000000000007e1'

    Raises:
        QueryError: the value does not fit the field (naming the field).
        UnknownFieldError: the field is not in the schema (a SchemaError).
    """
    if isinstance(value, str):
        return value
    schema[field]  # an unknown field raises UnknownFieldError, whatever the value
    try:
        return schema.term(field, value)
    except SchemaError as exc:  # field types name the field in their messages
        raise QueryError(str(exc)) from None


def term_weight(context: Context, field: str, numbers: list[int], boost: float, df: int
                ) -> TermWeight:
    """A term's weight from its numbers per segment and the document frequency to score with."""
    by_segment = {s.name: n for s, n in zip(context.reader.segments, numbers, strict=True)}
    return TermWeight(field, by_segment, context.scorer(field, boost, (df,)), context)


@frozen
class Term(Query):
    """Documents whose ``field`` holds the term ``text``, scored with BM25 times ``boost``.

    ``text`` is a term as the index holds it (already analysed: ``tunnel``, not
    ``Tunnels``); the query parser analyses words for you. For NUMERIC, DATETIME and
    BOOLEAN fields it may also be a value (a number, a date or datetime, a boolean),
    which the field's type converts when the query is bound.

    >>> Term("body", "tunnel", boost=2.0)
    Term(field='body', text='tunnel', boost=2.0)
    >>> Term("year", 2017)
    Term(field='year', text=2017, boost=1.0)
    """

    field: str
    text: TermValue
    boost: float = 1.0

    def resolve(self, schema: Schema) -> str:
        """The term as the index holds it (see :func:`index_term`)."""
        return index_term(schema, self.field, self.text)

    def bind(self, context: Context) -> Weight:
        term = self.resolve(context.schema)
        df, numbers = context.term_info(self.field, term)
        return term_weight(context, self.field, numbers, self.boost, df)

    def terms(self) -> set[tuple[str, str]]:
        """The (field, term) looked for; none for a typed value (its term needs the schema)."""
        return {(self.field, self.text)} if isinstance(self.text, str) else set()

    def marks(self, field_name: str, context: Context, into: Marks) -> None:
        if self.field == field_name:
            into.terms.append(self.resolve(context.schema))

    def share_key(self) -> Hashable | None:
        if type(self) is Term and type(self.text) is str and type(self.boost) is float and (
                self.boost):  # the parser's terms: equality is exact for these, and quicker
            return self
        return exact_key(self)


@define
class TermWeight(Weight):
    """A term bound to its scorer (idf, boost and the field's statistics)."""

    field: str
    numbers: dict[str, int]
    scorer: TermScorer
    context: Context

    def match(self, segment: SegmentReader) -> Matches:
        number = self.numbers.get(segment.name, -1)
        if number < 0:
            return Matches.empty()
        stored, freqs = segment.postings(number)
        docs = stored.astype(np.int64)  # numpy indexes with int64 arrays 2-3x quicker
        mask = live(segment, docs)
        if mask is not None:
            docs, freqs = docs[mask], freqs[mask]
        return Matches(docs, self.scores(segment, docs, freqs))

    def bm25_postings(self, segment: SegmentReader) -> Postings | None:
        """The term's postings in ``segment`` (deleted documents left in) with its length
        norms and weight; None when its scorer is not BM25 over length norms."""
        weight = self.scorer.postings_weight()
        if weight is None:
            return None
        norms = self.context.length_norms(segment, self.field, self.scorer)
        if norms is None:
            return None
        number = self.numbers.get(segment.name, -1)
        if number < 0:
            return _NO_POSTINGS, _NO_POSTINGS, norms, weight
        docs, freqs = segment.postings(number)
        return docs, freqs, norms, weight

    def scores(self, segment: SegmentReader, docs: npt.NDArray[Any], freqs: npt.NDArray[Any]
               ) -> npt.NDArray[np.float64]:
        """The scores of some of the term's postings in ``segment`` (documents and their
        frequencies); element by element, so any subset scores as the whole list does."""
        norms = self.context.length_norms(segment, self.field, self.scorer)
        if norms is not None:
            weight = self.scorer.postings_weight()
            if weight is not None:  # BM25's formula: the kernels' one pass
                return active(len(norms)).bm25(weight, freqs, norms, docs)
            return self.scorer.score_normed(freqs, norms[docs])
        lengths = segment.norms(self.field)
        return self.scorer.score(freqs, None if lengths is None else lengths[docs])

    def freq(self, segment: SegmentReader, doc: int) -> int:
        """The term's frequency in segment-local document ``doc`` (0: absent or deleted)."""
        number = self.numbers.get(segment.name, -1)
        if number < 0 or (segment.deleted is not None and segment.deleted[doc]):
            return 0
        i = segment.posting_index(number, doc)
        return int(segment.freqs(number)[i]) if i >= 0 else 0

    def explain(self, segment: SegmentReader, doc: int) -> Explanation | None:
        freq = self.freq(segment, doc)
        if not freq:
            return None
        lengths = segment.norms(self.field)
        length = None if lengths is None else int(lengths[doc])
        found = self.scorer.explain(freq, length)
        term = segment.terms.term(self.numbers[segment.name])
        return Explanation(found.value, f"{self.field}:{term}: {found.description}",
                           found.details)
