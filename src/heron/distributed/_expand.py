"""Prefix, wildcard, fuzzy and term-range queries expanded over every shard, as one index
would expand them.

Each shard reports the terms its part of the collection expands each such query to
(with the statistics, in the same round trip); the union is what one index holding
every document would have found. The cap (``max_expansions``) is checked on the union,
raising the error one index raises; a fuzzy query is rewritten to score the union's
terms (:class:`ExpandedFuzzy`), since its blended score takes the highest document
frequency among all its expansions, which a shard alone may not hold. Prefix, wildcard
and range expansions score a constant, so they stay as they are once the union passed
the cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import attrs
from attrs import frozen

from heron import QueryError
from heron.query import (
    Context,
    Fuzzy,
    MultiTerm,
    NumericRange,
    Query,
    Range,
    TermRange,
    Weight,
)
from heron.query._fuzzy import _BlendedWeight, similarity
from heron.query._term import term_weight

#: the terms of each expanding query (by value) with their edit distance (0 unless fuzzy)
Expansions = dict[Query, dict[str, int]]


def _expanding(query: Query) -> Iterator[Query]:
    """The parts of a query that expand to terms of the dictionary."""
    if isinstance(query, Fuzzy | MultiTerm) or (
            isinstance(query, Range) and not isinstance(query, NumericRange)):
        yield query
    for part in query.children():
        yield from _expanding(part)


def _as_multiterm(query: Query, context: Context | None) -> MultiTerm | None:
    """The multi-term query a range on a text field is (None for a numeric one)."""
    if isinstance(query, MultiTerm):
        return query
    if not isinstance(query, Range):
        return None
    if context is not None:
        resolved = query.resolve(context)
        return resolved if isinstance(resolved, MultiTerm) else None
    return TermRange(query.field, query.low, query.high, query.include_low,
                     query.include_high, query.boost)


def shard_expansions(context: Context, queries: Iterable[Query | None]) -> Expansions:
    """What the expanding parts of the queries expand to on one shard.

    Raises:
        QueryError: a part expands to more terms than its cap on this shard alone.
    """
    found: Expansions = {}
    for query in queries:
        for part in _expanding(query) if query is not None else ():
            if part in found:
                continue
            if isinstance(part, Fuzzy):
                found[part] = part.expansions(context)
                continue
            multi = _as_multiterm(part, context)
            if multi is not None:
                multi.expand(context)  # the cap, before reading every term
                found[part] = dict.fromkeys(multi.expanded_terms(context), 0)
    return found


def merge_expansions(parts: Iterable[Expansions]) -> Expansions:
    """The union of the shards' expansions."""
    merged: Expansions = {}
    for part in parts:
        for query, terms in part.items():
            merged.setdefault(query, {}).update(terms)
    return merged


def expand_globally(query: Query, merged: Expansions) -> Query:
    """The query with its fuzzy parts scoring the union's terms.

    Raises:
        QueryError: a part's union of expansions is larger than its cap.
    """
    swap: dict[Query, Query] = {}
    for part, terms in merged.items():
        if isinstance(part, Fuzzy):
            if len(terms) > part.max_expansions:
                raise QueryError(
                    f"fuzzy {part.field}:{part.text}~{part.distance} expands to more than "
                    f"{part.max_expansions} terms; make it more specific or raise "
                    "max_expansions")
            swap[part] = ExpandedFuzzy(part.field, part.text, tuple(sorted(terms.items())),
                                       part.boost)
            continue
        multi = _as_multiterm(part, None)
        if multi is not None and len(terms) > multi.max_expansions:
            raise multi.too_many()
    return _rewrite(query, swap) if swap else query


def _rewrite(query: Query, swap: dict[Query, Query]) -> Query:
    """The query with the parts in ``swap`` replaced (a new tree; parts kept otherwise)."""
    if query in swap:
        return swap[query]
    kind: Any = type(query)
    if not attrs.has(kind):
        return query
    changes = {}
    for attribute in attrs.fields(kind):
        value = getattr(query, attribute.name)
        if isinstance(value, Query):
            new: object = _rewrite(value, swap)
        elif isinstance(value, tuple) and value and all(isinstance(v, Query) for v in value):
            new = tuple(_rewrite(v, swap) for v in value)
        else:
            continue
        if new != value:
            changes[attribute.alias or attribute.name] = new
    evolve: Any = attrs.evolve
    return evolve(query, **changes) if changes else query


@frozen
class ExpandedFuzzy(Query):
    """A fuzzy query whose expansions (term, edits) were found over the whole collection:
    scored as :class:`~heron.query.Fuzzy` scores them in one index holding it all."""

    field: str
    text: str
    expansions: tuple[tuple[str, int], ...]
    boost: float = 1.0

    def bind(self, context: Context) -> Weight:
        infos = [context.term_info(self.field, term) for term, _ in self.expansions]
        best = max((df for df, _ in infos), default=0)
        return _BlendedWeight([
            term_weight(context, self.field, numbers,
                        self.boost * similarity(self.text, term, edits), best)
            for (term, edits), (_, numbers) in zip(self.expansions, infos, strict=True)])

    def terms(self) -> set[tuple[str, str]]:
        return {(self.field, self.text)}
