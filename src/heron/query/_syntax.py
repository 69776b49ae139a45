"""Stage one of parsing: query text to a syntax tree, without a schema.

Grammar (NOT binds tighter than AND, AND tighter than OR; words side by side are
joined by the default operator)::

    query   := or EOF
    or      := and (("OR" | "||" | <space>) and)*       # <space>: when the default is OR
    and     := not (("AND" | "&&" | <space>) not)*      # <space>: when the default is AND
    not     := ("NOT" | "!") not | clause
    clause  := ["+" | "-"] [name ":"] atom ["^" number]
    atom    := "(" or ")" | '"' words '"' ["~" int] | range | compare | word ["~" [int]]
    range   := ("[" | "{") [value] "TO" [value] ("]" | "}")     # a missing end is open
    compare := (">=" | "<=" | ">" | "<") value
    word    := characters other than space and ( ) " ^ ~ [ ] { } :, or any escaped by \\
"""

from __future__ import annotations

import re

from attrs import frozen

from heron.errors import QueryError

_SPECIAL = frozenset('()"^~[]{}:\\')
_OPERATORS = frozenset({"AND", "OR", "NOT", "TO", "&&", "||"})
_SURROGATE = re.compile("[\ud800-\udfff]")


@frozen
class Word:
    """A bare word; ``wildcard`` if it holds an unescaped ``*`` or ``?``."""

    text: str
    position: int
    wildcard: bool = False
    fuzzy: int | None = None


@frozen
class PhraseNode:
    """A quoted phrase, with the slop after ``~``."""

    text: str
    position: int
    slop: int = 0


@frozen
class RangeNode:
    """A range ``[lo TO hi]`` (ends may be None: open) or a comparison."""

    low: str | None
    high: str | None
    include_low: bool
    include_high: bool
    position: int


@frozen
class Clause:
    """An atom with its field, boost and occurrence (``+`` must, ``-`` must not)."""

    node: Node
    position: int
    field: str | None = None
    boost: float | None = None
    occur: str = ""


@frozen
class BoolNode:
    """Children joined by ``AND`` or ``OR``."""

    op: str
    children: tuple[Node, ...]
    position: int


@frozen
class NotNode:
    """``NOT child``."""

    child: Node
    position: int


@frozen
class GroupNode:
    """A parenthesised sub-query."""

    child: Node
    position: int


Node = Word | PhraseNode | RangeNode | Clause | BoolNode | NotNode | GroupNode


