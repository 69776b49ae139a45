"""Stage one of parsing, the atoms: words, numbers, phrases and ranges read at a cursor.

A query holds at most :data:`MAX_CLAUSES` words, phrases and ranges, a boost is a
finite number up to :data:`MAX_BOOST`, a slop at most :data:`MAX_SLOP`. Each problem
raises a :class:`QueryError`, or in lenient mode becomes a :class:`QueryWarning` while
the scanner reads on (see :mod:`heron.query._grammar`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType

from heron.errors import QueryError
from heron.query._nodes import Node, PhraseNode, RangeNode, Word
from heron.query._phrase import MAX_SLOP
from heron.query._warnings import QueryWarning

#: the largest boost after ``^``
MAX_BOOST = 1e6
#: how many words, phrases and ranges a query string may hold, once per field searched
#: (Lucene's maxClauseCount), which bounds the work of one query
MAX_CLAUSES = 1024
TOO_MANY_CLAUSES = (f"a query string holds at most {MAX_CLAUSES} words, phrases and ranges "
                    "(counted once per field searched); build larger queries from Query objects")
#: characters that end a word unless escaped
SPECIAL = frozenset('()"^~[]{}:\\')
#: the syntax a parser can switch off (Whoosh's plugins), and the characters each makes
#: special; switched off, they are read as part of words
SYNTAX: Mapping[str, str] = MappingProxyType({
    "wildcard": "", "fuzzy": "~", "range": "[]{}", "phrase": '"', "field": ":", "boost": "^",
    "plus_minus": ""})
#: white space (``\s`` is what ``str.isspace`` holds)
_SPACE = re.compile(r"\s*")


def _word_run(special: frozenset[str]) -> re.Pattern[str]:
    """A run of word characters: anything but white space and the special characters."""
    return re.compile(r"[^\s" + "".join(re.escape(c) for c in sorted(special)) + "]*")


_WORD_RUN = _word_run(SPECIAL)


class Scanner:
    """A cursor over query text that reads atoms and reports problems."""

    def __init__(self, text: str, default_operator: str, lenient: bool = False,
                 disabled: frozenset[str] = frozenset()) -> None:
        self.text = text
        #: the syntax switched off (names of :data:`SYNTAX`), and what is special then
        self.enabled = frozenset(SYNTAX) - disabled
        self.special = SPECIAL.difference(*(SYNTAX[name] for name in disabled))
        self.word_run = _word_run(self.special) if disabled else _WORD_RUN
        self.i = 0
        self.default = default_operator
        self.lenient = lenient
        self.warnings: list[QueryWarning] = []
        self.depth = 0
        #: '(' ignored for nesting too deep, whose ')' are ignored too (lenient mode)
        self.ignored = 0
        self.too_deep = False
        self.leaves = 0
        #: the clause cap was reached: the rest of the text is dropped (lenient mode)
        self.stopped = False
        #: where an operator was last looked for, and the one found there
        self.peeked: tuple[int, str | None] = (-1, None)

    def skip_space(self) -> None:
        if self.i < len(self.text) and self.text[self.i].isspace():
            run = _SPACE.match(self.text, self.i)
            assert run is not None  # it matches the empty string
            self.i = run.end()

    def at_end(self) -> bool:
        self.skip_space()
        return self.i >= len(self.text)

    def problem(self, message: str, position: int | None = None) -> None:
        """Raise a QueryError, or in lenient mode note a warning (the caller recovers)."""
        where = self.i if position is None else position
        if not self.lenient:
            raise QueryError(message, where)
        self.warnings.append(QueryWarning(message, where))

    def full(self, position: int) -> bool:
        """Count a word, phrase or range; whether it is one too many (reported)."""
        self.leaves += 1
        if self.leaves <= MAX_CLAUSES:
            return False
        self.problem(TOO_MANY_CLAUSES, position)
        self.i = len(self.text)  # lenient: the rest is dropped
        self.stopped = True
        return True

    def read_word(self) -> tuple[str, bool]:
        """Read a word with escapes; return it and whether it has a wildcard."""
        out: list[str] = []
        wildcard = False
        text = self.text
        while True:
            run = self.word_run.match(text, self.i)
            assert run is not None  # it matches the empty string
            if run.end() > self.i:
                piece = run.group()
                out.append(piece)
                wildcard = wildcard or "*" in piece or "?" in piece
                self.i = run.end()
            if self.i >= len(text) or text[self.i] != "\\":
                break
            if self.i + 1 >= len(text):
                self.problem("nothing to escape after '\\'")
                self.i += 1  # lenient: the backslash is dropped
                break
            out.append(text[self.i + 1])  # escaped: never a wildcard
            self.i += 2
        return "".join(out), wildcard and "wildcard" in self.enabled

    def read_bound(self) -> str | None:
        """A range bound: a quoted value, or anything up to white space or the closing
        bracket (so ``10:30`` needs no escape); a bare ``*`` (or nothing) leaves it open."""
        text = self.text
        if self.i < len(text) and text[self.i] == '"':
            end = self.i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end < len(text):
                value = text[self.i + 1 : end].replace('\\"', '"')
                self.i = end + 1
                return value
            self.problem("unbalanced quote: '\"' is never closed")
            self.i += 1  # lenient: the quote is dropped
        out: list[str] = []
        while self.i < len(text) and not text[self.i].isspace() and text[self.i] not in "]}":
            if text[self.i] == "\\" and self.i + 1 < len(text):
                self.i += 1
            out.append(text[self.i])
            self.i += 1
        value = "".join(out)
        return None if value in ("", "*") else value

    def read_number(self, what: str, integer: bool = False) -> float | None:
        """A number at the cursor; None (lenient) if there is none, its text left to read."""
        start = self.i
        while self.i < len(self.text) and (self.text[self.i].isdigit() or self.text[self.i] == "."):
            self.i += 1
        raw = self.text[start : self.i]
        try:
            return int(raw) if integer else float(raw)
        except ValueError:
            self.problem(f"expected {what}", start)
            self.i = start
            return None

    def read_boost(self) -> float | None:
        start = self.i
        boost = self.read_number("a number after '^'")
        if boost is not None and not (math.isfinite(boost) and boost <= MAX_BOOST):
            self.problem(f"a boost is a number up to {MAX_BOOST:g}", start)
            return None
        return boost

    def parse_phrase(self) -> Node | None:
        text = self.text
        start = self.i
        end = self.i + 1
        while end < len(text) and text[end] != '"':
            end += 2 if text[end] == "\\" else 1
        if end >= len(text):
            self.problem("unbalanced quote: '\"' is never closed", start)
            self.i = start + 1  # lenient: the quote is dropped, what follows read as words
            return None
        body = text[self.i + 1 : end].replace('\\"', '"')
        self.i = end + 1
        slop = 0
        if self.i < len(text) and text[self.i] == "~":
            self.i += 1
            at = self.i
            value = self.read_number("a whole number of positions after '~'", True)
            if value is not None and value > MAX_SLOP:
                self.problem(f"phrase slop is at most {MAX_SLOP}", at)
            elif value is not None:
                slop = int(value)
        return None if self.full(start) else PhraseNode(body, start, slop)

    def parse_word(self) -> Word | None:
        text = self.text
        start = self.i
        word, wildcard = self.read_word()
        if not word:
            return None  # a lone backslash, already reported
        fuzzy = None
        if self.i < len(text) and text[self.i] == "~" and "fuzzy" in self.enabled:
            self.i += 1
            if self.i < len(text) and text[self.i].isdigit():
                value = self.read_number("an edit distance after '~'", True)
                fuzzy = None if value is None else int(value)
            else:
                fuzzy = 2
        return None if self.full(start) else Word(word, start, wildcard, fuzzy)

    def parse_range(self) -> Node | None:
        start = self.i
        include_low = self.text[self.i] == "["
        self.i += 1
        self.skip_space()
        low = None if self.text.startswith("TO", self.i) else self.read_bound()
        self.skip_space()
        if not self.text.startswith("TO", self.i):
            self.problem("expected 'TO' in range")
            self.i = start + 1  # lenient: the bracket is dropped, what follows read as words
            return None
        self.i += 2
        self.skip_space()
        high = self.read_bound() if self.i < len(self.text) else None
        self.skip_space()
        if self.i >= len(self.text) or self.text[self.i] not in "]}":
            self.problem("expected ']' or '}' to close the range")
            self.i = start + 1
            return None
        include_high = self.text[self.i] == "]"
        self.i += 1
        if self.full(start):
            return None
        return RangeNode(low, high, include_low, include_high, start)

    def parse_compare(self) -> Node | None:
        start = self.i
        op = self.text[self.i : self.i + 2] if self.text[self.i + 1 : self.i + 2] == "=" else (
            self.text[self.i])
        self.i += len(op)
        value, _ = self.read_word()
        if not value:
            self.problem(f"expected a value after {op!r}")
            return None  # lenient: the operator is dropped
        if self.full(start):
            return None
        if op[0] == ">":
            return RangeNode(value, None, op == ">=", False, start)
        return RangeNode(None, value, False, op == "<=", start)
