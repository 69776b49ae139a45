"""Searching a sharded index: gather statistics, query every shard, merge, fetch.

As Elasticsearch's DFS query-then-fetch: (1) each shard reports its document
frequencies and field lengths for the query's terms, which are summed, and the terms its
prefix, wildcard, fuzzy and range parts expand to, which are united (see ``_expand``);
(2) each shard
scores with the sums and returns its best ``offset + limit`` hits with their sort
values, its total and facet counts; (3) the merged page's stored fields are fetched
from the shards holding them (for pages of up to 50 hits the shards send them with
their hits instead, which saves this third round trip). Scores, totals and facets
equal those of one index holding every document; hits with equal scores (and sort
values) come in the order of their global sequence numbers (see ``_sequence``), as
one index orders them by document number.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any

from heron import HeronError, QueryError, Schema, WorkerError
from heron.distributed._expand import expand_globally, merge_expansions
from heron.distributed._results import ShardedHit, ShardedResults
from heron.distributed._routing import shard_of
from heron.distributed._runner import DaskShard, LocalShard, Pending, close_shards
from heron.facets import Facet
from heron.query import MAX_EXPANSIONS, CollectionStatistics, Query, QueryParser, parse
from heron.search._arguments import check_parser, check_search
from heron.search._facet_kinds import as_facets
from heron.search._sorting import merge_order, sort_keys

#: bits of a shard's document number in the key that orders tied hits by shard
_SHARD_SHIFT = 40
#: up to this many hits per shard, shards send their hits' stored fields with them
#: (two round trips per search instead of three)
_STORED_WITH_HITS = 50


class ShardedSearcher:
    """Searches a sharded index at one sharded commit; close it (or use ``with``).

    One search at a time: the shard searchers take each search's collection statistics
    in turn (Dask runs an actor's calls one after another; locally, do not share a
    sharded searcher between threads).
    """

    def __init__(self, schema: Schema, paths: Sequence[str], generation: int,
                 shards: Sequence[LocalShard | DaskShard]) -> None:
        self.schema = schema
        self.paths = list(paths)
        #: the sharded commit this searcher sees
        self.generation = generation
        self._shards = list(shards)
        self._closed = False

    def __enter__(self) -> ShardedSearcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release every shard's searcher: its files, and on Dask its actor, before
        returning."""
        if not self._closed:
            self._closed = True
            close_shards(self._shards)

    def _gather(self, calls: dict[int, Pending], partial: bool, missing: list[int]
                ) -> dict[int, Any]:
        """Wait for every call; a shard that cannot answer is an error, or left out."""
        done = {}
        for number, pending in calls.items():
            try:
                done[number] = pending.result()
            except HeronError:
                raise
            except Exception as exc:
                if not partial:
                    raise WorkerError(
                        f"shard {number} ({self.paths[number]}) cannot be reached: "
                        f"{type(exc).__name__}: {exc}; search with partial=True for the "
                        "other shards' hits") from exc
                missing.append(number)
        return done

    def _query(self, query: str | Query, parser: QueryParser | None,
               options: dict[str, Any]) -> Query:
        if isinstance(query, Query):
            return query
        if parser is not None:
            return parser.parse(query)
        return parse(query, self.schema, **options)

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
        parser: QueryParser | None = None,
        partial: bool = False,
    ) -> ShardedResults:
        """Search every shard as one index (see :meth:`heron.Searcher.search`).

        Prefix, wildcard, fuzzy and range parts expand to the terms of every shard, as
        in one index, before scoring. ``partial=True`` returns the hits of the shards
        that answer, naming the others in ``results.missing_shards``, instead of raising.

        Raises:
            WorkerError: a shard cannot be reached (its worker is gone), naming it.
            QueryError: the query is malformed or cannot run.
            ArgumentError: an argument is wrong (also a ``ValueError``).
        """
        limit, offset = check_search(limit=limit, offset=offset, fields=fields,
                                     default_operator=default_operator,
                                     max_expansions=max_expansions, lenient=False)
        check_parser(parser, fields=fields, default_operator=default_operator,
                     max_expansions=max_expansions)
        reading: dict[str, Any] = {"fields": fields, "default_operator": default_operator,
                                   "max_expansions": max_expansions}
        parsed = self._query(query, parser, reading)
        try:
            restrict = None if filter is None else self._query(filter, parser, reading)
        except QueryError as exc:  # its position is in the filter's text
            raise exc.within("in filter") from None
        keys = sort_keys(self.schema, sort_by) if sort_by is not None else None
        kinds = as_facets(facets, self.schema)
        missing: list[int] = []
        parts = self._gather({i: s.call("statistics", parsed, restrict)
                              for i, s in enumerate(self._shards)}, partial, missing)
        stats = CollectionStatistics.combine(parts[i][0] for i in sorted(parts))
        expansions = merge_expansions(parts[i][1] for i in sorted(parts))
        scored = expand_globally(parsed, expansions)
        restrict = None if restrict is None else expand_globally(restrict, expansions)
        k = None if limit is None else offset + limit
        eager = k is not None and k <= _STORED_WITH_HITS
        options = {"k": k, "filter": restrict, "sort_by": sort_by, "facets": facets,
                   "stored": eager}
        found = self._gather({i: self._shards[i].call("search", scored, stats, options)
                              for i in sorted(parts)}, partial, missing)
        rows: list[tuple[list[Any], float, int]] = []
        where: list[tuple[int, int]] = []
        for number in sorted(found):
            for doc, score, values, seq in found[number]["hits"]:
                # ties go by global sequence number (one index's order); shards without
                # sequence numbers (made before them) by shard, then document number
                rows.append((values, score, seq if seq >= 0 else (number << _SHARD_SHIFT) + doc))
                where.append((number, doc))
        order = (sorted(range(len(rows)), key=lambda j: (-rows[j][1], rows[j][2]))
                 if keys is None else merge_order(rows, keys))
        chosen = order[offset:None if k is None else k]
        page = [(rows[j][1], where[j]) for j in chosen]
        if eager:
            stored = {(number, hit[0]): fields for number in found
                      for hit, fields in zip(found[number]["hits"], found[number]["stored"],
                                             strict=True)}
        else:
            stored = self._fetch([loc for _, loc in page], partial, missing)
        hits = [ShardedHit(self, shard, doc, score, offset + rank + 1, parsed,
                           stored.get((shard, doc), {}))
                for rank, (score, (shard, doc)) in enumerate(page)]
        counts = {}
        for facet in kinds:
            summed: dict[Any, int] = {}
            for number in sorted(found):
                for value, count in found[number]["facets"][facet.key].items():
                    summed[value] = summed.get(value, 0) + count
            counts[facet.key] = facet.finish(summed)
        return ShardedResults(parsed, sum(r["total"] for r in found.values()), hits, offset,
                              counts, tuple(sorted(set(missing))))

    def _fetch(self, wanted: list[tuple[int, int]], partial: bool, missing: list[int]
               ) -> dict[tuple[int, int], dict[str, Any]]:
        by_shard: dict[int, list[int]] = {}
        for shard, doc in wanted:
            by_shard.setdefault(shard, []).append(doc)
        got = self._gather({s: self._shards[s].call("fetch", docs)
                            for s, docs in by_shard.items()}, partial, missing)
        return {(s, doc): fields for s, docs in by_shard.items() if s in got
                for doc, fields in zip(docs, got[s], strict=True)}

    def highlight(self, hit: ShardedHit, field_name: str, top: int = 3) -> str:
        """Snippets of a hit's stored field (asked of the shard that holds it)."""
        result: str = self._gather({hit.shard: self._shards[hit.shard].call(
            "highlight", hit.docnum, hit.query, field_name, top)}, False, [])[hit.shard]
        return result

    def documents(self, **values: Any) -> Iterator[dict[str, Any]]:
        """Stored fields of the documents whose fields hold these values, shard by shard
        (only the shard that holds it when the unique field is given)."""
        unique = self.schema.unique_field()
        numbers = list(range(len(self._shards)))
        if unique is not None and unique in values:
            numbers = [shard_of(self.schema, values[unique], len(self._shards))]
        got = self._gather({i: self._shards[i].call("documents", values) for i in numbers},
                           False, [])
        for number in sorted(got):
            yield from got[number]

    def document(self, **values: Any) -> dict[str, Any] | None:
        """The stored fields of the first document whose fields hold these values."""
        return next(self.documents(**values), None) if values else None

    def doc_count(self) -> int:
        """Live documents over all shards."""
        counts = self._gather({i: s.call("doc_count") for i, s in enumerate(self._shards)},
                              False, [])
        return sum(counts.values())