class _Parser:
    def __init__(self, text: str, default_operator: str) -> None:
        self.text = text
        self.i = 0
        self.default = default_operator

    # -- scanning ---------------------------------------------------------------
    def skip_space(self) -> None:
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.i >= len(self.text)

    def peek_operator(self) -> str | None:
        """The operator keyword at the cursor, if one stands there alone."""
        self.skip_space()
        for op in ("AND", "OR", "NOT", "&&", "||"):
            end = self.i + len(op)
            if self.text.startswith(op, self.i) and (
                op in ("&&", "||") or end >= len(self.text) or self.text[end].isspace()
                or self.text[end] in "()"
            ):
                return op
        if self.text.startswith("!", self.i):
            return "!"
        return None

    def error(self, message: str, position: int | None = None) -> QueryError:
        return QueryError(message, self.i if position is None else position)

    def read_word(self) -> tuple[str, bool]:
        """Read a word with escapes; return it and whether it has a wildcard."""
        out: list[str] = []
        wildcard = False
        text = self.text
        while self.i < len(text):
            c = text[self.i]
            if c == "\\":
                if self.i + 1 >= len(text):
                    raise self.error("nothing to escape after '\\'")
                out.append(text[self.i + 1])
                self.i += 2
                continue
            if c.isspace() or c in _SPECIAL:
                break
            if c in "*?":
                wildcard = True
            out.append(c)
            self.i += 1
        return "".join(out), wildcard

    def read_number(self, what: str, integer: bool = False) -> float:
        start = self.i
        while self.i < len(self.text) and (self.text[self.i].isdigit() or self.text[self.i] == "."):
            self.i += 1
        raw = self.text[start : self.i]
        try:
            value = int(raw) if integer else float(raw)
        except ValueError:
            raise self.error(f"expected {what}", start) from None
        return value

    # -- grammar ----------------------------------------------------------------
    def parse(self) -> Node | None:
        if self.at_end():
            return None
        node = self.parse_or()
        if not self.at_end():
            c = self.text[self.i]
            if c == ")":
                raise self.error("unbalanced parenthesis: ')' without '('")
            raise self.error(f"unexpected {c!r}")
        return node

    def _starts_clause(self) -> bool:
        return not self.at_end() and self.text[self.i] != ")" and self.peek_operator() not in (
            "AND", "OR", "&&", "||")

    def parse_or(self) -> Node:
        start = self.i
        children = [self.parse_and()]
        while True:
            op = self.peek_operator()
            if op in ("OR", "||"):
                self.i += len(op)
                if not self._starts_clause():
                    raise self.error(f"expected a query after {op}")
                children.append(self.parse_and())
            elif self.default == "OR" and self._starts_clause():
                children.append(self.parse_and())
            else:
                break
        return children[0] if len(children) == 1 else BoolNode("OR", tuple(children), start)

    def parse_and(self) -> Node:
        start = self.i
        children = [self.parse_not()]
        while True:
            op = self.peek_operator()
            if op in ("AND", "&&"):
                self.i += len(op)
                if not self._starts_clause():
                    raise self.error(f"expected a query after {op}")
                children.append(self.parse_not())
            elif self.default == "AND" and self._starts_clause():
                children.append(self.parse_not())
            else:
                break
        return children[0] if len(children) == 1 else BoolNode("AND", tuple(children), start)

    def parse_not(self) -> Node:
        op = self.peek_operator()
        if op in ("NOT", "!"):
            start = self.i
            self.i += len(op)
            if not self._starts_clause():
                raise self.error(f"expected a query after {op}")
            return NotNode(self.parse_not(), start)
        return self.parse_clause()

    def parse_clause(self) -> Node:
        self.skip_space()
        start = self.i
        occur = ""
        if self.text[self.i] in "+-":
            occur = self.text[self.i]
            self.i += 1
            if self.i >= len(self.text) or self.text[self.i].isspace():
                raise self.error(f"expected a query after '{occur}'")
        field = None
        save = self.i
        if self.text[self.i] not in _SPECIAL or self.text[self.i] == "\\":
            name, wildcard = self.read_word()
            if self.i < len(self.text) and self.text[self.i] == ":" and name and not wildcard:
                field = name
                self.i += 1
                if self.i >= len(self.text) or self.text[self.i].isspace():
                    raise self.error(f"expected a value after '{name}:'")
            else:
                self.i = save
        node = self.parse_atom()
        boost = None
        if self.i < len(self.text) and self.text[self.i] == "^":
            self.i += 1
            boost = self.read_number("a number after '^'")
        if field is None and boost is None and not occur:
            return node
        return Clause(node, start, field, boost, occur)

    def parse_atom(self) -> Node:
        c = self.text[self.i]
        if c == "(":
            return self.parse_group()
        if c == '"':
            return self.parse_phrase()
        if c in "[{":
            return self.parse_range()
        if c in "<>":
            return self.parse_compare()
        if c in _SPECIAL and c != "\\":
            raise self.error(f"unexpected {c!r}")
        return self.parse_word()

    def parse_group(self) -> GroupNode:
        text = self.text
        start = self.i
        self.i += 1
        if self.at_end():
            raise self.error("unbalanced parenthesis: '(' is never closed", start)
        if text[self.i] == ")":
            raise self.error("expected a query inside the parentheses")
        child = self.parse_or()
        if self.at_end() or text[self.i] != ")":
            raise self.error("unbalanced parenthesis: '(' is never closed", start)
        self.i += 1
        return GroupNode(child, start)

    def parse_phrase(self) -> PhraseNode:
        text = self.text
        start = self.i
        end = self.i + 1
        while end < len(text) and text[end] != '"':
            end += 2 if text[end] == "\\" else 1
        if end >= len(text):
            raise self.error("unbalanced quote: '\"' is never closed", start)
        body = text[self.i + 1 : end].replace('\\"', '"')
        self.i = end + 1
        slop = 0
        if self.i < len(text) and text[self.i] == "~":
            self.i += 1
            slop = int(self.read_number("a whole number of positions after '~'", True))
        return PhraseNode(body, start, slop)

    def parse_word(self) -> Word:
        text = self.text
        start = self.i
        word, wildcard = self.read_word()
        if not word:
            raise self.error("expected a word")
        fuzzy = None
        if self.i < len(text) and text[self.i] == "~":
            self.i += 1
            if self.i < len(text) and text[self.i].isdigit():
                fuzzy = int(self.read_number("an edit distance after '~'", True))
            else:
                fuzzy = 2
        return Word(word, start, wildcard, fuzzy)

    def parse_range(self) -> Node:
        start = self.i
        include_low = self.text[self.i] == "["
        self.i += 1
        self.skip_space()
        low = None if self.text.startswith("TO", self.i) else self.read_word()[0] or None
        self.skip_space()
        if not self.text.startswith("TO", self.i):
            raise self.error("expected 'TO' in range")
        self.i += 2
        self.skip_space()
        high = self.read_word()[0] or None if self.i < len(self.text) else None
        self.skip_space()
        if self.i >= len(self.text) or self.text[self.i] not in "]}":
            raise self.error("expected ']' or '}' to close the range")
        include_high = self.text[self.i] == "]"
        self.i += 1
        return RangeNode(low, high, include_low, include_high, start)

    def parse_compare(self) -> Node:
        start = self.i
        op = self.text[self.i : self.i + 2] if self.text[self.i + 1 : self.i + 2] == "=" else (
            self.text[self.i])
        self.i += len(op)
        value, _ = self.read_word()
        if not value:
            raise self.error(f"expected a value after {op!r}")
        if op[0] == ">":
            return RangeNode(value, None, op == ">=", False, start)
        return RangeNode(None, value, False, op == "<=", start)


