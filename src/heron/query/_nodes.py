"""The syntax tree that stage one of parsing produces: plain frozen values, no schema."""

from __future__ import annotations

from attrs import frozen


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
