"""Stage two of parsing: a syntax tree plus the schema to a query.

Words go through the analyzer of the field they search (so ``tunnels`` finds
``tunnel``); unqualified words search the given fields (by default every TEXT
field), each field's score summed. A purely negative query or clause (``-crude``,
``(-tags:crude)``) matches every live document except those it excludes.

In lenient mode what cannot be a query becomes a :class:`QueryWarning`: a name
before ``:`` that is no indexed field is read as a word, a value a field cannot hold
(``year:abc``, a wildcard on a number) is dropped, too large a fuzzy distance is
ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from attrs import field, frozen

from heron.errors import QueryError, UnknownQueryFieldError
from heron.query._base import Query
from heron.query._build import NOTHING, Builder, Memo, Parsed
from heron.query._multiterm import MAX_EXPANSIONS
from heron.query._nodes import Node
from heron.query._scanner import TOO_MANY_CLAUSES
from heron.query._syntax import syntax_tree
from heron.query._warnings import QueryWarning
from heron.schema import Schema


@frozen
class Syntax:
    """Stage one done: the syntax tree of a query string, ready to build (more than once)."""

    tree: Node | None
    warnings: tuple[QueryWarning, ...]
    schema: Schema
    fields: tuple[str, ...]
    operator: str
    max_expansions: int
    lenient: bool
    #: boosts of the default fields, for the words searched in them
    field_boosts: Mapping[str, float] | None = field(default=None, hash=False)
    _memo: Memo = field(factory=Memo, eq=False, repr=False)

    def build(self, drop: Collection[int] = ()) -> Parsed:
        """The queries; words, phrases and ranges at a position in ``drop`` are left out."""
        if self.tree is None:
            return Parsed(NOTHING, self.warnings, ())
        builder = Builder(self.schema, self.max_expansions, self.operator, self.lenient, drop,
                          memo=self._memo, defaults=self.fields, field_boosts=self.field_boosts)
        built = builder.build(self.tree, self.fields)
        warnings = self.warnings
        if builder.warnings:
            capped = any(w.message == TOO_MANY_CLAUSES for w in warnings)  # one warning for it
            extra = [w for w in builder.warnings if not (capped and w.message == TOO_MANY_CLAUSES)]
            warnings = tuple(sorted({*warnings, *extra},
                                    key=lambda w: (w.position or 0, w.message)))
        return Parsed(NOTHING if built is None else built, warnings, tuple(builder.parts))


def read_syntax(
    text: str,
    schema: Schema,
    *,
    fields: Sequence[str] | None = None,
    default_operator: str = "OR",
    max_expansions: int = MAX_EXPANSIONS,
    lenient: bool = False,
    field_boosts: Mapping[str, float] | None = None,
    disabled: frozenset[str] = frozenset(),
) -> Syntax:
    """Stage one of parsing a query string, with what stage two needs.

    ``field_boosts`` multiply the scores of words searched in the default ``fields``;
    ``disabled`` names syntax read as plain words (:data:`heron.query.SYNTAX`).
    """
    if not isinstance(text, str):
        raise QueryError(f"a query string is text, got {type(text).__name__}")
    if fields is None:
        fields = schema.text_fields() or [n for n, f in schema.items if f.indexed]
    for name in fields:
        if name not in schema:
            raise UnknownQueryFieldError(name, schema.names())
    operator = default_operator.upper()
    tree, warnings = syntax_tree(text, operator, lenient, disabled)
    return Syntax(tree, warnings, schema, tuple(fields), operator, max_expansions, lenient,
                  field_boosts)


def parse_lenient(
    text: str,
    schema: Schema,
    fields: Sequence[str] | None = None,
    default_operator: str = "OR",
    max_expansions: int = MAX_EXPANSIONS,
) -> tuple[Query, tuple[QueryWarning, ...]]:
    """Parse a query string leniently: the query, and what was dropped or reread.

    >>> import heron
    >>> schema = heron.Schema(body=heron.TEXT())
    >>> query, warnings = parse_lenient("oil (opec", schema)
    >>> query == parse("oil opec", schema), [str(w) for w in warnings]
    (True, ["unbalanced parenthesis: '(' is never closed at 4"])

    Raises:
        QueryError: only for ``fields`` naming an unknown field.
    """
    parsed = read_syntax(text, schema, fields=fields, default_operator=default_operator,
                         max_expansions=max_expansions, lenient=True).build()
    return parsed.query, parsed.warnings


def parse(
    text: str,
    schema: Schema,
    fields: Sequence[str] | None = None,
    default_operator: str = "OR",
    max_expansions: int = MAX_EXPANSIONS,
    *,
    lenient: bool = False,
) -> Query:
    """Parse a query string into a query, analysing words with the schema's analyzers.

    ``fields`` are searched by unqualified words (default: every TEXT field). A query
    of stop words alone matches nothing. ``max_expansions`` caps how many terms a
    prefix, wildcard, fuzzy or range query may expand to. ``lenient=True`` never
    raises on syntax: see :func:`parse_lenient`, which also gives the warnings.

    Raises:
        QueryError: the text is malformed or names an unknown field; the error has
            the position and says what was expected.
    """
    return read_syntax(text, schema, fields=fields, default_operator=default_operator,
                       max_expansions=max_expansions, lenient=lenient).build().query
