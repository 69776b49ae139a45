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

Parentheses and NOTs nest at most :data:`MAX_DEPTH` deep, a query holds at most
:data:`MAX_CLAUSES` words, phrases and ranges, a boost is a finite number up to
:data:`MAX_BOOST`, a slop at most :data:`MAX_SLOP`, and lone surrogates (not
characters) are refused. In lenient mode each syntax error becomes a
:class:`QueryWarning` and the text around it is read as plain words: an unclosed
``(`` closes at the end, a stray ``)``, dangling operator or special character is
dropped, an unclosed quote or range is read as the words it holds.
"""

from __future__ import annotations

import math
import re

from heron.errors import QueryError
from heron.query._nodes import (
    BoolNode,
    Clause,
    GroupNode,
    Node,
    NotNode,
    PhraseNode,
    RangeNode,
    Word,
)
from heron.query._phrase import MAX_SLOP
from heron.query._warnings import QueryWarning

#: how deep parentheses and NOT operators may nest
MAX_DEPTH = 64
#: the largest boost after ``^``
MAX_BOOST = 1e6
#: how many words, phrases and ranges a query string may hold, once per field searched
#: (Lucene's maxClauseCount), which bounds the work of one query
MAX_CLAUSES = 1024
TOO_MANY_CLAUSES = (f"a query string holds at most {MAX_CLAUSES} words, phrases and ranges "
                    "(counted once per field searched); build larger queries from Query objects")

_SPECIAL = frozenset('()"^~[]{}:\\')
_OPERATORS = frozenset({"AND", "OR", "NOT", "TO", "&&", "||"})
_SURROGATE = re.compile("[\ud800-\udfff]")
_OPERATOR_START = frozenset("ANO&|!")
#: a run of NOT operators, and each one in it
_NOT_RUN = re.compile(r"(?:(?:NOT(?=[\s()]|$)|!)\s*)+")
_NOT = re.compile(r"NOT|!")
#: '(' and spaces, skipped at once when nesting is too deep
_OPENING = re.compile(r"[\s(]*")


class _Parser:
    def __init__(self, text: str, default_operator: str, lenient: bool = False) -> None:
        self.text = text
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
        if self.i >= len(self.text) or self.text[self.i] not in _OPERATOR_START:
            return None
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
        while self.i < len(text):
            c = text[self.i]
            if c == "\\":
                if self.i + 1 >= len(text):
                    self.problem("nothing to escape after '\\'")
                    self.i += 1  # lenient: the backslash is dropped
                    break
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

    # -- grammar ----------------------------------------------------------------
    def parse(self) -> Node | None:
        return self.parse_sequence(inside=False)

    def parse_sequence(self, inside: bool) -> Node | None:
        """What stands up to the end (or the ``)`` closing a group).

        Strict parsing reads one ``or``; lenient parsing joins the parts that stray
        closing parentheses separate with the default operator.
        """
        start = self.i
        parts: list[Node] = []
        while not self.at_end():
            if self.text[self.i] == ")":
                if self.ignored:
                    self.ignored -= 1
                    self.i += 1
                    while self.ignored and self.i < len(self.text) and self.text[self.i] == ")":
                        self.ignored -= 1
                        self.i += 1
                    continue
                if inside:
                    break
                self.problem("unbalanced parenthesis: ')' without '('")
                self.i += 1
                continue
            node = self.parse_or()
            if node is not None:
                parts.append(node)
        return _join(self.default, parts, start)

    def _starts_clause(self) -> bool:
        return not self.at_end() and self.text[self.i] != ")" and self.peek_operator() not in (
            "AND", "OR", "&&", "||")

    def parse_or(self) -> Node | None:
        start = self.i
        first = self.parse_and()
        children = [] if first is None else [first]
        while True:
            op = self.peek_operator()
            if op in ("OR", "||"):
                self.i += len(op)
                if not self._starts_clause():
                    self.problem(f"expected a query after {op}")
                    continue  # lenient: the operator is dropped
                child = self.parse_and()
            elif self.lenient and op in ("AND", "&&"):  # left dangling by a dropped clause
                self.problem(f"expected a query before {op}")
                self.i += len(op)
                continue
            elif self.default == "OR" and self._starts_clause():
                child = self.parse_and()
            else:
                break
            if child is not None:
                children.append(child)
        return _join("OR", children, start)

    def parse_and(self) -> Node | None:
        start = self.i
        first = self.parse_not()
        children = [] if first is None else [first]
        while True:
            op = self.peek_operator()
            if op in ("AND", "&&"):
                self.i += len(op)
                if not self._starts_clause():
                    self.problem(f"expected a query after {op}")
                    continue  # lenient: the operator is dropped
                child = self.parse_not()
            elif self.default == "AND" and self._starts_clause():
                child = self.parse_not()
            else:
                break
            if child is not None:
                children.append(child)
        return _join("AND", children, start)

    def parse_not(self) -> Node | None:
        """A run of NOT operators (read at once, not by recursion) and their clause."""
        nots: list[int] = []
        if self.peek_operator() in ("NOT", "!"):
            run = _NOT_RUN.match(self.text, self.i)
            assert run is not None
            nots = [m.start() for m in _NOT.finditer(self.text, run.start(), run.end())]
            self.i = run.end()
            if not self._starts_clause():
                last = "!" if self.text[nots[-1]] == "!" else "NOT"
                self.problem(f"expected a query after {last}")
                return None  # lenient: the NOTs have nothing to negate and are dropped
        excess = self.depth + len(nots) - MAX_DEPTH
        if excess > 0:
            self.problem(f"parentheses and NOT nest more than {MAX_DEPTH} deep",
                         nots[MAX_DEPTH - self.depth])
            # lenient: drop NOTs in pairs, which keeps the meaning
            drop = excess + excess % 2
            del nots[len(nots) - (drop if drop <= len(nots) else drop - 2):]
        self.depth += len(nots)
        try:
            node = self.parse_clause()
        finally:
            self.depth -= len(nots)
        if node is None:
            return None
        for position in reversed(nots):
            node = NotNode(node, position)
        return node

    def parse_clause(self) -> Node | None:
        self.skip_space()
        text = self.text
        start = self.i
        occur = ""
        if text[self.i] in "+-":
            occur = text[self.i]
            self.i += 1
            if self.i >= len(text) or text[self.i].isspace() or text[self.i] == ")":
                self.problem(f"expected a query after '{occur}'")
                return None  # lenient: the sign is dropped
        field = None
        save = self.i
        if text[self.i] not in _SPECIAL or text[self.i] == "\\":
            name, wildcard = self.read_word()
            if self.i < len(text) and text[self.i] == ":" and name and not wildcard:
                self.i += 1
                if self.i >= len(text) or text[self.i].isspace() or text[self.i] == ")":
                    self.problem(f"expected a value after '{name}:'")
                    word = Word(name, save)  # lenient: the name is a word, the colon dropped
                    if self.full(save):
                        return None
                    return Clause(word, start, occur=occur) if occur else word
                field = name
            else:
                self.i = save
        node = self.parse_atom()
        if node is None:
            return None
        boost = None
        if self.i < len(text) and text[self.i] == "^":
            self.i += 1
            boost = self.read_boost()
        if field is None and boost is None and not occur:
            return node
        return Clause(node, start, field, boost, occur)

    def read_boost(self) -> float | None:
        start = self.i
        boost = self.read_number("a number after '^'")
        if boost is not None and not (math.isfinite(boost) and boost <= MAX_BOOST):
            self.problem(f"a boost is a number up to {MAX_BOOST:g}", start)
            return None
        return boost

    def parse_atom(self) -> Node | None:
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
            self.problem(f"unexpected {c!r}")
            if c != ")":  # lenient: the character is dropped (')' is left to close a group)
                self.i += 1
            return None
        return self.parse_word()

    def parse_group(self) -> Node | None:
        start = self.i
        self.i += 1
        if self.depth >= MAX_DEPTH:
            if not self.too_deep:  # one warning for all the ignored parentheses
                self.problem(f"parentheses and NOT nest more than {MAX_DEPTH} deep", start)
            self.too_deep = True
            run = _OPENING.match(self.text, self.i)
            assert run is not None
            self.ignored += 1 + run.group().count("(")  # lenient: these '(' and their ')'
            self.i = run.end()
            return None
        if self.at_end():
            self.problem("unbalanced parenthesis: '(' is never closed", start)
            return None
        if self.text[self.i] == ")":
            self.problem("expected a query inside the parentheses")
            self.i += 1
            return None
        self.depth += 1
        try:
            child = self.parse_sequence(inside=True)
        finally:
            self.depth -= 1
        if not self.at_end():
            self.i += 1
        elif not self.stopped:
            self.problem("unbalanced parenthesis: '(' is never closed", start)
        return None if child is None else GroupNode(child, start)

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
        if self.i < len(text) and text[self.i] == "~":
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
        low = None if self.text.startswith("TO", self.i) else self.read_word()[0] or None
        self.skip_space()
        if not self.text.startswith("TO", self.i):
            self.problem("expected 'TO' in range")
            self.i = start + 1  # lenient: the bracket is dropped, what follows read as words
            return None
        self.i += 2
        self.skip_space()
        high = self.read_word()[0] or None if self.i < len(self.text) else None
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


def _join(op: str, nodes: list[Node], position: int) -> Node | None:
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else BoolNode(op, tuple(nodes), position)


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


def syntax_tree(text: str, default_operator: str = "OR", lenient: bool = False
                ) -> tuple[Node | None, tuple[QueryWarning, ...]]:
    """The syntax tree of query text and, in lenient mode, what was dropped or reread.

    Raises:
        QueryError: (strict mode) with the position and what was expected there.
    """
    if default_operator not in ("OR", "AND"):
        raise QueryError(f"default_operator is 'OR' or 'AND', got {default_operator!r}")
    plain = _plain_words(text, default_operator)
    if plain is not None and not (isinstance(plain, BoolNode)
                                  and len(plain.children) > MAX_CLAUSES):
        return plain, ()
    warnings: list[QueryWarning] = []
    for m in _SURROGATE.finditer(text):
        message = "a lone surrogate is not a character"
        if not lenient:
            raise QueryError(message, m.start())
        warnings.append(QueryWarning(message, m.start()))
    if warnings:  # read as spaces, which keeps every position
        text = _SURROGATE.sub(" ", text)
    parser = _Parser(text, default_operator, lenient)
    tree = parser.parse()
    warnings.extend(parser.warnings)
    first: dict[int | None, QueryWarning] = {}  # one warning per place, sorted
    for w in warnings:
        first.setdefault(w.position, w)
    return tree, tuple(sorted(first.values(), key=lambda w: w.position or 0))


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
    return syntax_tree(text, default_operator)[0]
