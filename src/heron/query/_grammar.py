"""Stage one of parsing, the grammar: operators, clauses and nesting.

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

import re

from heron.query._nodes import BoolNode, Clause, GroupNode, Node, NotNode, Word
from heron.query._scanner import Scanner

#: how deep parentheses and NOT operators may nest
MAX_DEPTH = 64

_OPERATOR_START = frozenset("ANO&|!")
#: a run of NOT operators, and each one in it
_NOT_RUN = re.compile(r"(?:(?:NOT(?=[\s()]|$)|!)\s*)+")
_NOT = re.compile(r"NOT|!")
#: '(' and spaces, skipped at once when nesting is too deep
_OPENING = re.compile(r"[\s(]*")


class Parser(Scanner):
    """The recursive-descent parser of the grammar above (NOT runs read in a loop)."""

    def peek_operator(self) -> str | None:
        """The operator keyword at the cursor, if one stands there alone."""
        self.skip_space()
        if self.i >= len(self.text) or self.text[self.i] not in _OPERATOR_START:
            return None
        at, op = self.peeked  # each level of the grammar peeks at the same place in turn
        if at != self.i:
            op = self.operator_at(self.i)
            self.peeked = (self.i, op)
        return op

    def operator_at(self, i: int) -> str | None:
        """The operator keyword at ``i``, if one stands there alone."""
        for op in ("AND", "OR", "NOT", "&&", "||"):
            end = i + len(op)
            if self.text.startswith(op, i) and (
                op in ("&&", "||") or end >= len(self.text) or self.text[end].isspace()
                or self.text[end] in "()"
            ):
                return op
        if self.text.startswith("!", i):
            return "!"
        return None

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
            del nots[len(nots) % 2:]  # lenient: NOT NOT x is x, so pairs are dropped
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
        if text[self.i] in "+-" and "plus_minus" in self.enabled:
            occur = text[self.i]
            self.i += 1
            if self.i >= len(text) or text[self.i].isspace() or text[self.i] == ")":
                self.problem(f"expected a query after '{occur}'")
                return None  # lenient: the sign is dropped
        field = None
        save = self.i
        if text[self.i] not in self.special or text[self.i] == "\\":
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
        node = self.parse_atom(after_field=field is not None)
        if node is None:
            return None
        boost = None
        if self.i < len(text) and text[self.i] == "^" and "boost" in self.enabled:
            self.i += 1
            boost = self.read_boost()
        if field is None and boost is None and not occur:
            return node
        return Clause(node, start, field, boost, occur)

    def parse_atom(self, *, after_field: bool = False) -> Node | None:
        c = self.text[self.i]
        if c == "(":
            return self.parse_group()
        if c == '"' and "phrase" in self.enabled:
            return self.parse_phrase()
        if c in "[{" and "range" in self.enabled:
            return self.parse_range()
        if c in "<>" and after_field and "range" in self.enabled:  # year:>=2015; <SRD> a word
            return self.parse_compare()
        if c in self.special and c != "\\":
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


def _join(op: str, nodes: list[Node], position: int) -> Node | None:
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else BoolNode(op, tuple(nodes), position)
