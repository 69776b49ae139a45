"""Narrowing a query before it runs: required terms that others imply are dropped.

Each field type says which of its required terms imply others
(:meth:`~heron.schema.FieldType.narrow_terms`): on an n-gram field, the n-grams of a
typed word that lie inside its longest ones. Matches stay the same; fewer postings are
read, and only the longest n-grams score, as in Whoosh.
"""

from __future__ import annotations

from heron.query import And, AndMaybe, Not, Or, Query, Term
from heron.schema import Schema


def _narrow_and(query: And, schema: Schema) -> Query:
    parts = [q if type(q) is Term else narrow(q, schema) for q in query.queries]
    texts: dict[str, list[str]] = {}
    for q in parts:
        if isinstance(q, Term) and isinstance(q.text, str):  # typed values are no n-grams
            texts.setdefault(q.field, []).append(q.text)
    if all(len(t) < 2 for t in texts.values()):
        return query if parts == list(query.queries) else And(tuple(parts))
    keep: dict[str, set[str]] = {}
    for name, terms in texts.items():
        if len(terms) > 1 and name in schema:
            narrowed = set(schema[name].narrow_terms(terms))
            if len(narrowed) < len(set(terms)):
                keep[name] = narrowed
    if not keep:
        return query if parts == list(query.queries) else And(tuple(parts))
    kept = [q for q in parts
            if not (isinstance(q, Term) and q.field in keep and q.text not in keep[q.field])]
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def narrow(query: Query, schema: Schema) -> Query:
    """The query with the required terms that other required terms imply left out.

    >>> from heron import NGRAMWORDS, Schema
    >>> schema = Schema(t=NGRAMWORDS(2, 4))
    >>> narrow(And((Term("t", "pe"), Term("t", "pet"), Term("t", "petr"))), schema)
    Term(field='t', text='petr', boost=1.0)
    """
    if isinstance(query, And):
        return _narrow_and(query, schema)
    if isinstance(query, Or):
        parts = tuple(narrow(q, schema) for q in query.queries)
        return query if parts == query.queries else Or(parts)
    if isinstance(query, Not):
        inner = narrow(query.query, schema)
        return query if inner is query.query else Not(inner)
    if isinstance(query, AndMaybe):
        required, optional = narrow(query.required, schema), narrow(query.optional, schema)
        if required is query.required and optional is query.optional:
            return query
        return AndMaybe(required, optional)
    return query
