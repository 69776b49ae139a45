"""The query protocol and its algebra (And, Or, Not).

A frozen query binds to a searcher's statistics, then matches segments.

A :class:`Query` is a value (equality, hashing, a readable repr). :meth:`Query.bind`
gathers what it needs from index-wide statistics once and returns a :class:`Weight`;
:meth:`Weight.match` runs on one segment and returns :class:`Matches`: the matching
segment-local documents, ascending, with their scores, as numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, MutableMapping, Sequence

import numpy as np
import numpy.typing as npt
from attrs import define, field, frozen

from heron._kernels import Scratch, active
from heron._kernels._numpy import member
from heron.errors import QueryError
from heron.index import IndexReader, SegmentReader
from heron.query._matches import Matches, difference, every, intersection, union
from heron.query._share import exact_key
from heron.query._statistics import CollectionStatistics
from heron.query._weight import Marks, Weight, explain_any
from heron.schema import Schema
from heron.scoring import BM25, Explanation, FieldStats, Scoring, TermScorer, sum_of


@define
class Context:
    """What a query needs to bind: the schema, the scoring model and index-wide statistics."""

    reader: IndexReader
    scoring: Scoring = field(factory=BM25)
    #: length norms per (segment, field, scorer's norms key), which a searcher shares
    #: between its queries
    norm_cache: MutableMapping[tuple[str, str, Hashable], npt.NDArray[np.float64]] = field(
        factory=dict)
    _terms: dict[tuple[str, str], tuple[int, list[int]]] = field(factory=dict)
    #: whether the search's time is up: weights that do work in blocks check it between
    #: blocks and return what they have (None: no time limit)
    expired: Callable[[], bool] | None = None
    #: the weight (or the error) of each query bound so far, by its share key
    _shared: dict[Hashable, Weight | QueryError] = field(factory=dict)
    #: statistics of a whole collection that the reader is part of (a shard), scored
    #: with instead of the reader's own (None: the reader's)
    statistics: CollectionStatistics | None = None
    _fields: dict[str, tuple[int, int]] = field(factory=dict)
    #: (document frequency, number per segment) of terms, which a searcher shares between
    #: its queries (its reader is a snapshot: they never change)
    term_cache: MutableMapping[tuple[str, str], tuple[int, list[int]]] | None = None
    #: buffers for the compiled kernels, which a searcher shares between its queries
    scratch: Scratch | None = None

    @property
    def schema(self) -> Schema:
        """The index's schema."""
        return self.reader.schema

    def bind(self, query: Query) -> Weight:
        """``query.bind(self)``, done once for all the queries of one share key.

        Compound queries bind their parts through this, so that a part repeated in a
        query (or bound again, as lenient searches do) is bound, and matched, once.

        Raises:
            QueryError: the query cannot run (the same error each time).
        """
        key = query.share_key()
        if key is None:
            return query.bind(self)
        try:
            known = self._shared.get(key)
        except TypeError:  # an unhashable attribute value: bound apart
            return query.bind(self)
        if known is None:
            try:
                known = self._shared[key] = query.bind(self)
            except QueryError as exc:
                self._shared[key] = exc
                raise
        if isinstance(known, QueryError):
            raise known.with_traceback(None)
        return known

    def doc_freq(self, field_name: str, term: str) -> int:
        """Documents holding ``term`` in ``field_name`` over the whole index (cached)."""
        return self.term_info(field_name, term)[0]

    def term_info(self, field_name: str, term: str) -> tuple[int, list[int]]:
        """Document frequency and the term's number in each segment (cached)."""
        key = (field_name, term)
        info = self._terms.get(key)
        if info is None:
            shared = self.term_cache
            info = None if shared is None else shared.get(key)
            if info is None:
                info = self.reader.term_info(field_name, term)
                if shared is not None:
                    shared[key] = info
            self._terms[key] = info
        if self.statistics is not None:
            return self.statistics.doc_freqs.get(key, info[0]), info[1]
        return info

    def gathered(self) -> CollectionStatistics:
        """The reader's own statistics that binding looked up so far (for a shard's part)."""
        return CollectionStatistics(self.reader.max_doc, dict(self._fields),
                                    {key: df for key, (df, _) in self._terms.items()})

    def length_norms(self, segment: SegmentReader, field_name: str, scorer: TermScorer
                     ) -> npt.NDArray[np.float64] | None:
        """A scorer's length part for every document of a segment's field, shared by the
        scorers of one norms key (None: no lengths, or no such part)."""
        norms_key = scorer.norms_key()
        if norms_key is None:
            return None
        key = (segment.name, field_name, norms_key)
        cached = self.norm_cache.get(key)
        if cached is None:
            norms = segment.norms(field_name)
            if norms is None:
                return None
            cached = self.norm_cache[key] = scorer.length_norms(norms)
        return cached

    def scorer(self, field_name: str, boost: float, doc_freqs: Sequence[int]) -> TermScorer:
        """The scoring model's scorer of a term (or phrase) of a field, from index-wide
        statistics; ``boost`` is multiplied by the field's boost in the schema."""
        ftype = self.schema[field_name]
        return self.scoring.scorer(field_name, boost * ftype.boost, doc_freqs,
                                   self.field_stats(field_name))

    def field_stats(self, field_name: str) -> FieldStats:
        """Index-wide statistics of a field (for fields without lengths: document count)."""
        own = self._fields.get(field_name)
        if own is None:
            own = self._fields[field_name] = self.reader.field_stats(field_name)
        docs, length = own
        max_doc = self.reader.max_doc
        if self.statistics is not None:
            docs, length = self.statistics.fields.get(field_name, own)
            max_doc = self.statistics.max_doc
        if docs == 0:
            docs, length = max_doc, max_doc
        return FieldStats(docs, length)


