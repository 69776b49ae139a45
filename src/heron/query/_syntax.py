"""Stage one of parsing: query text to a syntax tree, without a schema.

The grammar is in :mod:`heron.query._grammar`, the atoms in :mod:`heron.query._scanner`;
here are the entry points, lone surrogates (not characters: refused, or read as spaces
in lenient mode) and the shortcut for plain words.
"""

from __future__ import annotations

import re

from heron.errors import QueryError
from heron.query._grammar import Parser as _Parser
from heron.query._nodes import BoolNode, Node, Word
from heron.query._scanner import MAX_CLAUSES
from heron.query._warnings import QueryWarning

_OPERATORS = frozenset({"AND", "OR", "NOT", "TO", "&&", "||"})
_SURROGATE = re.compile("[\ud800-\udfff]")

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


def syntax_tree(text: str, default_operator: str = "OR", lenient: bool = False,
                disabled: frozenset[str] = frozenset()
                ) -> tuple[Node | None, tuple[QueryWarning, ...]]:
    """The syntax tree of query text and, in lenient mode, what was dropped or reread.

    ``disabled`` names syntax read as plain words (see :data:`heron.query.SYNTAX`).

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
    for m in _SURROGATE.finditer(text) if not text.isascii() else ():
        message = f"the query holds a lone surrogate {m.group()!r}, which is not valid Unicode"
        if not lenient:
            raise QueryError(message, m.start())
        warnings.append(QueryWarning(message, m.start()))
    if warnings:  # read as spaces, which keeps every position
        text = _SURROGATE.sub(" ", text)
    parser = _Parser(text, default_operator, lenient, disabled)
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
