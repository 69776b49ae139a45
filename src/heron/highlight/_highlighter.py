"""Putting it together: find matches, cut fragments, keep the best, format them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from heron.analysis import Analyzer
from heron.analysis._base import TermMemo
from heron.errors import ArgumentError
from heron.highlight._formatters import Formatter, HtmlFormatter
from heron.highlight._fragments import (
    ContextFragmenter,
    Fragmenter,
    best_fragments,
)
from heron.highlight._marks import QueryMarks, Span, find_spans


def highlight(
    text: str,
    analyzer: Analyzer,
    marks: QueryMarks,
    *,
    top: int = 3,
    fragmenter: Fragmenter | None = None,
    formatter: Formatter | None = None,
    between: str | None = None,
    memo: TermMemo | None = None,
    positions: Mapping[str, Sequence[int]] | None = None,
) -> str:
    """The ``top`` best fragments of ``text`` with the query's matches marked.

    Fragments are joined by ``between`` (by default the formatter's ``between``, an
    ellipsis). A text without matches gives an empty string.

    >>> from heron.analysis import StandardAnalyzer
    >>> highlight("Rafah has tunnels. <b>Egypt</b> flooded them.", StandardAnalyzer(),
    ...           QueryMarks(("tunnel",)))
    'Rafah has <b class="match term0">tunnels</b>. &lt;b&gt;Egypt&lt;/b&gt; flooded them.'
    """
    if top < 1:
        raise ArgumentError(f"top must be at least 1, got {top}")
    fragmenter = fragmenter if fragmenter is not None else ContextFragmenter()
    formatter = formatter if formatter is not None else HtmlFormatter()
    if not text or not marks:
        return ""
    spans, read = find_spans(text, analyzer, marks, fragmenter.window, top, memo=memo,
                             positions=positions)
    if not spans:
        return ""
    chosen = best_fragments(fragmenter.fragments(text, spans, read), top)
    if between is None:
        between = getattr(formatter, "between", "…")
    return between.join(
        formatter(text[f.start : f.end],
                  [Span(s.start - f.start, s.end - f.start, s.term) for s in f.spans])
        for f in chosen
    )