class Query:
    """Base of queries. Combine with ``&`` (and), ``|`` (or) and ``~`` (not)."""

    def bind(self, context: Context) -> Weight:
        """Gather statistics and return a :class:`Weight`."""
        raise NotImplementedError

    def terms(self) -> set[tuple[str, str]]:
        """The (field, term) pairs this query looks for (for highlighting)."""
        return set()

    def children(self) -> tuple[Query, ...]:
        """The sub-queries this query combines (none for a leaf)."""
        return ()

    def marks(self, field_name: str, context: Context, into: Marks) -> None:
        """Add the terms and phrases this query matches in ``field_name`` to ``into``.

        The default adds those of :meth:`children`, in order, or for a leaf its own
        :meth:`terms` in that field; a query that matches patterns or phrases says so
        itself, and a prohibited part (``Not``) marks nothing.
        """
        parts = self.children()
        if parts:
            for q in parts:
                q.marks(field_name, context, into)
            return
        into.terms.extend(sorted(t for f, t in self.terms() if f == field_name))

    def share_key(self) -> Hashable | None:
        """A key equal to another query's only if both bind to the same weight, so that
        a search binds and matches them once; None (the default): bound apart each time.
        """
        return None

    def __and__(self, other: Query) -> Query:
        return And((self, other))

    def __or__(self, other: Query) -> Query:
        return Or((self, other))

    def __invert__(self) -> Query:
        return Not(self)


def match_each(weights: Sequence[Weight], segment: SegmentReader) -> list[Matches]:
    """Each weight's matches on ``segment``; a weight repeated in the list matches once."""
    done: dict[int, Matches] = {}
    found = []
    for w in weights:
        matches = done.get(id(w))
        if matches is None:
            matches = done[id(w)] = w.match(segment)
        found.append(matches)
    return found


def _flatten(kind: type[And | Or], queries: Sequence[Query]) -> tuple[Query, ...]:
    out: list[Query] = []
    for q in queries:
        out.extend(q.queries if isinstance(q, kind) else (q,))
    return tuple(out)


