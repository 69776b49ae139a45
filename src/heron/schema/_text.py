"""Text field types: analysed TEXT, whole KEYWORDs and IDs."""

from __future__ import annotations

from typing import Any, ClassVar

from attrs import field, frozen

from heron.analysis import (
    Analyzer,
    IDAnalyzer,
    KeywordAnalyzer,
    StandardAnalyzer,
)
from heron.errors import SchemaError
from heron.schema._field import (
    FieldType,
    _check_str,
    _no_text_sorting,
    _positive,
)


@frozen
class TEXT(FieldType):
    """Analysed text, searchable by words and phrases, scored with BM25.

    >>> TEXT(stored=True).convert("body", "Tunnels under Rafah")
    'Tunnels under Rafah'
    """

    kind: ClassVar[str] = "TEXT"
    analyzer_: Analyzer = field(factory=StandardAnalyzer, alias="analyzer")
    stored: bool = False
    boost: float = field(default=1.0, validator=_positive)
    phrase: bool = True
    sortable: bool = field(default=False, validator=_no_text_sorting)

    @property
    def analyzer(self) -> Analyzer:
        return self.analyzer_

    @property
    def scorable(self) -> bool:
        return True

    @property
    def positions(self) -> bool:
        return self.phrase

    def convert(self, name: str, value: Any) -> Any:
        return _check_str(name, value)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind, "analyzer": self.analyzer_.to_json(), "stored": self.stored,
            "boost": self.boost, "phrase": self.phrase, "sortable": self.sortable,
        }


@frozen
class KEYWORD(FieldType):
    """Whole keywords separated by commas or spaces (tags); a list of strings also works.

    >>> KEYWORD(commas=True).convert("tags", ["gaza", "sinai"])
    'gaza,sinai'
    """

    kind: ClassVar[str] = "KEYWORD"
    term_keyed: ClassVar[bool] = True
    stored: bool = False
    commas: bool = False
    lowercase: bool = False
    scorable_: bool = field(default=False, alias="scorable")
    unique_: bool = field(default=False, alias="unique")
    boost: float = field(default=1.0, validator=_positive)
    sortable: bool = False

    @property
    def analyzer(self) -> Analyzer:
        return KeywordAnalyzer(commas=self.commas, lowercase=self.lowercase)

    @property
    def scorable(self) -> bool:
        return self.scorable_

    @property
    def unique(self) -> bool:
        return self.unique_

    def convert(self, name: str, value: Any) -> Any:
        if isinstance(value, list | tuple):
            sep = "," if self.commas else " "
            for item in value:
                _check_str(name, item, "a string or a list of strings")
                if sep in item or (not self.commas and any(c.isspace() for c in item)):
                    raise SchemaError(
                        f"field {name!r}: keyword {item!r} contains the separator {sep!r}"
                    )
            return sep.join(value)
        return _check_str(name, value, "a string or a list of strings")

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind, "stored": self.stored, "commas": self.commas,
            "lowercase": self.lowercase, "scorable": self.scorable_, "unique": self.unique_,
            "boost": self.boost, "sortable": self.sortable,
        }


@frozen
class ID(FieldType):
    """The whole value as one term: identifiers, paths, URLs.

    >>> ID(unique=True).convert("id", "a1")
    'a1'
    """

    kind: ClassVar[str] = "ID"
    term_keyed: ClassVar[bool] = True
    stored: bool = False
    unique_: bool = field(default=False, alias="unique")
    lowercase: bool = False
    boost: float = field(default=1.0, validator=_positive)
    sortable: bool = False

    @property
    def analyzer(self) -> Analyzer:
        return IDAnalyzer(lowercase=self.lowercase)

    @property
    def unique(self) -> bool:
        return self.unique_

    @property
    def value_is_term(self) -> bool:
        return not self.lowercase

    def convert(self, name: str, value: Any) -> Any:
        return _check_str(name, value)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind, "stored": self.stored, "unique": self.unique_,
            "lowercase": self.lowercase, "boost": self.boost, "sortable": self.sortable,
        }
