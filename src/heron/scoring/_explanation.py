"""An explained score: a tree of values, each with what it is and what it is made of."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import field, frozen


def _details(parts: Iterable[Explanation]) -> tuple[Explanation, ...]:
    return tuple(parts)


@frozen
class Explanation:
    """A score (or one factor of it), what it is, and the parts it is computed from.

    ``show_value`` is False for a factor whose value its parent's description already
    gives (``idf = ln(...)`` under ``boost 1 * idf 0.6931 * tf 0.3226``).

    >>> tree = Explanation(1.5, "sum of:", (Explanation(1.0, "a"), Explanation(0.5, "b")))
    >>> print(tree.format())
    1.5000 = sum of:
      1.0000 = a
      0.5000 = b
    """

    value: float
    description: str
    details: tuple[Explanation, ...] = field(default=(), converter=_details)
    show_value: bool = True

    def lines(self, indent: str = "") -> list[str]:
        """The explanation as text lines, each detail indented under what it explains."""
        head = f"{self.value:.4f} = {self.description}" if self.show_value else self.description
        out = [indent + line for line in head.splitlines()] or [indent]
        for detail in self.details:
            out.extend(detail.lines(indent + "  "))
        return out

    def format(self) -> str:
        """The explanation as readable text."""
        return "\n".join(self.lines())


def sum_of(parts: list[Explanation], description: str = "sum of:") -> Explanation:
    """The explanation of a score that adds up ``parts``."""
    return Explanation(sum(p.value for p in parts), description, tuple(parts))