def _flatten_and(queries: Sequence[Query]) -> tuple[Query, ...]:
    """The sub-queries, with those of nested ``And`` queries spliced in."""
    return _flatten(And, queries)


def _flatten_or(queries: Sequence[Query]) -> tuple[Query, ...]:
    """The sub-queries, with those of nested ``Or`` queries spliced in."""
    return _flatten(Or, queries)


@frozen
class Every(Query):
    """Every document, with a constant score ``boost``.

    >>> Every()
    Every(boost=1.0)
    """

    boost: float = 1.0

    def bind(self, context: Context) -> Weight:
        return _EveryWeight(self.boost)

    def share_key(self) -> Hashable | None:
        return exact_key(self)


@define
class _EveryWeight(Weight):
    boost: float

    def match(self, segment: SegmentReader) -> Matches:
        return every(segment, self.boost)

    def explain(self, segment: SegmentReader, doc: int) -> Explanation | None:
        if segment.deleted is not None and segment.deleted[doc]:
            return None
        return Explanation(self.boost, "every document, boost")


@frozen
class And(Query):
    """Documents that match every sub-query; scores add up. ``Not`` parts exclude.

    >>> from heron.query import Term
    >>> query = Term("body", "gaza") & Term("body", "tunnel") & ~Term("body", "egypt")
    >>> query  # doctest: +NORMALIZE_WHITESPACE
    And(queries=(Term(field='body', text='gaza', boost=1.0),
                 Term(field='body', text='tunnel', boost=1.0),
                 Not(query=Term(field='body', text='egypt', boost=1.0))))
    """

    queries: tuple[Query, ...] = field(converter=_flatten_and)

    def bind(self, context: Context) -> Weight:
        required = [context.bind(q) for q in self.queries if not isinstance(q, Not)]
        prohibited = [context.bind(q.query) for q in self.queries if isinstance(q, Not)]
        return _AndWeight(required, list({id(w): w for w in prohibited}.values()))

    def terms(self) -> set[tuple[str, str]]:
        return set().union(*(q.terms() for q in self.queries if not isinstance(q, Not)))

    def children(self) -> tuple[Query, ...]:
        return self.queries


@define
class _AndWeight(Weight):
    required: list[Weight]
    prohibited: list[Weight]

    def match(self, segment: SegmentReader) -> Matches:
        if not self.required:
            return _all_but(segment, self.prohibited)
        found = intersection(match_each(self.required, segment), segment.doc_count)
        for w in self.prohibited:
            if not len(found):
                break
            found = difference(found, w.match(segment))
        return found

    def explain(self, segment: SegmentReader, doc: int) -> Explanation | None:
        if segment.deleted is not None and segment.deleted[doc]:
            return None
        if any(w.explain(segment, doc) is not None for w in self.prohibited):
            return None
        if not self.required:
            return Explanation(0.0, "matches none of the prohibited parts")
        parts = [w.explain(segment, doc) for w in self.required]
        found = [p for p in parts if p is not None]
        return sum_of(found, "sum of (all required):") if len(found) == len(parts) else None


def _all_but(segment: SegmentReader, prohibited: list[Weight]) -> Matches:
    """Every live document that no weight matches, scoring 0 (a query of ``-`` clauses)."""
    keep = np.ones(segment.doc_count, dtype=bool)
    if segment.deleted is not None:
        keep &= ~segment.deleted
    for w in prohibited:
        keep[w.match(segment).docs] = False
    docs = np.flatnonzero(keep).astype(np.int64)
    return Matches(docs, np.zeros(len(docs), dtype=np.float64))


