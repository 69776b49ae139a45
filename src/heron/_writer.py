"""The writer users get from ``Index.writer()``: the index writer plus deletion by query.

Matching a query needs the query layer, which sits above :mod:`heron.index`; this
subclass lives at the top so that the storage layer stays unaware of queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from heron.index import IndexReader, IndexWriter, SegmentReader
from heron.query import Context, Query, parse


class Writer(IndexWriter):
    """An :class:`~heron.index.IndexWriter` that can also delete by query."""

    def delete_by_query(self, query: str | Query, fields: Sequence[str] | None = None) -> int:
        """Delete every document the query matches; return how many committed ones it deleted.

        Documents added earlier by this writer are matched at commit.
        """
        bound = parse(query, self.schema, fields) if isinstance(query, str) else query
        manifest, schema, directory = self._base, self.schema, self.directory

        def match(segments: list[SegmentReader]) -> Iterator[tuple[SegmentReader, Any]]:
            weight = bound.bind(Context(IndexReader(directory, manifest, schema, segments)))
            for seg in segments:
                found = weight.match(seg)
                if len(found):
                    yield seg, found.docs

        return self.delete_where(match)
