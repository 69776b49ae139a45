"""The searcher: runs queries on a snapshot of the index and returns ranked results."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

from heron.errors import HeronError
from heron.index import IndexReader
from heron.query import Context, Query, parse
from heron.schema import Schema
from heron.scoring import BM25
from heron.search._collect import collect
from heron.search._results import Hit, Results


class Searcher:
    """Searches one point-in-time snapshot (an :class:`IndexReader`).

    A searcher keeps seeing the commit it was opened on; :meth:`refresh` returns
    one on the newest commit.
    """

    def __init__(self, reader: IndexReader, scoring: BM25 | None = None) -> None:
        self.reader = reader
        self.scoring = scoring or BM25()
        self._closed = False

    @property
    def schema(self) -> Schema:
        """The index's schema."""
        return self.reader.schema

    def doc_count(self) -> int:
        """Number of live documents in this snapshot."""
        return self.reader.doc_count()

    def parse(self, text: str, fields: Sequence[str] | None = None,
              default_operator: str = "OR") -> Query:
        """Parse a query string against this index's schema."""
        return parse(text, self.schema, fields, default_operator)

    def search(
        self,
        query: str | Query,
        limit: int | None = 10,
        *,
        offset: int = 0,
        fields: Sequence[str] | None = None,
        default_operator: str = "OR",
    ) -> Results:
        """Run a query (a string or a :class:`Query`) and return the best hits.

        Args:
            limit: hits to return (``None``: all).
            offset: hits to skip first (pagination); ``total`` still counts all.
            fields: fields searched by unqualified words (default: every TEXT field).
            default_operator: how words side by side combine, ``"OR"`` or ``"AND"``.
        """
        self._check_open()
        if isinstance(query, str):
            query = self.parse(query, fields, default_operator)
        if limit is not None and limit < 0 or offset < 0:
            raise HeronError("limit and offset must not be negative")
        weight = query.bind(Context(self.reader, self.scoring))
        k = self.reader.max_doc if limit is None else offset + limit
        total, docs, scores = collect(
            ((base, weight.match(seg)) for base, seg in self.reader.iter_segments()), k
        )
        hits = [
            Hit(self, int(d), float(s), offset + i + 1)
            for i, (d, s) in enumerate(zip(docs[offset:].tolist(), scores[offset:].tolist(),
                                           strict=True))
        ]
        return Results(query, total, hits, offset)

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        """The stored fields of a document number."""
        self._check_open()
        return self.reader.stored_fields(docnum)

    def refresh(self) -> Searcher:
        """A searcher on the newest commit (this one if nothing changed)."""
        newest = IndexReader.open(self.reader.directory, self.reader.schema)
        if newest.generation == self.reader.generation:
            return self
        return Searcher(newest, self.scoring)

    def _check_open(self) -> None:
        if self._closed:
            raise HeronError("this searcher is closed")

    def close(self) -> None:
        """Release the snapshot."""
        self._closed = True

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
