"""Search results: the page of hits, the total, and each hit's stored fields."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, overload

from attrs import define, field

from heron.errors import ArgumentError
from heron.highlight import Formatter, Fragmenter
from heron.query import Query, QueryWarning

if TYPE_CHECKING:
    from heron.search._groups import MatchSet
    from heron.search._searcher import Searcher


@define
class Hit(Mapping[str, Any]):
    """One result: its rank (1 = best), score, document number and stored fields.

    A hit is a read-only mapping of the document's stored fields (``hit["title"]``,
    ``hit.get("year")``, ``dict(hit)``); a name that is no field of the schema raises
    :class:`~heron.errors.UnknownFieldError` (a KeyError) with a hint. Stored fields
    are read when first asked for and kept: after the searcher is closed, those
    already read are still given, and the others raise
    :class:`~heron.errors.SearcherClosedError`.
    """

    searcher: Searcher = field(repr=False)
    docnum: int
    score: float
    rank: int
    query: Query = field(repr=False)
    _fields: dict[str, Any] | None = field(default=None, repr=False)
    #: single stored values read before all fields were (None: the document has none)
    _values: dict[str, Any] = field(factory=dict, repr=False, eq=False)
    #: the query's (field, term) pairs the document holds (None: not asked for)
    _matched: list[tuple[str, str]] | None = field(default=None, repr=False, eq=False)

    @property
    def fields(self) -> dict[str, Any]:
        """The stored fields of the document."""
        if self._fields is None:
            self._fields = self.searcher.stored_fields(self.docnum)
            self._values.clear()
        return self._fields

    def _value(self, name: str) -> Any:
        """One stored value (None if the document has none), read once."""
        if name in self._values:
            return self._values[name]
        value = self._values[name] = self.searcher.stored_value(self.docnum, name)
        return value

    def __getitem__(self, name: str) -> Any:
        if self._fields is None:
            value = self._value(name)
            if value is not None:
                return value
        return self.searcher.schema.stored_value(self.fields, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def get(self, name: str, default: Any = None) -> Any:
        """A stored field, or ``default``."""
        if self._fields is None:
            value = self._value(name)
            return default if value is None else value
        return self.fields.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def matched_terms(self) -> list[tuple[str, str]]:
        """The query's (field, term) pairs this hit holds, sorted.

        Raises:
            ArgumentError: the search was not run with ``terms=True``.
        """
        if self._matched is None:
            raise ArgumentError("matched_terms() needs the search to record them: "
                             "search(..., terms=True)")
        return list(self._matched)

    def explain(self) -> str:
        """How the query scored this hit (see :meth:`Searcher.explain`)."""
        return self.searcher.explain(self)

    def highlights(
        self,
        field_name: str,
        top: int = 3,
        *,
        fragmenter: Fragmenter | None = None,
        formatter: Formatter | None = None,
        text: str | None = None,
    ) -> str:
        """The best fragments of a field with the query's matches marked.

        By default up to three fragments of about 200 characters, joined by an
        ellipsis, each match in ``<b class="match termN">`` with the document's text
        HTML-escaped. ``text`` supplies the field's text when it is not stored.

        Raises:
            ArgumentError: the field is not stored and no ``text`` was given.
            UnknownFieldError: no such field.
        """
        return self.searcher.highlight(self, field_name, top=top, fragmenter=fragmenter,
                                       formatter=formatter, text=text)

    def more_like_this(self, limit: int = 10, *, field: str | None = None,
                       numterms: int = 10) -> Results:
        """Documents like this hit (see :meth:`Searcher.more_like`), itself left out."""
        return self.searcher.more_like(self.docnum, field=field, limit=limit,
                                       numterms=numterms)


@define
class Results:
    """A page of hits, best first, and ``total``: how many documents matched in all.

    ``query_warnings`` says what a lenient search dropped or read differently, each
    with its position in the query string.
    """

    query: Query
    total: int
    hits: list[Hit]
    offset: int = 0
    facets: dict[str, dict[Any, int]] = field(factory=dict)
    query_warnings: tuple[QueryWarning, ...] = ()
    #: whether a ``time_limit`` stopped the search early (the hits are then partial)
    timed_out: bool = False
    _matches: MatchSet | None = field(default=None, repr=False, eq=False)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @overload
    def __getitem__(self, index: int) -> Hit: ...
    @overload
    def __getitem__(self, index: slice) -> list[Hit]: ...
    def __getitem__(self, index: int | slice) -> Hit | list[Hit]:
        return self.hits[index]

    def docnums(self) -> list[int]:
        """Document numbers of the hits, best first."""
        return [h.docnum for h in self.hits]

    def scored_length(self) -> int:
        """Number of hits on this page (Whoosh's name)."""
        return len(self.hits)

    def groups(self, name: str, stored: str | None = None) -> dict[Any, list[Any]]:
        """Every matching document (not only this page's) per value of field ``name``.

        Lists hold document numbers, ascending, or with ``stored="id"`` the stored
        values of that field (Whoosh's ``groupedby``). A document with several values
        is in several lists, one without a value in none. Needs the searcher to be open.

        Raises:
            SearcherClosedError: the searcher was closed.
            UnknownFieldError: no such field (also a SchemaError).
            ArgumentError: the field cannot be grouped on (a TEXT field).
        """
        if self._matches is None:
            raise ArgumentError("these results keep no matches to group")
        return self._matches.groups(name, stored)

    def is_empty(self) -> bool:
        """Whether nothing matched."""
        return self.total == 0
