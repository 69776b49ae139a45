"""Pages of results: page ``n`` of ``pagelen`` hits, as Whoosh's ``search_page``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import overload

from attrs import frozen

from heron.errors import ArgumentError, ArgumentTypeError
from heron.search._results import Hit, Results


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(f"{name} is an int, got {value!r}")
    if value < 1:
        raise ArgumentError(f"{name} must be at least 1, got {value}")
    return value


@frozen
class ResultsPage:
    """One page of results: ``pagenum`` (from 1) of ``pagecount``, ``pagelen`` hits each.

    Iterating gives the page's hits (the last page may be short); ``total`` counts every
    match and ``offset`` is how many hits come before this page.
    """

    results: Results
    pagenum: int
    pagelen: int

    @property
    def total(self) -> int:
        """How many documents matched in all."""
        return self.results.total

    @property
    def pagecount(self) -> int:
        """How many pages the matches fill (at least 1)."""
        return max(1, -(-self.total // self.pagelen))

    @property
    def offset(self) -> int:
        """How many hits come before this page."""
        return (self.pagenum - 1) * self.pagelen

    def is_last_page(self) -> bool:
        """Whether no page follows this one."""
        return self.pagenum >= self.pagecount

    def scored_length(self) -> int:
        """Number of hits on this page (Whoosh's name)."""
        return len(self.results)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @overload
    def __getitem__(self, index: int) -> Hit: ...
    @overload
    def __getitem__(self, index: slice) -> list[Hit]: ...
    def __getitem__(self, index: int | slice) -> Hit | list[Hit]:
        return self.results[index]


def page_of(search: Callable[[int, int], Results], pagenum: int, pagelen: int) -> ResultsPage:
    """Page ``pagenum`` from ``search(limit, offset)``; past the end, the last page.

    Raises:
        ArgumentError: ``pagenum`` or ``pagelen`` is below 1 (ArgumentTypeError: not an int).
    """
    pagenum = _positive_int("pagenum", pagenum)
    pagelen = _positive_int("pagelen", pagelen)
    results = search(pagelen, (pagenum - 1) * pagelen)
    last = max(1, -(-results.total // pagelen))
    if pagenum > last:
        pagenum = last
        results = search(pagelen, (pagenum - 1) * pagelen)
    return ResultsPage(results, pagenum, pagelen)
