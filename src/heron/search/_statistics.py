"""A shard's part of the collection statistics of one search (see ``CollectionStatistics``)."""

from __future__ import annotations

from collections.abc import Sequence

from heron.query import CollectionStatistics, Context, Query
from heron.query._bind import bind_text
from heron.search._narrow import narrow


def gather_statistics(context: Context, query: str | Query, *,
                      fields: Sequence[str] | None, filter: str | Query | None,
                      default_operator: str, max_expansions: int) -> CollectionStatistics:
    """Bind the query (and filter) as a search would, and return what binding looked up."""
    for text in (query, filter):
        if text is None:
            continue
        if isinstance(text, Query):
            context.bind(narrow(text, context.schema))
        else:
            bind_text(text, context, fields=fields, default_operator=default_operator,
                      max_expansions=max_expansions,
                      rewrite=lambda q: narrow(q, context.schema))
    return context.gathered()
