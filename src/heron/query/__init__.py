"""Queries: the query kinds, their algebra and the parser from query strings."""

from heron.query._base import (
    And,
    AndMaybe,
    Context,
    Every,
    Not,
    Or,
    Query,
    Weight,
)
from heron.query._fuzzy import Fuzzy
from heron.query._grammar import MAX_DEPTH
from heron.query._matches import Matches
from heron.query._multiterm import MAX_EXPANSIONS, MultiTerm, Prefix, TermRange, Wildcard
from heron.query._parser import parse, parse_lenient
from heron.query._phrase import MAX_SLOP, Phrase
from heron.query._range import NumericRange, Range
from heron.query._scanner import MAX_BOOST, MAX_CLAUSES
from heron.query._statistics import CollectionStatistics
from heron.query._syntax import parse_syntax
from heron.query._term import Term
from heron.query._warnings import QueryWarning

__all__ = [
    "MAX_BOOST",
    "MAX_CLAUSES",
    "MAX_DEPTH",
    "MAX_EXPANSIONS",
    "MAX_SLOP",
    "And",
    "AndMaybe",
    "CollectionStatistics",
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
    "QueryWarning",
    "Range",
    "Term",
    "TermRange",
    "Weight",
    "Wildcard",
    "parse",
    "parse_lenient",
    "parse_syntax",
]
