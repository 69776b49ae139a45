"""The searcher: runs queries on a snapshot of the index and returns ranked results."""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from heron._kernels import Scratch
from heron.errors import ArgumentTypeError, QueryError, SearcherClosedError
from heron.highlight import Formatter, Fragmenter
from heron.index import IndexReader, SegmentReader
from heron.query import (
    MAX_EXPANSIONS,
    And,
    CollectionStatistics,
    Context,
    Matches,
    Query,
    QueryParser,
    Term,
    parse,
)
from heron.query._bind import BoundText, bind_text
from heron.query._blockmax import segment_matcher
from heron.query._matches import intersection
from heron.schema import Schema
from heron.scoring import BM25, Explanation, Scoring
from heron.search._arguments import check_parser, check_search
from heron.search._collapse import Collapser, KeyTables, check_collapse
from heron.search._collect import collect
from heron.search._completion import WordTables
from heron.search._correct import correct
from heron.search._explain import explanation
from heron.search._facet_kinds import Facet, as_facets
from heron.search._groups import MatchSet
from heron.search._lru import LRU
from heron.search._matched import matched_terms
from heron.search._more_like import (
    NUMTERMS,
    TermFacts,
    as_docnum,
    find_doc,
    key_terms,
    more_like,
)
from heron.search._narrow import narrow
from heron.search._ordered import collect_collapsed, collect_sorted
from heron.search._pages import ResultsPage, page_of
from heron.search._results import Hit, Results
from heron.search._snippets import Snippets
from heron.search._sorting import SortKey, sort_keys
from heron.search._statistics import gather_statistics
from heron.search._suggest import MAX_DISTANCE, suggest
from heron.search._timer import Deadline

#: (segment, field, scoring key) whose length norms a searcher remembers
NORMS_CACHE = 256
#: (field, term) whose document frequency and numbers per segment a searcher remembers
TERMS_CACHE = 4096


def intersect_filter(found: Matches, allowed: Matches, size: int) -> Matches:
    """The matches of ``found`` that ``allowed`` also matches, with ``found``'s scores
    (``size``: the segment's documents)."""
    return intersection([found, Matches(allowed.docs, np.zeros(len(allowed)))], size)


