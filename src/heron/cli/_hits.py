"""Showing hits on a terminal: rank, score, the title with its matches marked, snippets.

Shared by ``heron search`` and ``heron demo``; colour follows :mod:`heron._terminal` (a
terminal only, never with ``NO_COLOR``), and a document's control characters are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import heron
from heron import _terminal as terminal

#: stored text fields shown under a hit at most
SNIPPET_FIELDS = 2
_INDENT = " " * 15


def text_fields(schema: heron.Schema) -> list[str]:
    """Stored fields of analysed text (with field lengths, not whole values): those that
    snippets come from."""
    return [n for n in schema.stored_names()
            if schema[n].scorable and not schema[n].term_keyed]


def title_field(schema: heron.Schema) -> str | None:
    """The field shown as a hit's title: ``title``, else the first stored text field."""
    stored = schema.stored_names()
    if "title" in stored:
        return "title"
    text = text_fields(schema)
    return text[0] if text else (stored[0] if stored else None)


def hit_lines(hit: heron.Hit, schema: heron.Schema, *, show: Sequence[str] = (),
              snippet_chars: int = 200) -> list[Any]:
    """The rich ``Text`` lines of one hit: rank, score, title (matches marked), the unique
    field's value, the fields in ``show``; then a snippet of each other stored text field
    holding a match."""
    from rich.text import Text  # noqa: PLC0415 - rich loads only to print

    marks = terminal.MarkFormatter()
    title = title_field(schema)
    unique = schema.unique_field()
    line = Text(f"{hit.rank:>3}  ", style="bold")
    line.append(f"{hit.score:8.3f}  ", style="dim")
    if title is not None:
        shown = hit.highlights(title, formatter=marks, fragmenter=_whole())
        shown = shown or terminal.plain(str(hit.get(title, "")))
        line.append_text(terminal.marked(" ".join(shown.split()), base="bold cyan"))
    if unique and unique != title:
        line.append(f"  [{terminal.plain(str(hit.get(unique, '')))}]", style="dim")
    for name in show:
        value = hit.get(name)
        if value is not None:
            line.append(f"  {name}={terminal.plain(str(value))}", style="green")
    lines = [line]
    fragments = heron.highlight.ContextFragmenter(chars=snippet_chars)
    others = [n for n in text_fields(schema) if n != title][:SNIPPET_FIELDS]
    for name in others:
        snippet = hit.highlights(name, top=2, formatter=marks, fragmenter=fragments)
        if snippet:
            lines.append(terminal.marked(_INDENT + " ".join(snippet.split())))
    if len(lines) == 1 and others:  # matched elsewhere: the text's first line instead
        first = _first_line(str(hit.get(others[0], "")), snippet_chars)
        if first:
            lines.append(Text(_INDENT + first))
    return lines


def _first_line(text: str, width: int) -> str:
    """The first non-empty line of a text without control characters, cut to ``width``."""
    line = next((s.strip() for s in terminal.plain(text).splitlines() if s.strip()), "")
    return line if len(line) <= width else line[: width - 3].rstrip() + "..."


def _whole() -> Any:
    return heron.highlight.WholeFragmenter()