@frozen
class Or(Query):
    """Documents that match any sub-query; scores of those they match add up.

    >>> from heron.query import Term
    >>> query = Term("body", "gaza") | Term("title", "gaza")
    >>> query  # doctest: +NORMALIZE_WHITESPACE
    Or(queries=(Term(field='body', text='gaza', boost=1.0),
                Term(field='title', text='gaza', boost=1.0)))
    """

    queries: tuple[Query, ...] = field(converter=_flatten_or)

    def bind(self, context: Context) -> Weight:
        weights: list[Weight] = []
        for q in self.queries:
            w = context.bind(q)
            # an OR among the parts (a word over several fields under BM25) is spliced
            # in: one union, its scores added in the order they always were
            weights.extend(w.weights if isinstance(w, _OrWeight) else (w,))
        return or_weight(weights, context)

    def terms(self) -> set[tuple[str, str]]:
        return set().union(*(q.terms() for q in self.queries))

    def children(self) -> tuple[Query, ...]:
        return self.queries


def or_weight(weights: list[Weight], context: Context) -> Weight:
    """The weight of documents matching any of ``weights``, their scores added."""
    return _OrWeight(weights, context.expired, context.scratch)


@define
class _OrWeight(Weight):
    weights: list[Weight]
    expired: Callable[[], bool] | None = None
    scratch: Scratch | None = None

    def match(self, segment: SegmentReader) -> Matches:
        if self.expired is None:
            postings = []
            for w in self.weights:  # terms scored with BM25: in one pass by the kernels
                found = w.bm25_postings(segment)
                if found is None:
                    break
                postings.append(found)
            else:
                docs, scores = active(segment.doc_count).score_or(
                    postings, segment.doc_count, segment.deleted, self.scratch)
                return Matches(docs, scores)
            return union(match_each(self.weights, segment), segment.doc_count)
        done: dict[int, Matches] = {}
        parts: list[Matches] = []
        for w in self.weights:  # a time limit stops between clauses
            if parts and self.expired():
                break
            matches = done.get(id(w))
            if matches is None:
                matches = done[id(w)] = w.match(segment)
            parts.append(matches)
        return union(parts, segment.doc_count)

    def explain(self, segment: SegmentReader, doc: int) -> Explanation | None:
        return explain_any(self.weights, segment, doc)


@frozen
class Not(Query):
    """Documents that do not match ``query`` (inside ``And``: excluded from the others).

    >>> from heron.query import Term
    >>> ~Term("body", "egypt")
    Not(query=Term(field='body', text='egypt', boost=1.0))
    """

    query: Query

    def bind(self, context: Context) -> Weight:
        return _AndWeight([], [context.bind(self.query)])

    def children(self) -> tuple[Query, ...]:
        return (self.query,)

    def marks(self, field_name: str, context: Context, into: Marks) -> None:
        """A prohibited part marks nothing."""


@frozen
class AndMaybe(Query):
    """Documents matching ``required``; those that also match ``optional`` score more.

    This is Lucene's MUST plus SHOULD: ``+gaza tunnels`` needs gaza, prefers tunnels.
    """

    required: Query
    optional: Query

    def bind(self, context: Context) -> Weight:
        return _AndMaybeWeight(context.bind(self.required), context.bind(self.optional))

    def terms(self) -> set[tuple[str, str]]:
        return self.required.terms() | self.optional.terms()

    def children(self) -> tuple[Query, ...]:
        return (self.required, self.optional)


@define
class _AndMaybeWeight(Weight):
    required: Weight
    optional: Weight

    def match(self, segment: SegmentReader) -> Matches:
        base = self.required.match(segment)
        if not len(base):
            return base
        extra = self.optional.match(segment)
        if not len(extra):
            return base
        keep = member(extra.docs, base.docs)
        bonus = np.zeros(len(base), dtype=np.float64)
        bonus[np.searchsorted(base.docs, extra.docs[keep])] = extra.scores[keep]
        return Matches(base.docs, base.scores + bonus)

    def explain(self, segment: SegmentReader, doc: int) -> Explanation | None:
        base = self.required.explain(segment, doc)
        if base is None:
            return None
        extra = self.optional.explain(segment, doc)
        return sum_of([base] if extra is None else [base, extra],
                      "sum of (required, then optional):")
