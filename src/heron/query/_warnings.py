"""What a lenient parse dropped or read differently, as plain values."""

from __future__ import annotations

from attrs import frozen


@frozen
class QueryWarning:
    """A part of a query string that lenient parsing dropped or reread, and where it was.

    >>> str(QueryWarning("unbalanced parenthesis: '(' is never closed", 4))
    "unbalanced parenthesis: '(' is never closed at 4"
    """

    message: str
    position: int | None = None

    def __str__(self) -> str:
        return self.message if self.position is None else f"{self.message} at {self.position}"
