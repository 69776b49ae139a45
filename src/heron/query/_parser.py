"""Stage two of parsing: a syntax tree plus the schema to a query.

Words go through the analyzer of the field they search (so ``tunnels`` finds
``tunnel``); unqualified words search the given fields (by default every TEXT
field), each field's score summed.
"""

from __future__ import annotations

from collections.abc import Sequence

from heron.analysis import LowercaseFilter
from heron.errors import QueryError, SchemaError
from heron.query._base import And, AndMaybe, Not, Or, Query
from heron.query._fuzzy import MAX_DISTANCE, Fuzzy
from heron.query._multiterm import MAX_EXPANSIONS, Prefix, TermRange, Wildcard
from heron.query._phrase import Phrase
from heron.query._range import NumericRange, column_bound
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
from heron.schema import BOOLEAN, DATETIME, NUMERIC, STORED, FieldType, Schema

_NOTHING = Or(())


def _lowercases(ftype: FieldType) -> bool:
    return any(isinstance(f, LowercaseFilter) for f in ftype.analyzer.filters)


def _either(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else Or(tuple(queries))


class _Builder:
    def __init__(self, schema: Schema, max_expansions: int) -> None:
        self.schema = schema
        self.max_expansions = max_expansions

    def check_field(self, name: str, position: int) -> None:
        if name not in self.schema:
            raise QueryError(self.schema.unknown_field_message(name), position)
        if isinstance(self.schema[name], STORED):
            raise QueryError(f"field {name!r} is stored but not indexed", position)

    def build(self, node: Node, fields: Sequence[str], boost: float = 1.0) -> Query | None:
        # unwrap groups and clauses; a clause's field and boost apply to what it holds
        while isinstance(node, Clause | GroupNode):
            if isinstance(node, GroupNode):
                node = node.child
                continue
            if node.field is not None:
                self.check_field(node.field, node.position)
                fields = (node.field,)
            boost *= node.boost if node.boost is not None else 1.0
            node = node.node
        if isinstance(node, NotNode):
            child = self.build(node.child, fields, boost)
            return None if child is None else Not(child)
        if isinstance(node, BoolNode):
            return self.build_bool(node, fields, boost)
        if isinstance(node, Word):
            return self.build_word(node, fields, boost)
        if isinstance(node, PhraseNode):
            return _either([q for f in fields if (q := self.build_phrase(node, f, boost))])
        if isinstance(node, RangeNode):
            return _either([self.build_range(node, f, boost) for f in fields])
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
        per_field: list[Query] = []
        for name in fields:
            ftype = self.schema[name]
            if node.wildcard or node.fuzzy is not None:
                per_field.append(self.build_pattern(node, name, ftype, boost))
                continue
            if ftype.columnar:
                try:
                    value = ftype.from_text(name, node.text)
                except SchemaError as exc:
                    raise QueryError(str(exc), node.position) from None
                per_field.append(Term(name, ftype.index_text(value), boost))
                continue
            analyzer = ftype.analyzer
            if analyzer.word_map:  # the common case, a single word: no token objects
                words = analyzer.tokenizer.words(node.text)
                if len(words) == 1:
                    term = analyzer.map_word(words[0])
                    if term is not None:
                        per_field.append(Term(name, term, boost))
                    continue
            tokens = list(analyzer.tokens(node.text))
            if len(tokens) == 1:
                per_field.append(Term(name, tokens[0].text, boost))
            elif tokens and ftype.positions:
                first = tokens[0].position
                per_field.append(Phrase(name, tuple(t.text for t in tokens), 0, boost,
                                        tuple(t.position - first for t in tokens)))
            elif tokens:
                per_field.append(And(tuple(Term(name, t.text, boost) for t in tokens)))
        return _either(per_field)

    def build_pattern(self, node: Word, name: str, ftype: FieldType, boost: float) -> Query:
        if ftype.columnar:
            raise QueryError(f"wildcard and fuzzy queries need a text field; {name!r} is "
                             f"{ftype.kind}", node.position)
        text = node.text.lower() if _lowercases(ftype) else node.text
        try:
            if node.fuzzy is not None:
                if node.fuzzy > MAX_DISTANCE:
                    raise QueryError(f"fuzzy distance is at most {MAX_DISTANCE}, got {node.fuzzy}")
                return Fuzzy(name, text, node.fuzzy, boost=boost,
                             max_expansions=self.max_expansions)
            if text.endswith("*") and "*" not in text[:-1] and "?" not in text:
                return Prefix(name, text[:-1], boost, self.max_expansions)
            return Wildcard(name, text, boost, self.max_expansions)
        except QueryError as exc:
            raise QueryError(exc.message, node.position) from None

    def build_phrase(self, node: PhraseNode, name: str, boost: float) -> Query | None:
        ftype = self.schema[name]
        if ftype.columnar:
            raise QueryError(f"a phrase needs a text field; {name!r} is {ftype.kind}",
                             node.position)
        tokens = list(ftype.analyzer.tokens(node.text))
        if not tokens:
            return None
        if len(tokens) == 1:
            return Term(name, tokens[0].text, boost)
        if not ftype.positions:
            raise QueryError(f"field {name!r} keeps no positions, so it cannot match a phrase",
                             node.position)
        first = tokens[0].position
        return Phrase(name, tuple(t.text for t in tokens), node.slop, boost,
                      tuple(t.position - first for t in tokens))

    def build_range(self, node: RangeNode, name: str, boost: float) -> Query:
        ftype = self.schema[name]
        if isinstance(ftype, NUMERIC | DATETIME):
            for bound in (node.low, node.high):
                if bound is not None:
                    try:
                        column_bound(ftype, name, bound)
                    except QueryError as exc:
                        raise QueryError(exc.message, node.position) from None
            return NumericRange(name, node.low, node.high, node.include_low, node.include_high,
                                boost)
        if isinstance(ftype, BOOLEAN):
            raise QueryError(f"range on a BOOLEAN field {name!r} makes no sense: "
                             f"use {name}:true or {name}:false", node.position)
        low, high = node.low, node.high
        if _lowercases(ftype):
            low, high = low and low.lower(), high and high.lower()
        return TermRange(name, low, high, node.include_low, node.include_high, boost,
                         self.max_expansions)


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
    max_expansions: int = MAX_EXPANSIONS,
) -> Query:
    """Parse a query string into a query, analysing words with the schema's analyzers.

    ``fields`` are searched by unqualified words (default: every TEXT field). A query
    of stop words alone matches nothing. ``max_expansions`` caps how many terms a
    prefix, wildcard, fuzzy or range query may expand to.

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
    built = _Builder(schema, max_expansions).build(tree, list(fields))
    return _NOTHING if built is None else built


