"""Queries: the query kinds, their algebra and the parser from query strings."""

from heron.query._base import (
    And,
    AndMaybe,
    Context,
    Every,
    Matches,
    Not,
    Or,
    Query,
    Weight,
)
from heron.query._parser import parse
from heron.query._syntax import parse_syntax
from heron.query._term import Term

__all__ = [
    "And",
    "AndMaybe",
    "Context",
    "Every",
    "Matches",
    "Not",
    "Or",
    "Query",
    "Term",
    "Weight",
    "parse",
    "parse_syntax",
]
