"""Queries: the query kinds, their algebra and the parser from query strings."""

from heron.query._base import (
    And,
    AndMaybe,
    Context,
    Every,
    Not,
    Or,
    Query,
)
from heron.query._fuzzy import Fuzzy
from heron.query._grammar import MAX_DEPTH
from heron.query._matches import Matches
from heron.query._multifield import MultiFieldTerm
from heron.query._multiterm import MAX_EXPANSIONS, MultiTerm, Prefix, TermRange, Wildcard
from heron.query._parser import parse, parse_lenient
from heron.query._phrase import MAX_SLOP, Phrase
from heron.query._query_parser import QueryParser
from heron.query._range import NumericRange, Range
from heron.query._scanner import MAX_BOOST, MAX_CLAUSES, SYNTAX
from heron.query._syntax import parse_syntax
from heron.query._term import Term
from heron.query._warnings import QueryWarning
from heron.query._weight import Marks, PhraseSpan, Weight

__all__ = [
    "MAX_BOOST",
    "MAX_CLAUSES",
    "MAX_DEPTH",
    "MAX_EXPANSIONS",
    "MAX_SLOP",
    "SYNTAX",
    "And",
    "AndMaybe",
    "Context",
    "Every",
    "Fuzzy",
    "Marks",
    "Matches",
    "MultiFieldTerm",
    "MultiTerm",
    "Not",
    "NumericRange",
    "Or",
    "Phrase",
    "PhraseSpan",
    "Prefix",
    "Query",
    "QueryParser",
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
