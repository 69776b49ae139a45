"""Stage two of parsing: a syntax tree plus the schema to a query.

Words go through the analyzer of the field they search (so ``tunnels`` finds
``tunnel``); unqualified words search the given fields (by default every TEXT
field), each field's score summed.
"""

from __future__ import annotations

from collections.abc import Sequence

from heron.errors import QueryError, SchemaError
from heron.query._base import And, AndMaybe, Not, Or, Query
from heron.query._syntax import (
    BoolNode,
    Clause,
    GroupNode,
    Node,
    NotNode,
    PhraseNode,
    RangeNode,
    Word,
    parse_syntax,
)
from heron.query._term import Term
from heron.schema import STORED, Schema

_NOTHING = Or(())


class _Builder:
    def __init__(self, schema: Schema, fields: Sequence[str]) -> None:
        self.schema = schema
        self.fields = fields

    def check_field(self, name: str, position: int) -> None:
        if name not in self.schema:
            raise QueryError(self.schema.unknown_field_message(name), position)
        if isinstance(self.schema[name], STORED):
            raise QueryError(f"field {name!r} is stored but not indexed", position)

    def build(self, node: Node, fields: Sequence[str], boost: float = 1.0) -> Query | None:
        if isinstance(node, Clause):
            if node.field is not None:
                self.check_field(node.field, node.position)
                fields = (node.field,)
            inner_boost = boost * (node.boost if node.boost is not None else 1.0)
            return self.build(node.node, fields, inner_boost)
        if isinstance(node, GroupNode):
            return self.build(node.child, fields, boost)
        if isinstance(node, NotNode):
            child = self.build(node.child, fields, boost)
            return None if child is None else Not(child)
        if isinstance(node, BoolNode):
            return self.build_bool(node, fields, boost)
        if isinstance(node, Word):
            return self.build_word(node, fields, boost)
        if isinstance(node, PhraseNode):
            raise QueryError("phrase queries are not supported yet", node.position)
        if isinstance(node, RangeNode):
            raise QueryError("range queries are not supported yet", node.position)
        raise AssertionError(f"unknown syntax node {node!r}")  # pragma: no cover

    def build_bool(self, node: BoolNode, fields: Sequence[str], boost: float) -> Query | None:
        must: list[Query] = []
        should: list[Query] = []
        must_not: list[Query] = []
        for child in node.children:
            occur = child.occur if isinstance(child, Clause) else ""
            built = self.build(child, fields, boost)
            if built is None:
                continue
            if occur == "-":
                must_not.append(built)
            elif occur == "+" or node.op == "AND":
                must.append(built)
            else:
                should.append(built)
        return combine(must, should, must_not)

    def build_word(self, node: Word, fields: Sequence[str], boost: float) -> Query | None:
        if node.wildcard or node.fuzzy is not None:
            raise QueryError("wildcard and fuzzy queries are not supported yet", node.position)
        per_field: list[Query] = []
        for name in fields:
            ftype = self.schema[name]
            try:
                value = ftype.from_text(name, node.text) if ftype.columnar else None
            except SchemaError as exc:
                raise QueryError(str(exc), node.position) from None
            if value is not None:
                per_field.append(Term(name, ftype.index_text(value), boost))
                continue
            terms = ftype.analyzer.terms(node.text)
            if len(terms) == 1:
                per_field.append(Term(name, terms[0], boost))
            elif terms:
                per_field.append(And(tuple(Term(name, t, boost) for t in terms)))
        if not per_field:
            return None
        return per_field[0] if len(per_field) == 1 else Or(tuple(per_field))


def combine(must: list[Query], should: list[Query], must_not: list[Query]) -> Query | None:
    """One query from Lucene-style required, optional and prohibited clauses."""
    nots = [Not(q) for q in must_not]
    if must:
        required: Query = must[0] if len(must) == 1 and not nots else And((*must, *nots))
        if should:
            return AndMaybe(required, should[0] if len(should) == 1 else Or(tuple(should)))
        return required
    if should:
        optional = should[0] if len(should) == 1 else Or(tuple(should))
        return And((optional, *nots)) if nots else optional
    return And(tuple(nots)) if nots else None


def parse(
    text: str,
    schema: Schema,
    fields: Sequence[str] | None = None,
    default_operator: str = "OR",
) -> Query:
    """Parse a query string into a query, analysing words with the schema's analyzers.

    ``fields`` are searched by unqualified words (default: every TEXT field). A query
    of stop words alone matches nothing.

    Raises:
        QueryError: the text is malformed or names an unknown field; the error has
            the position and says what was expected.
    """
    if not isinstance(text, str):
        raise QueryError(f"a query string is text, got {type(text).__name__}")
    if fields is None:
        fields = schema.text_fields() or [n for n, f in schema.items if f.indexed]
    for name in fields:
        if name not in schema:
            raise QueryError(schema.unknown_field_message(name))
    tree = parse_syntax(text, default_operator.upper())
    if tree is None:
        return _NOTHING
    built = _Builder(schema, list(fields)).build(tree, list(fields))
    return _NOTHING if built is None else built