class Searcher:
    """Searches one point-in-time snapshot (an :class:`IndexReader`).

    A searcher keeps seeing the commit it was opened on; :meth:`refresh` returns
    one on the newest commit. The searcher owns its reader: :meth:`close` (or leaving
    a ``with`` block) releases the index files.
    """

    def __init__(self, reader: IndexReader, scoring: Scoring | None = None, *,
                 statistics: CollectionStatistics | None = None) -> None:
        self.reader = reader
        self.scoring = scoring or BM25()
        #: statistics of the whole collection this index is a shard of, scored with
        #: instead of the index's own (None: its own); see :meth:`collection_statistics`
        self.statistics = statistics
        if not isinstance(self.scoring, Scoring):
            raise ArgumentTypeError(f"scoring is a heron.scoring model (BM25(), BM25F(), "
                                    f"TFIDF()...), got {self.scoring!r:.60}")
        self.scoring.check_fields(reader.schema.names())
        self._closed = False
        self._norm_cache: LRU[tuple[str, str, Hashable], npt.NDArray[np.float64]] = LRU(
            NORMS_CACHE)
        self._term_cache: LRU[tuple[str, str], tuple[int, list[int]]] = LRU(TERMS_CACHE)
        self._scratch = Scratch()
        self._snippets = Snippets(reader, self._context)
        self._key_tables = KeyTables()
        self._words = WordTables(reader)
        self._facts = TermFacts(reader)
        #: the clock that time limits are measured with (seconds)
        self.clock: Callable[[], float] = time.perf_counter
        #: score only what can reach the top k of an OR of terms (block-max; exact). Off by
        #: default: at news x16 it measured no quicker than scoring every posting, and a
        #: segment's block bounds cost a pass over its postings on the first pruned search
        self.prune: bool = False

    @property
    def schema(self) -> Schema:
        """The index's schema."""
        return self.reader.schema

    def doc_count(self) -> int:
        """Number of live documents in this snapshot."""
        self._check_open()
        return self.reader.doc_count()

    def parse(self, text: str, fields: Sequence[str] | None = None,
              default_operator: str = "OR", *, lenient: bool = False) -> Query:
        """Parse a query string against this index's schema (see :func:`heron.query.parse`)."""
        return parse(text, self.schema, fields, default_operator, lenient=lenient)

    def search(
        self,
        query: str | Query,
        limit: int | None = 10,
        *,
        offset: int = 0,
        fields: Sequence[str] | None = None,
        filter: str | Query | None = None,
        sort_by: str | Sequence[str] | None = None,
        facets: str | Facet | Sequence[str | Facet] | None = None,
        default_operator: str = "OR",
        max_expansions: int = MAX_EXPANSIONS,
        lenient: bool = False,
        collapse: str | None = None,
        collapse_limit: int = 1,
        terms: bool = False,
        time_limit: float | None = None,
        parser: QueryParser | None = None,
    ) -> Results:
        """Run a query (a string or a :class:`Query`) and return the best hits.

        Args:
            limit: hits to return (``None``: all).
            offset: hits to skip first (pagination); ``total`` still counts all.
            fields: fields searched by unqualified words (default: every TEXT field).
            filter: a query (or string) that restricts matches without changing scores.
            sort_by: a field name or list of them (``"-year"`` descending) to order hits
                by instead of score; ties are broken by score.
            facets: fields (names) or :mod:`heron.facets` objects (ranges, date buckets)
                counted over all matching documents, before collapsing
                (``results.facets[name]`` maps value to count).
            default_operator: how words side by side combine, ``"OR"`` or ``"AND"``.
            max_expansions: how many terms a prefix, wildcard, fuzzy or range query may
                expand to before it is refused.
            lenient: read a query string as a search box would: syntax errors and parts
                that cannot run become ``results.query_warnings`` instead of a
                :class:`~heron.errors.QueryError` (``filter`` stays strict).
            collapse: a field (KEYWORD, ID, NUMERIC, DATETIME, BOOLEAN): after ranking,
                keep the best ``collapse_limit`` hits per value (documents without a
                value are kept); ``total`` counts what remains.
            terms: record which of the query's terms each hit holds
                (:meth:`Hit.matched_terms`).
            time_limit: seconds after which the search stops, checked between segments
                and between the clauses of an OR; ``results.timed_out`` says whether it
                did (hits are then the best of what was scored).
            parser: a :class:`~heron.query.QueryParser` that reads query strings (its
                fields, field boosts, operator and disabled syntax) instead of ``fields``,
                ``default_operator`` and ``max_expansions``.

        Raises:
            QueryError: the query string is malformed or cannot run (strict mode), with
                its ``position``.
            ArgumentError: an argument is wrong (also a ``ValueError``; a wrong type,
                ``ArgumentTypeError``, is also a ``TypeError``).
        """
        self._check_open()
        limit, offset = check_search(limit=limit, offset=offset, fields=fields,
                                     default_operator=default_operator,
                                     max_expansions=max_expansions, lenient=lenient)
        check_parser(parser, fields=fields, default_operator=default_operator,
                     max_expansions=max_expansions)
        deadline = Deadline(time_limit, self.clock)
        context = Context(self.reader, self.scoring, self._norm_cache,
                          expired=None if time_limit is None else deadline.expired,
                          statistics=self.statistics, term_cache=self._term_cache,
                          scratch=self._scratch)

        def narrowed(query: Query) -> Query:  # n-gram fields: the longest n-grams only
            return narrow(query, self.schema)

        def bind(query: str | Query, lenient: bool) -> BoundText:
            if isinstance(query, Query):
                query = narrowed(query)
                return BoundText(query, query.bind(context), ())
            if parser is not None:
                return parser.bind(query, context, lenient=lenient, rewrite=narrowed)
            return bind_text(query, context, fields=fields, default_operator=default_operator,
                             max_expansions=max_expansions, lenient=lenient, rewrite=narrowed)

        bound = bind(query, lenient)
        query, weight = bound.query, bound.weight
        restrict = None
        if filter is not None:
            try:
                restrict = bind(filter, False).weight
            except QueryError as exc:  # its position is in the filter's text
                raise exc.within("in filter") from None
        keys = sort_keys(self.schema, sort_by) if sort_by is not None else None
        kinds = as_facets(facets, self.schema)
        counts: dict[str, dict[Any, int]] = {facet.key: {} for facet in kinds}
        collapser = (None if collapse is None
                     else self._collapser(collapse, collapse_limit, keys))
        k = self.reader.max_doc if limit is None else offset + limit
        parts: list[tuple[int, SegmentReader, Matches]] = []
        matched = []
        # the best k alone are scored when nothing else needs every match's score
        match = segment_matcher(weight, k if self.prune and limit is not None
                                and time_limit is None and not kinds and restrict is None
                                and keys is None and collapser is None else None)
        for base, seg in self.reader.iter_segments():
            if parts and deadline.expired():
                break
            found, every_doc = match(seg)
            if restrict is not None and len(found):
                found = intersect_filter(found, restrict.match(seg), seg.doc_count)
            for facet in kinds:
                facet.count(self.schema, seg, found.docs, counts[facet.key])
            matched.append((base, seg, found.docs if every_doc is None else every_doc))
            if collapser is not None:
                found = collapser.segment(seg, found, base)
            parts.append((base, seg, found))
        if collapser is not None:
            total, docs, scores = collect_collapsed(
                parts, keys, collapser, None if limit is None else offset + limit)
        elif keys is None:
            _, docs, scores = collect(((b, f) for b, _, f in parts), k)
            total = sum(len(every_doc) for _, _, every_doc in matched)
        else:
            total, docs, scores = collect_sorted(parts, keys, k)
        page = list(zip(docs[offset:].tolist(), scores[offset:].tolist(), strict=True))
        found_terms = (matched_terms(self.reader, query, [d for d, _ in page]) if terms
                       else [None] * len(page))
        hits = [Hit(self, d, sc, offset + i + 1, query, matched=found_terms[i])
                for i, (d, sc) in enumerate(page)]
        return Results(query, total, hits, offset,
                       {facet.key: facet.finish(counts[facet.key]) for facet in kinds},
                       bound.warnings, timed_out=deadline.passed,
                       matches=MatchSet(self, tuple(matched)))

    def search_page(self, query: str | Query, pagenum: int, pagelen: int = 10,
                    **options: Any) -> ResultsPage:
        """Page ``pagenum`` (from 1) of ``pagelen`` hits; past the end, the last page.

        ``options`` are those of :meth:`search` (``sort_by``, ``filter``, ``facets``...).

        Raises:
            ArgumentError: ``pagenum`` or ``pagelen`` is below 1.
        """
        self._check_open()
        return page_of(lambda n, skip: self.search(query, n, offset=skip, **options),
                       pagenum, pagelen)

    def _context(self) -> Context:
        return Context(self.reader, self.scoring, self._norm_cache, statistics=self.statistics,
                       term_cache=self._term_cache, scratch=self._scratch)

    def collection_statistics(self, query: str | Query, *, fields: Sequence[str] | None = None,
                              filter: str | Query | None = None, default_operator: str = "OR",
                              max_expansions: int = MAX_EXPANSIONS) -> CollectionStatistics:
        """This index's statistics for what ``search`` with these arguments scores with.

        A sharded search sums them over its shards and sets the sums as every shard
        searcher's :attr:`statistics`, so that shards score as one index would.
        """
        self._check_open()
        return gather_statistics(Context(self.reader, self.scoring), query, fields=fields,
                                 filter=filter, default_operator=default_operator,
                                 max_expansions=max_expansions)

    def documents(self, **values: Any) -> Iterator[dict[str, Any]]:
        """The stored fields of every live document, or of those whose fields hold these
        values (``documents(tags="gaza")``), in document-number order."""
        self._check_open()
        if values:
            query = And(tuple(Term(name, self.schema.term(name, value))
                              for name, value in values.items()))
            for hit in sorted(self.search(query, limit=None).docnums()):
                yield self.reader.stored_fields(hit)
            return
        for base, seg in self.reader.iter_segments():
            for local in range(seg.doc_count):
                if seg.deleted is None or not seg.deleted[local]:
                    yield self.reader.stored_fields(base + local)

    def document(self, **values: Any) -> dict[str, Any] | None:
        """The stored fields of the first live document whose fields hold these values.

        >>> # searcher.document(id="a1") -> {"id": "a1", "title": ...} or None
        """
        return next(self.documents(**values), None) if values else None

    def doc_frequency(self, field_name: str, term: str) -> int:
        """How many documents (deleted ones included until a merge) hold an indexed term."""
        self._check_open()
        self.schema[field_name]  # an unknown field raises UnknownFieldError
        return self.reader.doc_freq(field_name, term)

    def lexicon(self, field_name: str) -> Iterator[str]:
        """The distinct terms of a field, in dictionary order."""
        self._check_open()
        self.schema[field_name]  # an unknown field raises UnknownFieldError
        ranges = [(seg, *seg.terms.field_range(field_name)) for seg in self.reader.segments]
        streams = [(t for _, t in seg.terms.iter_range(field_name, a, b)) for seg, a, b in ranges]
        last = None
        for term in heapq.merge(*streams, key=lambda t: t.encode("utf-8")):
            if term != last:
                yield term
                last = term

    def explain(self, hit: Hit) -> str:
        """How the query scored a hit, factor by factor for its terms."""
        return self.explanation(hit).format()

    def explanation(self, hit: Hit) -> Explanation:
        """How the query scored a hit, as a tree (value, description, details) whose
        root's value is the hit's score."""
        self._check_open()
        return explanation(hit.query, hit.docnum, self._context())

    def stored_value(self, docnum: int, name: str) -> Any:
        """One stored field of a document number (None if absent); cheap for ID fields."""
        self._check_open()
        self.schema[name]  # an unknown field raises UnknownFieldError
        return self.reader.stored_value(docnum, name)

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        """The stored fields of a document number."""
        self._check_open()
        return self.reader.stored_fields(docnum)

    def highlight(
        self,
        hit: Hit,
        field_name: str,
        *,
        top: int = 3,
        fragmenter: Fragmenter | None = None,
        formatter: Formatter | None = None,
        text: str | None = None,
    ) -> str:
        """Snippets of ``field_name`` of a hit (see :meth:`Hit.highlights`)."""
        self._check_open()
        return self._snippets.highlight(hit.query, hit.docnum, hit.fields, field_name, top=top,
                                        fragmenter=fragmenter, formatter=formatter, text=text)

    def text_terms(self, field_name: str, text: str) -> list[str]:
        """The terms of ``text`` as ``field_name`` indexes them (each word analysed once per
        searcher, as highlighting does)."""
        return self._snippets.text_terms(field_name, text)

    def suggest(self, field_name: str, text: str, limit: int = 5, *,
                maxdist: int = MAX_DISTANCE, prefix: int = 0) -> list[str]:
        """Words of a field within ``maxdist`` edits of ``text``, nearest then most frequent
        first, as documents write them (not stems); ``prefix`` letters must match."""
        self._check_open()
        return suggest(self.reader, self.schema, field_name, text, limit=limit, maxdist=maxdist,
                       prefix=prefix)

    def correct(self, text: str, fields: Sequence[str] | None = None) -> str | None:
        """The query string with words the index lacks replaced by close, frequent words
        (field prefixes and syntax kept), or None if nothing better exists."""
        self._check_open()
        for name in fields or ():
            self.schema[name]  # an unknown field raises UnknownFieldError
        return correct(self.reader, self.schema, text, fields)

    def complete(self, field_name: str, prefix: str, limit: int = 5) -> list[str]:
        """Words of a field starting with ``prefix``, most frequent first."""
        self._check_open()
        self.schema[field_name]  # an unknown field raises UnknownFieldError
        return self._words.complete(field_name, prefix, limit)

    def more_like(self, docnum: int | None = None, *, text: str | None = None,
                  field: str | None = None, limit: int = 10, numterms: int = NUMTERMS,
                  **values: Any) -> Results:
        """Documents like one (a number, or field values: ``more_like(id="17")``), left
        out itself, or like ``text``: an OR of its best tf-idf terms in ``field`` (default:
        every TEXT field)."""
        self._check_open()
        if values:
            docnum = find_doc(self, values)
        return more_like(self, self._facts, docnum, text=text, field=field, limit=limit,
                         numterms=numterms)

    def key_terms(self, docs: Sequence[int | str], field_name: str,
                  numterms: int = NUMTERMS) -> list[tuple[str, float]]:
        """The most distinctive words of documents (numbers, or values of the unique field)
        in a field, with their tf-idf weight, best first."""
        self._check_open()
        return key_terms(self, self._facts, [as_docnum(self, d) for d in docs], field_name,
                         numterms)

    def refresh(self) -> Searcher:
        """A searcher on the newest commit, or this one if nothing changed.

        When there is a newer commit, the new searcher takes over the segments that did
        not change and this searcher is closed (use the one returned:
        ``searcher = searcher.refresh()``).
        """
        self._check_open()
        reader = self.reader.reopen()
        if reader is self.reader:
            return self
        self._release()
        fresh = Searcher(reader, self.scoring)
        fresh.prune = self.prune
        return fresh

    def _collapser(self, collapse: str, collapse_limit: int, keys: list[SortKey] | None
                   ) -> Collapser:
        """The collapser of a search by field ``collapse`` (checked against the schema)."""
        check_collapse(self.schema, collapse, collapse_limit)
        return Collapser(collapse, collapse_limit, keys, self._key_tables)

    def _check_open(self) -> None:
        if self._closed:
            raise SearcherClosedError("this searcher is closed")

    @property
    def closed(self) -> bool:
        """Whether the searcher has been closed."""
        return self._closed

    def close(self) -> None:
        """Release the snapshot: the files of its segments and what was derived from them.

        Idempotent. Hits of its results still give the stored fields they already read;
        anything else raises :class:`~heron.errors.SearcherClosedError`.
        """
        if not self._closed:
            self._release()
            self.reader.close()

    def _release(self) -> None:
        """Mark the searcher closed and drop its caches (the reader is closed or handed on)."""
        self._closed = True
        self._snippets.clear()
        self._norm_cache.clear()
        self._term_cache.clear()
        self._scratch.clear()
        self._key_tables.clear()
        self._words.clear()
        self._facts.clear()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
