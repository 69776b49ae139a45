"""What a query marks in one field: its terms (expanded for patterns) and its phrases."""

from __future__ import annotations

from heron.highlight._marks import PhraseMark, QueryMarks
from heron.query import (
    And,
    AndMaybe,
    Context,
    Fuzzy,
    MultiTerm,
    Not,
    NumericRange,
    Or,
    Phrase,
    Query,
    Range,
    Term,
)


def query_marks(query: Query, field: str, context: Context) -> QueryMarks:
    """The terms and phrases of ``query`` to mark in ``field``.

    Prohibited parts (``Not``) mark nothing; prefix, wildcard, range and fuzzy
    queries mark the terms they expand to in this index.
    """
    terms: list[str] = []
    phrases: list[PhraseMark] = []
    stack = [query]
    while stack:
        q = stack.pop()
        if isinstance(q, Not):
            continue
        if isinstance(q, And | Or):
            stack.extend(reversed(q.queries))
        elif isinstance(q, AndMaybe):
            stack.extend((q.optional, q.required))
        elif isinstance(q, Term):
            if q.field == field:
                terms.append(q.resolve(context.schema))
        elif isinstance(q, Phrase):
            if q.field == field:
                phrases.append(PhraseMark(q.words, q.offsets(), q.slop))
        elif isinstance(q, Range) and not isinstance(q, NumericRange):
            stack.append(q.resolve(context))  # a term range marks the terms it expands to
        elif isinstance(q, MultiTerm | Fuzzy) and q.field == field:
            terms.extend(sorted(q.expanded_terms(context)))
    return QueryMarks(tuple(dict.fromkeys(terms)), tuple(dict.fromkeys(phrases)))
