"""Highlighting: fragmenters and formatters for the snippets of ``hit.highlights()``.

A formatter is any callable ``(text, spans) -> str``, each :class:`Span` a match.
"""

from heron.highlight._formatters import AnsiFormatter, Formatter, HtmlFormatter, TextFormatter
from heron.highlight._fragments import (
    ContextFragmenter,
    Fragment,
    Fragmenter,
    SentenceFragmenter,
    WholeFragmenter,
)
from heron.highlight._marks import Span

__all__ = [
    "AnsiFormatter",
    "ContextFragmenter",
    "Formatter",
    "Fragment",
    "Fragmenter",
    "HtmlFormatter",
    "SentenceFragmenter",
    "Span",
    "TextFormatter",
    "WholeFragmenter",
]
