"""A configured query-string parser: Whoosh's ``QueryParser`` / ``MultifieldParser`` with
its plugins, as options.

The options are checked when the parser is made: a wrong value raises
:class:`~heron.errors.ArgumentError` (also a ``ValueError``), a wrong type
:class:`~heron.errors.ArgumentTypeError` (also a ``TypeError``).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from heron.errors import ArgumentError, ArgumentTypeError
from heron.query._base import Context, Query
from heron.query._bind import BoundText, bind_text
from heron.query._multiterm import MAX_EXPANSIONS
from heron.query._parser import read_syntax
from heron.query._scanner import SYNTAX
from heron.query._warnings import QueryWarning
from heron.schema import Schema


def _fields(schema: Schema, fields: str | Sequence[str] | None) -> tuple[str, ...]:
    if fields is None:
        return tuple(schema.text_fields() or [n for n, f in schema.items if f.indexed])
    names = (fields,) if isinstance(fields, str) else fields
    if not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
        raise ArgumentTypeError(f"fields is a field name or a list of them, got {fields!r}")
    if not names:
        raise ArgumentError("fields names at least one field")
    for name in names:
        if name not in schema:
            raise ArgumentError(schema.unknown_field_message(name))
        if not schema[name].indexed:
            raise ArgumentError(f"field {name!r} is stored but not indexed")
    return tuple(names)


def _boosts(fieldboosts: Mapping[str, Any] | None, fields: tuple[str, ...]
            ) -> Mapping[str, float]:
    if fieldboosts is None:
        return MappingProxyType({})
    if not isinstance(fieldboosts, Mapping):
        raise ArgumentTypeError(f"fieldboosts maps field names to numbers, got {fieldboosts!r}")
    boosts = {}
    for name, boost in fieldboosts.items():
        if name not in fields:
            raise ArgumentError(f"fieldboosts names {name!r}, which is not one of the fields "
                                f"searched {list(fields)}")
        if isinstance(boost, bool) or not isinstance(boost, int | float):
            raise ArgumentTypeError(f"the boost of {name!r} is a number, got {boost!r}")
        if not (math.isfinite(boost) and boost > 0):
            raise ArgumentError(f"the boost of {name!r} is a positive number, got {boost!r}")
        boosts[name] = float(boost)
    return MappingProxyType(boosts)


def _disabled(disable: Iterable[str]) -> frozenset[str]:
    names = (disable,) if isinstance(disable, str) else disable
    if not isinstance(names, Iterable) or not all(isinstance(n, str) for n in names):
        raise ArgumentTypeError(f"disable is a set of syntax names, got {disable!r}")
    unknown = sorted(set(names) - set(SYNTAX))
    if unknown:
        raise ArgumentError(f"no syntax named {', '.join(map(repr, unknown))} to disable; "
                            f"the names are {', '.join(SYNTAX)}")
    return frozenset(names)


def _operator(default_operator: Any) -> str:
    if not isinstance(default_operator, str):
        raise ArgumentTypeError(f"default_operator is 'OR' or 'AND', got {default_operator!r}")
    if default_operator.upper() not in ("OR", "AND"):
        raise ArgumentError(f"default_operator is 'OR' or 'AND', got {default_operator!r}")
    return default_operator.upper()


def _expansions(value: Any) -> int:
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise ArgumentTypeError(f"max_expansions is a whole number, got {value!r}")
    if operator.index(value) < 1:
        raise ArgumentError(f"max_expansions must be at least 1, got {value!r}")
    return operator.index(value)


@frozen(init=False)
class QueryParser:
    """Parses query strings with options, as Whoosh's parsers and plugins do.

    ``fields`` are searched by words without a field name (default: every TEXT field),
    ``fieldboosts`` multiply the score of such words in each of those fields (not of
    ``title:gaza``), ``default_operator`` joins words side by side, and ``disable``
    switches syntax off: ``wildcard`` (``*``, ``?``), ``fuzzy`` (``~``), ``range``
    (``[a TO b]``, ``{a TO b}``, ``>=``), ``phrase`` (``"..."``), ``field`` (``name:``),
    ``boost`` (``^``), ``plus_minus`` (``+``, ``-``). What is switched off is read as
    plain words: its characters go through the field's analyzer like any punctuation.

    >>> import heron
    >>> schema = heron.Schema(title=heron.TEXT(), body=heron.TEXT())
    >>> parser = QueryParser(schema, ["title", "body"], fieldboosts={"title": 3.0},
    ...                      disable={"wildcard"})
    >>> parser.parse("tunn*").children()  # the star is read as text: one word, both fields
    (Term(field='title', text='tunn', boost=3.0), Term(field='body', text='tunn', boost=1.0))
    """

    schema: Schema
    fields: tuple[str, ...]
    fieldboosts: Mapping[str, float] = field(hash=False)
    default_operator: str
    disable: frozenset[str]
    max_expansions: int

    def __init__(
        self,
        schema: Schema,
        fields: str | Sequence[str] | None = None,
        *,
        fieldboosts: Mapping[str, float] | None = None,
        default_operator: str = "OR",
        disable: Iterable[str] = (),
        max_expansions: int = MAX_EXPANSIONS,
    ) -> None:
        if not isinstance(schema, Schema):
            raise ArgumentTypeError(f"schema is a heron.Schema, got {type(schema).__name__}")
        names = _fields(schema, fields)
        self.__attrs_init__(schema, names, _boosts(fieldboosts, names),
                            _operator(default_operator), _disabled(disable),
                            _expansions(max_expansions))

    def _options(self) -> dict[str, Any]:
        return {"fields": self.fields, "default_operator": self.default_operator,
                "max_expansions": self.max_expansions, "field_boosts": self.fieldboosts,
                "disabled": self.disable}

    def parse(self, text: str, *, lenient: bool = False) -> Query:
        """The query of a query string (``lenient=True``: never raises on what was typed).

        Raises:
            QueryError: (strict mode) the text is malformed, with its position.
        """
        return read_syntax(text, self.schema, lenient=lenient, **self._options()).build().query

    def parse_lenient(self, text: str) -> tuple[Query, tuple[QueryWarning, ...]]:
        """The query of a query string read leniently, and what was dropped or reread."""
        parsed = read_syntax(text, self.schema, lenient=True, **self._options()).build()
        return parsed.query, parsed.warnings

    def bind(self, text: str, context: Context, *, lenient: bool = False,
             rewrite: Callable[[Query], Query] | None = None) -> BoundText:
        """Parse and bind to a searcher's statistics (errors placed in the text;
        ``rewrite``: see :func:`heron.query._bind.bind_text`)."""
        return bind_text(text, context, lenient=lenient, rewrite=rewrite, **self._options())
