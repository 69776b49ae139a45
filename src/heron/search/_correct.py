"""Correcting a query string: misspelled words replaced by close, clearly more frequent ones.

The string is not parsed into queries and printed back, which would lose its spelling:
words are found in place, with the field that governs them (a ``field:`` prefix before
a word, a phrase or a group in parentheses, or else the default fields), and only the
characters of a replaced word change. Operators, phrases' quotes, ranges, wildcards,
fuzzy and boost marks stay as they were, and so does a word the index already holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from heron.index import IndexReader
from heron.schema import Schema
from heron.search._suggest import analysed, candidates

#: a replacement must occur at least this often in the index
MIN_COUNT = 2
_OPERATORS = frozenset({"AND", "OR", "NOT", "TO"})
_TOKEN = re.compile(
    r"""(?P<field>[^\W\d][\w.-]*):(?=[^\s:])      # a field prefix, then what it governs
      | (?P<range>[\[{][^\]}]*[\]}])               # a range: left alone
      | (?P<open>\()|(?P<close>\))
      | (?P<quote>")
      | (?P<word>(?<![\w*?~\\])[^\W\d_]+(?![\w*?~:]))  # letters only: no wildcard, fuzzy
      | (?P<other>[^\s()"]+)""", re.VERBOSE)


def _recase(word: str, like: str) -> str:
    """``word`` written with the case of ``like`` (all capitals, capitalised, or as is)."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


class _Corrector:
    """Decides, word by word and field by field, what replaces a word (memoised)."""

    def __init__(self, reader: IndexReader, schema: Schema, min_count: int) -> None:
        self.reader = reader
        self.schema = schema
        self.min_count = min_count
        self.text_fields = set(schema.text_fields())
        self._seen: dict[tuple[tuple[str, ...], str], str | None] = {}

    def replacement(self, fields: tuple[str, ...], word: str) -> str | None:
        """A better word for ``word`` in ``fields``, or None to keep it."""
        key = (fields, word.lower())
        if key not in self._seen:
            self._seen[key] = self._best(fields, word.lower())
        best = self._seen[key]
        return None if best is None else _recase(best, word)

    def _best(self, fields: tuple[str, ...], word: str) -> str | None:
        fields = tuple(f for f in fields if f in self.text_fields)
        if not fields or len(word) < 3:
            return None
        for name in fields:
            term = analysed(self.schema, name, word)
            if term is None or self.reader.doc_freq(name, term) > 0:
                return None  # a stop word, or a word the index holds: kept
        maxdist = 1 if len(word) <= 4 else 2
        found = [c for name in fields
                 for c in candidates(self.reader, self.schema, name, word, maxdist=maxdist)
                 if c.count >= self.min_count]
        if not found:
            return None
        best = min(found, key=lambda c: (c.distance, -c.count, c.word))
        return best.word.lower() if best.word.lower() != word else None


def correct(reader: IndexReader, schema: Schema, text: str,
            fields: Sequence[str] | None = None, min_count: int = MIN_COUNT) -> str | None:
    """``text`` with misspelled words corrected, or None if no word has a better one.

    ``fields`` are those unqualified words search (default: every TEXT field).
    """
    default = tuple(fields) if fields is not None else tuple(schema.text_fields())
    fixer = _Corrector(reader, schema, min_count)
    out: list[str] = []
    last = 0
    changed = False
    groups: list[tuple[str, ...]] = [default]  # the fields of each open parenthesis
    pending: tuple[str, ...] | None = None  # set by a field prefix for what follows it
    in_phrase: tuple[str, ...] | None = None
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        current = in_phrase or pending or groups[-1]
        if kind == "field":
            name = m.group("field")
            pending = (name,) if name in schema else None
            continue
        if kind == "open":
            groups.append(current)
        elif kind == "close":
            if len(groups) > 1:
                groups.pop()
        elif kind == "quote":
            in_phrase = None if in_phrase is not None else current
            if in_phrase is not None:
                continue  # the phrase keeps the field prefix
        elif kind == "word" and m.group() not in _OPERATORS:
            better = fixer.replacement(current, m.group())
            if better is not None:
                out.append(text[last : m.start()])
                out.append(better)
                last = m.end()
                changed = True
        if in_phrase is None:
            pending = None
    if not changed:
        return None
    out.append(text[last:])
    return "".join(out)
