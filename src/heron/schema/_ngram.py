"""N-gram field types: NGRAM (the whole value's n-grams) and NGRAMWORDS (each word's).

Both index every character n-gram of ``minsize`` to ``maxsize`` letters (or, with
``at="start"``, only the leading ones: edge n-grams), lower-cased. A word typed in a
query is split the same way and all of its n-grams must match, so ``title_ng:petr``
finds "Petroleum" as the user types.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from attrs import field, frozen

from heron.analysis import (
    Analyzer,
    EdgeNgramFilter,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    WholeTokenizer,
)
from heron.errors import SchemaError
from heron.schema._field import FieldType, _check_str, _positive

#: where the n-grams of a word may start: anywhere, or at its start only (edge n-grams)
_PLACES = (None, "start")


def _size(_inst: object, attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SchemaError(f"{attribute.name} must be a positive int, got {value!r}")


def _place(_inst: object, _attribute: Any, value: str | None) -> None:
    if value not in _PLACES:
        raise SchemaError(f'at must be None (n-grams anywhere) or "start" (edge n-grams), '
                          f"got {value!r}")


@frozen
class _NgramField(FieldType):
    """What NGRAM and NGRAMWORDS share: sizes, where n-grams start, and JSON."""

    minsize: int = field(default=2, validator=_size)
    maxsize: int = field(default=4, validator=_size)
    stored: bool = False
    at: str | None = field(default=None, validator=_place)
    boost: float = field(default=1.0, validator=_positive)
    _analyzer: Analyzer = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.minsize > self.maxsize:
            raise SchemaError(f"{self.kind}: minsize {self.minsize} is above maxsize "
                              f"{self.maxsize}")
        object.__setattr__(self, "_analyzer", self._build())

    def _build(self) -> Analyzer:
        """The analyzer of this field type (built once)."""
        raise NotImplementedError

    @property
    def analyzer(self) -> Analyzer:
        return self._analyzer

    def _grams(self) -> NgramFilter | EdgeNgramFilter:
        if self.at == "start":
            return EdgeNgramFilter(self.minsize, self.maxsize)
        return NgramFilter(self.minsize, self.maxsize)

    @property
    def scorable(self) -> bool:
        return True

    def convert(self, name: str, value: Any) -> Any:
        return _check_str(name, value)

    def narrow_terms(self, terms: Sequence[str]) -> list[str]:
        """Required n-grams without those inside a longer one (which it implies).

        A document holding ``petr`` holds ``pe``, ``pet``, ``et``... (with ``at="start"``
        only the leading ones, ``pe`` and ``pet``), so only the longest n-grams of a word
        need to match, as in Whoosh.

        >>> NGRAMWORDS(2, 4).narrow_terms(["pe", "pet", "petr", "et", "etr", "tr"])
        ['petr']
        """
        unique = list(dict.fromkeys(terms))
        kept: list[str] = []
        implies = str.startswith if self.at == "start" else str.__contains__
        for term in sorted(unique, key=len, reverse=True):
            if not any(len(k) > len(term) and implies(k, term) for k in kept):
                kept.append(term)
        chosen = set(kept)
        return [t for t in unique if t in chosen]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "minsize": self.minsize, "maxsize": self.maxsize,
                "stored": self.stored, "at": self.at, "boost": self.boost}


@frozen
class NGRAM(_NgramField):
    """The character n-grams of the whole value, lower-cased (spaces included).

    >>> NGRAM(minsize=2, maxsize=3).analyzer.terms("Oil")
    ['oi', 'oil', 'il']
    """

    kind: ClassVar[str] = "NGRAM"

    def _build(self) -> Analyzer:
        return WholeTokenizer() | LowercaseFilter() | self._grams()


@frozen
class NGRAMWORDS(_NgramField):
    """The character n-grams of each word, after tokenizing and lower-casing.

    >>> NGRAMWORDS(minsize=2, maxsize=3, at="start").analyzer.terms("Oil Prices")
    ['oi', 'oil', 'pr', 'pri']
    """

    kind: ClassVar[str] = "NGRAMWORDS"

    def _build(self) -> Analyzer:
        return RegexTokenizer() | LowercaseFilter() | self._grams()
