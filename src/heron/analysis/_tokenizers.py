"""Tokenizers: split a text into tokens, keeping positions and character offsets.

Every tokenizer offers two paths that must agree: :meth:`tokenize` yields
:class:`Token` objects with offsets (for highlighting and custom filters), and
:meth:`words` returns just the words as a list (the batch path used for indexing).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from attrs import field, frozen
from attrs.validators import instance_of

from heron.analysis._base import Tokenizer
from heron.analysis._tokens import Token
from heron.errors import SchemaError

#: one run of word characters, with combining marks kept inside it (``\\p{M}`` is expanded
#: by heron; the look-ahead keeps the common ASCII case fast)
_RUN = r"\w+(?:(?![\x00-\x7f])\p{M}+\w*)*"
#: what may join two runs into one word, as Unicode word boundaries (UAX #29) do: a full stop
#: (dotted acronyms ``U.S``, decimals ``3.14``, ``e.g``, host names) or a comma between digits
#: (``1,000``); a full stop that ends a word is not part of it
#: the default word pattern: runs of word characters joined as above
WORD_PATTERN = rf"{_RUN}(?:\.{_RUN}|(?<=\d),(?=\d){_RUN})*"
#: the default word pattern of heron 0.1 (runs only); indexes that recorded it keep it
WORD_PATTERN_V1 = _RUN
#: the same patterns for pure-ASCII text, where combining marks cannot occur (written so
#: that the regex engine tries the joins cheaply: as fast as plain runs on the news)
_ASCII_PATTERNS = {WORD_PATTERN: r"\w+(?:\.\w+|(?<=\d),\d\w*)*", WORD_PATTERN_V1: r"\w+"}
#: the compiled word rules (``heron._kernels.RULES``) that find the same words in ASCII text
_RULES = {WORD_PATTERN: "joined", WORD_PATTERN_V1: "runs"}


@functools.cache
def _marks_class() -> str:
    """A character class of the combining marks (Unicode categories Mn, Mc, Me)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x20000):
        if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


def _compile(pattern: str) -> re.Pattern[str]:
    """Compile a tokenizer pattern; ``\\p{M}`` stands for any combining mark."""
    try:
        return re.compile(pattern.replace(r"\p{M}", _marks_class()))
    except re.error as exc:
        raise SchemaError(f"invalid tokenizer pattern {pattern!r}: {exc}") from None


@frozen(slots=True)
class RegexTokenizer(Tokenizer):
    r"""Tokens are the matches of a regular expression (by default words, see below).

    The default pattern takes runs of word characters, keeps combining marks inside words
    (``café`` written with a combining accent, Devanagari, vowelled Arabic) and, as
    Unicode word boundaries (UAX #29) do, keeps numbers with separators and dotted
    acronyms whole: a full stop between two runs, or a comma between two digits, joins
    them. ``\p{M}`` in a pattern stands for any combining mark.

    >>> [t.text for t in RegexTokenizer().tokenize("Smuggling tunnels, near Rafah")]
    ['Smuggling', 'tunnels', 'near', 'Rafah']
    >>> RegexTokenizer().words("The U.S. paid 1,000.50 dlrs, i.e. 3.14 each, in 1987.")
    ['The', 'U.S', 'paid', '1,000.50', 'dlrs', 'i.e', '3.14', 'each', 'in', '1987']
    """

    name: ClassVar[str] = "regex"
    pattern: str = field(default=WORD_PATTERN, validator=instance_of(str))
    _regex: re.Pattern[str] = field(init=False, eq=False, repr=False)
    #: the same pattern for pure-ASCII text (combining marks cannot occur there)
    _ascii: re.Pattern[str] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_regex", _compile(self.pattern))
        ascii_pattern = _ASCII_PATTERNS.get(self.pattern, self.pattern)
        object.__setattr__(self, "_ascii", _compile(ascii_pattern))

    def tokenize(self, text: str) -> Iterator[Token]:
        for pos, m in enumerate(self._regex.finditer(text)):
            yield Token(m.group(), pos, m.start(), m.end())

    def spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        for m in self._pick(text).finditer(text):
            yield m.group(), m.start(), m.end()

    def offsets(self, text: str, positions: Sequence[int]) -> list[tuple[int, int]]:
        matches = self._pick(text).finditer(text)
        out = []
        current = 0
        for position in positions:  # islice skips the matches in between without Python code
            m = next(itertools.islice(matches, position - current, None), None)
            if m is None:
                break  # positions past the text's last word have no offsets (as in Tokenizer)
            out.append(m.span())
            current = position + 1
        return out

    def _pick(self, text: str) -> re.Pattern[str]:
        return self._ascii if text.isascii() else self._regex

    def words(self, text: str) -> list[str]:
        regex = self._pick(text)
        if regex.groups:
            return [m.group() for m in regex.finditer(text)]
        return regex.findall(text)

    @property
    def word_rule(self) -> str | None:
        if type(self).words is not RegexTokenizer.words:
            return None  # a subclass that finds its words otherwise
        return _RULES.get(self.pattern)

    def params(self) -> dict[str, Any]:
        return {"pattern": self.pattern}


@frozen(slots=True)
class SeparatorTokenizer(Tokenizer):
    """Tokens are the pieces between separators (commas, or runs of white space).

    Pieces are stripped of surrounding white space and empty pieces are skipped.

    >>> [t.text for t in SeparatorTokenizer(commas=True).tokenize("gaza, sinai ,,egypt")]
    ['gaza', 'sinai', 'egypt']
    """

    name: ClassVar[str] = "separator"
    commas: bool = field(default=False, validator=instance_of(bool))
    _regex: re.Pattern[str] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(r"[^,]+" if self.commas else r"\S+"))

    def tokenize(self, text: str) -> Iterator[Token]:
        pos = 0
        for m in self._regex.finditer(text):
            raw = m.group()
            word = raw.strip()
            if word:
                start = m.start() + (len(raw) - len(raw.lstrip()))
                yield Token(word, pos, start, start + len(word))
                pos += 1

    def words(self, text: str) -> list[str]:
        found = self._regex.findall(text)
        if self.commas:
            return [w for w in (piece.strip() for piece in found) if w]
        return found

    def params(self) -> dict[str, Any]:
        return {"commas": self.commas}


@frozen(slots=True)
class WholeTokenizer(Tokenizer):
    """The whole text is one token (for IDs), unless it is empty.

    >>> [t.text for t in WholeTokenizer().tokenize("a-17/x")]
    ['a-17/x']
    """

    name: ClassVar[str] = "whole"

    def tokenize(self, text: str) -> Iterator[Token]:
        if text:
            yield Token(text, 0, 0, len(text))

    def words(self, text: str) -> list[str]:
        return [text] if text else []
