"""Collection statistics gathered apart from a reader, to score one index's part of a
larger collection (a shard) exactly as the whole collection would be scored.

This is the "DFS" step of Elasticsearch's DFS query-then-fetch: every shard reports
the document frequencies and field lengths its part holds for the terms of a query,
the sums are handed back, and each shard scores with them.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import field, frozen


@frozen
class CollectionStatistics:
    """Document count, field statistics and document frequencies over a collection.

    ``max_doc`` counts documents (deleted ones included until a merge, as a reader's
    ``max_doc`` does); ``fields`` maps a field to (documents that have it, their total
    length); ``doc_freqs`` maps (field, term) to its document frequency.

    >>> a = CollectionStatistics(10, {"body": (10, 100)}, {("body", "gaza"): 3})
    >>> b = CollectionStatistics(5, {"body": (4, 30)}, {("body", "gaza"): 1})
    >>> CollectionStatistics.combine([a, b]).doc_freqs
    {('body', 'gaza'): 4}
    """

    max_doc: int
    fields: dict[str, tuple[int, int]] = field(factory=dict)
    doc_freqs: dict[tuple[str, str], int] = field(factory=dict)

    @classmethod
    def combine(cls, parts: Iterable[CollectionStatistics]) -> CollectionStatistics:
        """The statistics of the collection made of all ``parts`` (sums of each figure)."""
        max_doc = 0
        fields: dict[str, tuple[int, int]] = {}
        freqs: dict[tuple[str, str], int] = {}
        for part in parts:
            max_doc += part.max_doc
            for name, (docs, length) in part.fields.items():
                had = fields.get(name, (0, 0))
                fields[name] = (had[0] + docs, had[1] + length)
            for key, df in part.doc_freqs.items():
                freqs[key] = freqs.get(key, 0) + df
        return cls(max_doc, fields, freqs)
