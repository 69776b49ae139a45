"""Formatters turn a fragment and its match spans into output: HTML, ANSI or plain text.

A formatter is any callable ``(text, spans) -> str`` where ``spans`` are
:class:`Span` objects with offsets relative to ``text``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from attrs import frozen

from heron.highlight._marks import Span

Formatter = Callable[[str, Sequence[Span]], str]


def _weave(text: str, spans: Sequence[Span], plain: Callable[[str], str],
           mark: Callable[[str, int], str]) -> str:
    out = []
    pos = 0
    for span in spans:
        if span.start < pos:
            continue  # overlapping spans: the first wins
        out.append(plain(text[pos : span.start]))
        out.append(mark(text[span.start : span.end], span.term))
        pos = span.end
    out.append(plain(text[pos:]))
    return "".join(out)


@frozen
class HtmlFormatter:
    """Matches in ``<b class="match termN">``; the document's text is HTML-escaped.

    >>> HtmlFormatter()("a <tunnel>", [Span(3, 9, 0)])
    'a &lt;<b class="match term0">tunnel</b>&gt;'
    """

    tagname: str = "b"
    classname: str = "match"
    termclass: str = "term"
    between: str = " … "

    def __call__(self, text: str, spans: Sequence[Span]) -> str:
        tag = _escape_text(self.tagname)
        cls = _escape_text(self.classname)
        prefix = _escape_text(self.termclass)
        return _weave(
            text, spans, _escape_text,
            lambda word, n: f'<{tag} class="{cls} {prefix}{n}">{_escape_text(word)}</{tag}>',
        )


_HTML_SPECIAL = re.compile(r"[&<>\"']")


def _escape_text(text: str) -> str:
    """Escape &, <, > and both quotes, so a snippet is safe in a text node or an attribute.

    >>> _escape_text("<a href='x'>&</a>")
    '&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;'
    """
    return html.escape(text, quote=True) if _HTML_SPECIAL.search(text) else text


_ANSI_COLOURS = (31, 32, 33, 34, 35, 36)


@frozen
class AnsiFormatter:
    """Matches in bold colour for terminals (one colour per query term).

    >>> AnsiFormatter()("a tunnel", [Span(2, 8, 0)])
    'a \\x1b[1;31mtunnel\\x1b[0m'
    """

    between: str = " … "

    def __call__(self, text: str, spans: Sequence[Span]) -> str:
        clean = _strip_control
        return _weave(
            text, spans, clean,
            lambda word, n: f"\x1b[1;{_ANSI_COLOURS[n % len(_ANSI_COLOURS)]}m{clean(word)}\x1b[0m",
        )


def _strip_control(text: str) -> str:
    """Drop escape characters so a document cannot drive the terminal."""
    return text.replace("\x1b", "").replace("\x9b", "")


@frozen
class TextFormatter:
    """Matches between ``marker`` characters, for plain text.

    >>> TextFormatter(marker="**")("a tunnel", [Span(2, 8, 0)])
    'a **tunnel**'
    """

    marker: str = "*"
    between: str = " ... "

    def __call__(self, text: str, spans: Sequence[Span]) -> str:
        return _weave(text, spans, str, lambda word, n: f"{self.marker}{word}{self.marker}")
