"""Checks of the arguments of :meth:`Searcher.search`, so that a wrong one fails early.

A wrong type raises :class:`~heron.errors.ArgumentTypeError` (also a TypeError), a
wrong value :class:`~heron.errors.ArgumentError` (also a ValueError).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from heron.errors import ArgumentError, ArgumentTypeError
from heron.query import MAX_EXPANSIONS, QueryParser


def whole(name: str, value: Any, minimum: int) -> int:
    """``value`` as an int (numpy integers too, not bools or floats), at least ``minimum``.

    >>> whole("limit", "5", 0)
    Traceback (most recent call last):
    heron.errors.ArgumentTypeError: limit is a whole number, got '5'
    """
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise ArgumentTypeError(f"{name} is a whole number, got {value!r}")
    number = operator.index(value)
    if number < minimum:
        raise ArgumentError(f"{name} must be at least {minimum}, got {number}")
    return number


def check_search(*, limit: Any, offset: Any, fields: Any, default_operator: Any,
                 max_expansions: Any, lenient: Any) -> tuple[int | None, int]:
    """Check the arguments of a search; return ``limit`` and ``offset`` as ints."""
    if not isinstance(default_operator, str):
        raise ArgumentTypeError(f"default_operator is 'OR' or 'AND', got {default_operator!r}")
    if default_operator.upper() not in ("OR", "AND"):
        raise ArgumentError(f"default_operator is 'OR' or 'AND', got {default_operator!r}")
    if not isinstance(lenient, bool):
        raise ArgumentTypeError(f"lenient is True or False, got {lenient!r}")
    if fields is not None and (isinstance(fields, str) or not isinstance(fields, Sequence)
                               or not all(isinstance(f, str) for f in fields)):
        raise ArgumentTypeError(f"fields is a list of field names, got {fields!r}")
    whole("max_expansions", max_expansions, 1)
    return (None if limit is None else whole("limit", limit, 0)), whole("offset", offset, 0)


def check_parser(parser: Any, *, fields: Any, default_operator: Any, max_expansions: Any
                 ) -> None:
    """A search's ``parser`` is a QueryParser, given instead of the options it holds."""
    if parser is None:
        return
    if not isinstance(parser, QueryParser):
        raise ArgumentTypeError(f"parser is a heron.QueryParser, got {type(parser).__name__}")
    if fields is not None or default_operator != "OR" or max_expansions != MAX_EXPANSIONS:
        raise ArgumentError("with a parser, its own fields, default_operator and "
                            "max_expansions are used: give them to the QueryParser")
