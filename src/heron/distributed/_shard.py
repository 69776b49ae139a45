"""What runs where a shard is: committing changes to it, and searching it.

These are plain functions and a plain class with arguments and results that travel
between processes (a process pool's or Dask's workers): documents as dicts, hits as
(document number, score, sort values) tuples, statistics as
:class:`~heron.query.CollectionStatistics`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import heron
from heron.distributed._expand import Expansions, shard_expansions
from heron.distributed._sequence import SEQUENCE, in_order, sequences
from heron.index._pins import restore_generation
from heron.query import CollectionStatistics, Context, Query
from heron.scoring import Scoring
from heron.search._sorting import SortKey, merge_order, segment_value, sort_keys

#: one change to a shard: ("rows", [doc, ...]) adds or replaces documents by their
#: unique value, ("update", doc) replaces one, ("delete", (field, value)) deletes by term
Op = tuple[str, Any]


def commit_shard(path: str, expected: int, ops: Sequence[Op], timeout: float | None) -> int:
    """Apply ``ops`` to the shard at ``path`` on top of commit ``expected``; commit.

    A newer commit than ``expected`` was never adopted by a sharded commit (one that
    failed half-way), so it is rolled back first. Returns the new generation.
    """
    directory = Path(path)
    ix = heron.open_index(directory)
    if ix.latest_generation() != expected:
        restore_generation(directory, expected, timeout)
        ix = heron.open_index(directory)
    with ix.writer(timeout=timeout) as writer:
        for kind, arg in ops:
            if kind == "rows":
                writer.add_documents(arg)
            elif kind == "update":
                writer.update_document(**arg)
            else:
                writer.delete_by_term(*arg)
    return ix.latest_generation()


def commit_pieces(path: str, expected: int, pieces: Sequence[Sequence[dict[str, Any]]],
                  offsets: Sequence[int] | None, timeout: float | None) -> int:
    """:func:`commit_shard` of the rows of several pieces (partitions split by shard);
    ``offsets``: the first sequence number of each piece's partition (then one more),
    added to the rows' numbers within their partition (None: the shard has no
    sequence column)."""
    if offsets is None:
        return commit_shard(path, expected, [("rows", p) for p in pieces if p], timeout)
    return commit_shard(path, expected, [
        ("rows", _numbered(piece, offset))
        for piece, offset in zip(pieces, offsets[:len(pieces)], strict=True) if piece],
        timeout)


def _numbered(piece: Sequence[dict[str, Any]], offset: int) -> Iterator[dict[str, Any]]:
    """The rows of a piece with ``offset`` added to their sequence numbers (copies: a
    piece may be read again if its task runs again)."""
    for row in piece:
        yield {**row, SEQUENCE: row[SEQUENCE] + offset}


class ShardSearcher:
    """A searcher on one shard at one generation, scoring with collection statistics."""

    def __init__(self, path: str, generation: int, scoring: Scoring | None = None) -> None:
        reader = heron.IndexReader.open(Path(path), generation=generation)
        try:
            self.searcher = heron.Searcher(reader, scoring)
        except BaseException:
            reader.close()
            raise
        #: whether the shard's document numbers follow the global sequence (else its
        #: best k by its own tie order may leave out a tied hit that the merge wants)
        self.ordered = in_order(reader)

    def doc_count(self) -> int:
        """Live documents of the shard."""
        return self.searcher.doc_count()

    def statistics(self, query: Query, filter: Query | None
                   ) -> tuple[CollectionStatistics, Expansions]:
        """The shard's statistics for the query, and what its prefix, wildcard, fuzzy and
        range parts expand to here (the "DFS" phase)."""
        searcher = self.searcher
        expansions = shard_expansions(Context(searcher.reader, searcher.scoring),
                                      [query, filter])
        return searcher.collection_statistics(query, filter=filter), expansions

    def search(self, query: Query, statistics: CollectionStatistics, options: dict[str, Any]
               ) -> dict[str, Any]:
        """The shard's best ``k`` hits scored with ``statistics`` (the "query" phase).

        ``options`` are ``k``, ``filter``, ``sort_by``, ``facets`` and ``stored``
        (whether to return the hits' stored fields now, saving the fetch phase's round
        trip when pages are small). Returns ``total``, ``hits`` as (document, score,
        sort values, sequence number) and ``facets``, and ``stored`` (a list of dicts)
        if asked.
        """
        sort_by, k = options["sort_by"], options["k"]
        keys = sort_keys(self.searcher.schema, sort_by) if sort_by is not None else []
        exact = self.ordered or k is None or k == 0
        # out of order: one more hit shows whether equal hits straddle the k-th place;
        # only then are all of them needed to pick the best k by sequence number
        results, hits = self._ranked(query, statistics, options, k if exact else k + 1, keys)
        if not exact and len(hits) > k and hits[k - 1][1:3] == hits[k][1:3]:
            results, hits = self._ranked(query, statistics, options, None, keys)
        kept = list(range(len(hits)))
        if not exact:  # the best k in the sharded index's tie order
            rows = [(values, score, seq) for _, score, values, seq in hits]
            kept = (merge_order(rows, keys) if keys else
                    sorted(kept, key=lambda j: (-rows[j][1], rows[j][2])))[:k]
        found: dict[str, Any] = {"total": results.total, "hits": [hits[j] for j in kept],
                                 "facets": results.facets}
        if options.get("stored"):
            found["stored"] = [results[j].fields for j in kept]
        return found

    def _ranked(self, query: Query, statistics: CollectionStatistics, options: dict[str, Any],
                limit: int | None, keys: list[SortKey]
                ) -> tuple[heron.Results, list[tuple[int, float, list[Any], int]]]:
        """The shard's results, and their hits as (document, score, sort values, sequence)."""
        self.searcher.statistics = statistics
        try:
            results = self.searcher.search(query, limit, filter=options["filter"],
                                           sort_by=options["sort_by"],
                                           facets=options["facets"])
        finally:
            self.searcher.statistics = None
        reader = self.searcher.reader
        seqs = sequences(reader, [hit.docnum for hit in results])
        hits = []
        for hit, seq in zip(results, seqs, strict=True):
            values = []
            if keys:
                segment, local = reader.locate(hit.docnum)
                values = [segment_value(segment, key, local) for key in keys]
            hits.append((hit.docnum, hit.score, values, seq))
        return results, hits

    def fetch(self, docnums: Sequence[int]) -> list[dict[str, Any]]:
        """The stored fields of documents (the "fetch" phase)."""
        return [self.searcher.stored_fields(d) for d in docnums]

    def highlight(self, docnum: int, query: Query, field: str, top: int) -> str:
        """Snippets of a document's field with the query's matches marked."""
        hit = heron.Hit(self.searcher, docnum, 0.0, 1, query)
        return hit.highlights(field, top)

    def documents(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """Stored fields of the documents whose fields hold these values."""
        return list(self.searcher.documents(**values))

    def close(self) -> None:
        """Release the shard's files."""
        self.searcher.close()
