"""Stage two of parsing, the builder: each node of a syntax tree to its query.

How words, phrases, ranges and patterns become queries in the fields they search, and how
clauses combine; see :mod:`heron.query._parser` for the rules. The builds of one syntax tree
(a lenient search builds it again without the parts that fail) share a :class:`Memo` of
the words already analysed and built.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Mapping, Sequence

from attrs import evolve, frozen

from heron.analysis import LowercaseFilter
from heron.errors import QueryError, SchemaError, UnknownQueryFieldError
from heron.query._base import And, AndMaybe, Not, Or, Query
from heron.query._fuzzy import MAX_DISTANCE, Fuzzy
from heron.query._multifield import multi_field
from heron.query._multiterm import Prefix, TermRange, Wildcard
from heron.query._nodes import (
    BoolNode,
    Clause,
    GroupNode,
    Node,
    NotNode,
    PhraseNode,
    RangeNode,
    Word,
)
from heron.query._phrase import Phrase
from heron.query._range import NumericRange, column_bound
from heron.query._scanner import MAX_CLAUSES, TOO_MANY_CLAUSES
from heron.query._term import Term
from heron.query._warnings import QueryWarning
from heron.schema import FieldType, Schema

#: the query that matches nothing
NOTHING = Or(())


def _lowercases(ftype: FieldType) -> bool:
    return any(isinstance(f, LowercaseFilter) for f in ftype.analyzer.filters)


def _either(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else Or(tuple(queries))


@frozen
class Parsed:
    """A parsed query, the warnings of a lenient parse, and each leaf with its position."""

    query: Query
    warnings: tuple[QueryWarning, ...]
    #: (position in the text, query built there) for every word, phrase and range
    parts: tuple[tuple[int, Query], ...]


#: a word's query, by what builds it: text, wildcard, fuzziness, fields (and whether they are
#: the default fields, which carry the field boosts) and boost
_WordKey = tuple[str, bool, int | None, tuple[str, ...], bool, float, float]


class Memo:
    """What the builds of one syntax tree share: analysed text and the queries of words."""

    def __init__(self) -> None:
        #: analysed text per (field, text), for queries that repeat themselves
        self.analysed: dict[tuple[str, str], list[tuple[str, int]]] = {}
        #: the query of each word built without a problem (None: its words are stop words)
        self.words: dict[_WordKey, Query | None] = {}


class Builder:
    """Builds the queries of one syntax tree, noting problems, parts and clauses."""

    def __init__(self, schema: Schema, max_expansions: int, default_operator: str,
                 lenient: bool, drop: Collection[int], *, memo: Memo,
                 defaults: tuple[str, ...] = (), field_boosts: Mapping[str, float] | None = None
                 ) -> None:
        self.schema = schema
        #: the fields unqualified words search (this very tuple), and their boosts
        self.defaults = defaults
        self.field_boosts = field_boosts or {}
        self.max_expansions = max_expansions
        self.default = default_operator
        self.lenient = lenient
        self.drop = drop
        self.warnings: list[QueryWarning] = []
        self.parts: list[tuple[int, Query]] = []
        self.analysed = memo.analysed
        self.words = memo.words
        self.unknown: dict[str, str] = {}
        self.clauses = 0

    def weight(self, name: str, fields: Sequence[str]) -> float:
        """The field boost of ``name``: only words searched in the default fields carry one
        (``title:gaza`` does not), as with Whoosh's ``fieldboosts``."""
        return self.field_boosts.get(name, 1.0) if fields is self.defaults else 1.0

    def problem(self, message: str, position: int) -> None:
        """Raise a QueryError, or in lenient mode note a warning (the caller recovers)."""
        if not self.lenient:
            raise QueryError(message, position)
        self.warnings.append(QueryWarning(message, position))

    def field_problem(self, name: str, position: int) -> bool:
        """Whether ``name`` cannot be searched (reported as a problem)."""
        if name not in self.schema:
            if not self.lenient:
                raise UnknownQueryFieldError(name, self.schema.names(), position)
            if name not in self.unknown:
                self.unknown[name] = self.schema.unknown_field_message(name)
            self.problem(self.unknown[name], position)
        elif not self.schema[name].indexed:
            self.problem(f"field {name!r} is stored but not indexed", position)
        else:
            return False
        return True

    def tokens(self, name: str, ftype: FieldType, text: str) -> list[tuple[str, int]]:
        """The terms of ``text`` in field ``name`` and their positions (analysed once per parse)."""
        key = (name, text)
        found = self.analysed.get(key)
        if found is None:
            analyzer = ftype.analyzer
            if analyzer.word_map:  # as the writer reads text: a position per word, no tokens
                terms = map(analyzer.map_word, analyzer.tokenizer.words(text))
                found = [(t, p) for t, p in zip(terms, itertools.count()) if t is not None]
            else:
                found = [(t.text, t.position) for t in analyzer.tokens(text)]
            self.analysed[key] = found
        return found

    def build(self, node: Node, fields: Sequence[str], boost: float = 1.0) -> Query | None:
        """The query of a node; a lone ``-`` clause matches all but what it holds."""
        built = self.build_inner(node, fields, boost)
        if built is not None and isinstance(node, Clause) and node.occur == "-":
            return Not(built)
        return built

    def build_inner(self, node: Node, fields: Sequence[str], boost: float) -> Query | None:
        """The query of a node, leaving the occurrence (``+``/``-``) of a clause to the caller."""
        if isinstance(node, Clause):
            if node.field is not None:
                if self.field_problem(node.field, node.position):  # lenient: read as a word
                    name = Word(node.field, node.position + len(node.occur))
                    pair = BoolNode(self.default, (name, node.node), name.position)
                    reread = Clause(pair, node.position, None, node.boost, node.occur)
                    return self.build_inner(reread, fields, boost)
                fields = (node.field,)
            boost *= node.boost if node.boost is not None else 1.0
            node = node.node
        if isinstance(node, GroupNode):
            return self.build(node.child, fields, boost)
        if isinstance(node, NotNode):
            child = self.build(node.child, fields, boost)
            return None if child is None else Not(child)
        if isinstance(node, BoolNode):
            return self.build_bool(node, fields, boost)
        if isinstance(node, Clause):  # pragma: no cover - the parser never nests them
            raise AssertionError(f"a clause in a clause: {node!r}")
        return self.build_leaf(node, fields, boost)

    def build_leaf(self, node: Word | PhraseNode | RangeNode, fields: Sequence[str],
                   boost: float) -> Query | None:
        """A word, phrase or range, in each field; noted with its position."""
        self.clauses += len(fields)  # dropped parts count too: the same parts stay in
        if node.position in self.drop:
            return None
        if self.clauses > MAX_CLAUSES:
            if self.clauses - len(fields) <= MAX_CLAUSES:  # lenient: one warning, the rest dropped
                self.problem(TOO_MANY_CLAUSES, node.position)
            return None
        if isinstance(node, Word):
            built = self.build_word(node, fields, boost)
        elif isinstance(node, PhraseNode):
            built = _either([q for f in fields
                             if (q := self.build_phrase(node, f, boost * self.weight(f, fields)))])
        else:
            built = _either([q for f in fields
                             if (q := self.build_range(node, f, boost * self.weight(f, fields)))])
        if built is not None:
            self.parts.append((node.position, built))
        return built

    def build_bool(self, node: BoolNode, fields: Sequence[str], boost: float) -> Query | None:
        must: list[Query] = []
        should: list[Query] = []
        must_not: list[Query] = []
        for child in node.children:
            occur = child.occur if isinstance(child, Clause) else ""
            built = self.build_inner(child, fields, boost)
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
        """The query of a word in each field, built once per parse when it warns of nothing."""
        key = (node.text, node.wildcard, node.fuzzy, tuple(fields), fields is self.defaults,
               boost, math.copysign(1.0, boost))
        if key in self.words:
            return self.words[key]
        warned = len(self.warnings)
        built = self.build_word_fields(node, fields, boost)
        if len(self.warnings) == warned:  # a problem is noted each time, at its position
            self.words[key] = built
        return built

    def build_word_fields(self, node: Word, fields: Sequence[str], boost: float
                          ) -> Query | None:
        per_field: list[Query] = []
        outer = boost
        for name in fields:
            ftype = self.schema[name]
            boost = outer * self.weight(name, fields)
            if node.wildcard or node.fuzzy is not None:
                pattern = self.build_pattern(node, name, ftype, boost)
                if pattern is not None:
                    per_field.append(pattern)
                continue
            if ftype.columnar:
                value_query = self.build_value(node.text, node.position, name, ftype, boost)
                if value_query is not None:
                    per_field.append(value_query)
                continue
            analyzer = ftype.analyzer
            if analyzer.word_map:  # the common case, a single word: no token objects
                words = analyzer.tokenizer.words(node.text)
                if len(words) == 1:
                    term = analyzer.map_word(words[0])
                    if term is not None:
                        per_field.append(Term(name, term, boost))
                    continue
            tokens = self.tokens(name, ftype, node.text)
            if len(tokens) == 1:
                per_field.append(Term(name, tokens[0][0], boost))
            elif tokens and ftype.positions:
                first = tokens[0][1]
                per_field.append(Phrase(name, tuple(t for t, _ in tokens), 0, boost,
                                        tuple(p - first for _, p in tokens)))
            elif tokens:
                per_field.append(And(tuple(Term(name, t, boost) for t, _ in tokens)))
        return multi_field(per_field, boost)  # scored as one unit by BM25F

    def build_value(self, text: str, position: int, name: str, ftype: FieldType, boost: float
                    ) -> Query | None:
        """The query for a value of a typed field: its term, or the span it stands for (a
        date written to the day is that day: a range over the column)."""
        try:
            span = ftype.query_span(name, text)
            if span is not None:
                return NumericRange(name, span[0], span[1], True, False, boost)
            value = ftype.from_text(name, text)
        except (SchemaError, ValueError, OverflowError) as exc:
            self.problem(str(exc), position)
            return None
        return Term(name, ftype.index_text(value), boost)

    def build_pattern(self, node: Word, name: str, ftype: FieldType, boost: float
                      ) -> Query | None:
        if ftype.columnar:
            self.problem(f"wildcard and fuzzy queries need a text field; {name!r} is "
                         f"{ftype.kind}", node.position)
            return None
        if node.fuzzy is not None and node.fuzzy > MAX_DISTANCE:
            self.problem(f"fuzzy distance is at most {MAX_DISTANCE}, got {node.fuzzy}",
                         node.position)  # lenient: the word without fuzziness
            return self.build_word(evolve(node, fuzzy=None, wildcard=False), (name,), boost)
        text = node.text.lower() if _lowercases(ftype) else node.text
        try:
            if node.fuzzy is not None:
                return Fuzzy(name, text, node.fuzzy, boost=boost,
                              max_expansions=self.max_expansions)
            if text.endswith("*") and "*" not in text[:-1] and "?" not in text:
                return Prefix(name, text[:-1], boost, self.max_expansions)
            return Wildcard(name, text, boost, self.max_expansions)
        except QueryError as exc:
            self.problem(exc.message, node.position)
            return None

    def build_phrase(self, node: PhraseNode, name: str, boost: float) -> Query | None:
        ftype = self.schema[name]
        if ftype.columnar:  # a quoted value of a typed field: "1987-03-01 10:30"
            return self.build_value(node.text, node.position, name, ftype, boost)
        tokens = self.tokens(name, ftype, node.text)
        if not tokens:
            return None
        if len(tokens) == 1:
            return Term(name, tokens[0][0], boost)
        if not ftype.positions:
            self.problem(f"field {name!r} keeps no positions, so it cannot match a phrase",
                         node.position)
            return None
        first = tokens[0][1]
        return Phrase(name, tuple(t for t, _ in tokens), node.slop, boost,
                      tuple(p - first for _, p in tokens))

    def build_range(self, node: RangeNode, name: str, boost: float) -> Query | None:
        ftype = self.schema[name]
        try:
            if ftype.column_ranges:
                for bound in (node.low, node.high):
                    if bound is not None and ftype.query_span(name, bound) is None:
                        column_bound(ftype, name, bound)
                return NumericRange(name, node.low, node.high, node.include_low,
                                    node.include_high, boost)
            if ftype.columnar:  # a BOOLEAN, or a user's columnar type without ordered values
                raise QueryError(f"range on a {ftype.kind} field {name!r} makes no sense: "
                                 f"search for a value ({name}:value)")
            low, high = node.low, node.high
            if _lowercases(ftype):
                low, high = low and low.lower(), high and high.lower()
            return TermRange(name, low, high, node.include_low, node.include_high, boost,
                             self.max_expansions)
        except SchemaError as exc:
            self.problem(str(exc), node.position)
            return None
        except QueryError as exc:
            self.problem(exc.message, node.position)
            return None


def combine(must: list[Query], should: list[Query], must_not: list[Query]) -> Query | None:
    """One query from Lucene-style required, optional and prohibited clauses.

    Prohibited clauses alone match every document except theirs.
    """
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
