"""Highlighting: fragmenters, fragment ranking and formatters for snippets."""

from heron.highlight._formatters import AnsiFormatter, Formatter, HtmlFormatter, TextFormatter
from heron.highlight._fragments import (
    ContextFragmenter,
    Fragment,
    Fragmenter,
    SentenceFragmenter,
    WholeFragmenter,
)
from heron.highlight._highlighter import highlight
from heron.highlight._marks import SHORT_TEXT, PhraseMark, QueryMarks, Span

__all__ = [
    "SHORT_TEXT",
    "AnsiFormatter",
    "ContextFragmenter",
    "Formatter",
    "Fragment",
    "Fragmenter",
    "HtmlFormatter",
    "PhraseMark",
    "QueryMarks",
    "SentenceFragmenter",
    "Span",
    "TextFormatter",
    "WholeFragmenter",
    "highlight",
]