_PLAIN = re.compile(r"[^\W_]+(?:\s+[^\W_]+)*")


def _plain_words(text: str, default_operator: str) -> Node | None:
    """The tree of a query of plain words and spaces (the common case), without the parser."""
    stripped = text.strip()
    if not _PLAIN.fullmatch(stripped):
        return None
    words = stripped.split()
    if any(w in _OPERATORS for w in words):
        return None
    offset = len(text) - len(text.lstrip())
    nodes: list[Node] = []
    for word in words:
        offset = text.index(word, offset)
        nodes.append(Word(word, offset))
        offset += len(word)
    first = nodes[0]
    return first if len(nodes) == 1 else BoolNode(default_operator, tuple(nodes), first.position)


def parse_syntax(text: str, default_operator: str = "OR") -> Node | None:
    """Parse query text into a syntax tree (``None`` for an empty query).

    >>> parse_syntax('title:gaza +"smuggling tunnels"~2')
    BoolNode(op='OR', children=(Clause(node=Word(text='gaza', position=6, wildcard=False, \
fuzzy=None), position=0, field='title', boost=None, occur=''), \
Clause(node=PhraseNode(text='smuggling tunnels', position=12, slop=2), position=11, field=None, \
boost=None, occur='+')), position=0)

    Raises:
        QueryError: with the position and what was expected there.
    """
    if default_operator not in ("OR", "AND"):
        raise QueryError(f"default_operator is 'OR' or 'AND', got {default_operator!r}")
    if not text.isascii() and (bad := _SURROGATE.search(text)) is not None:
        raise QueryError(f"the query holds a lone surrogate {bad.group()!r}, which is not "
                         "valid Unicode", bad.start())
    plain = _plain_words(text, default_operator)
    if plain is not None:
        return plain
    return _Parser(text, default_operator).parse()
