"""Query text bound to a searcher's statistics, with errors placed in the text.

Expanding a prefix, wildcard, fuzzy word or range happens when a query binds, where
the query no longer knows its place in the text. When binding fails, each word,
phrase and range is bound alone to find the ones that failed: strict mode raises
the first one's error with its position; lenient mode drops them with a warning.
Each part binds once: the context keeps its weight (or its error) for the next try.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from attrs import frozen

from heron.errors import QueryError
from heron.query._base import Context, Query
from heron.query._multiterm import MAX_EXPANSIONS
from heron.query._parser import read_syntax
from heron.query._warnings import QueryWarning
from heron.query._weight import Weight


@frozen
class BoundText:
    """The query parsed from text, its weight, and the warnings of a lenient parse."""

    query: Query
    weight: Weight
    warnings: tuple[QueryWarning, ...]


def _failing(parts: Sequence[tuple[int, Query]], context: Context, every: bool
             ) -> list[tuple[int, QueryError]]:
    """The parts that fail to bind, in the order of the text (only the first unless ``every``)."""
    failing = []
    for position, part in sorted(parts, key=lambda p: p[0]):
        try:
            context.bind(part)
        except QueryError as exc:
            failing.append((position, exc))
            if not every:
                break
    return failing


def bind_text(
    text: str,
    context: Context,
    *,
    fields: Sequence[str] | None = None,
    default_operator: str = "OR",
    max_expansions: int = MAX_EXPANSIONS,
    lenient: bool = False,
    field_boosts: Mapping[str, float] | None = None,
    disabled: frozenset[str] = frozenset(),
    rewrite: Callable[[Query], Query] | None = None,
) -> BoundText:
    """Parse query text and bind it; an error while binding has the position of its part.

    ``rewrite`` turns the parsed query into the one that binds (a searcher leaves out the
    n-grams that longer ones imply), so that nothing is bound twice.

    Raises:
        QueryError: (strict mode, or an error no part of the text explains) with the
            position of what caused it.
    """
    syntax = read_syntax(text, context.schema, fields=fields, default_operator=default_operator,
                         max_expansions=max_expansions, lenient=lenient,
                         field_boosts=field_boosts, disabled=disabled)
    dropped: dict[int, QueryWarning] = {}
    while True:
        parsed = syntax.build(dropped.keys())
        query = parsed.query if rewrite is None else rewrite(parsed.query)
        try:
            weight = context.bind(query)
        except QueryError as exc:
            if exc.position is not None:
                raise
            failing = _failing(parsed.parts, context, every=lenient)
            if not failing:
                raise
            if not lenient:
                position, error = failing[0]
                raise QueryError(error.message, position) from None
            dropped.update((p, QueryWarning(e.message, p)) for p, e in failing)
            continue
        warnings = sorted((*parsed.warnings, *dropped.values()),
                          key=lambda w: (w.position or 0, w.message))
        return BoundText(query, weight, tuple(warnings))
