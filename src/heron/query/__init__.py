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
from heron.query._fuzzy import Fuzzy
from heron.query._multiterm import MAX_EXPANSIONS, MultiTerm, Prefix, TermRange, Wildcard
from heron.query._parser import parse
from heron.query._phrase import Phrase
from heron.query._range import NumericRange, Range
from heron.query._syntax import parse_syntax
from heron.query._term import Term

__all__ = [
    "MAX_EXPANSIONS",
    "And",
    "AndMaybe",
    "Context",
    "Every",
    "Fuzzy",
    "Matches",
    "MultiTerm",
    "Not",
    "NumericRange",
    "Or",
    "Phrase",
    "Prefix",
    "Query",
    "Range",
    "Term",
    "TermRange",
    "Weight",
    "Wildcard",
    "parse",
    "parse_syntax",
]
