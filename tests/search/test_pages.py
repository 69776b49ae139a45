"""Pages of results: Searcher.search_page and ResultsPage."""

from __future__ import annotations

import pytest

import heron


def ids(hits: object) -> list[str]:
    return [h["id"] for h in hits]  # type: ignore[attr-defined]


def test_pages_slice_the_full_ranking(searcher: heron.Searcher) -> None:
    full = ids(searcher.search("cocoa OR sugar OR oil", limit=None))
    assert len(full) == 8  # d2 is deleted
    pages = [searcher.search_page("cocoa OR sugar OR oil", n, pagelen=3) for n in (1, 2, 3)]
    assert [ids(p) for p in pages] == [full[0:3], full[3:6], full[6:8]]
    last = pages[2]
    assert (last.pagenum, last.pagecount, last.total, last.offset, last.pagelen) == (3, 3, 8, 6, 3)
    assert len(last) == 2  # the last page is short
    assert last.is_last_page()
    assert not pages[0].is_last_page()
    assert [h.rank for h in pages[1]] == [4, 5, 6]
    assert pages[1][0]["id"] == full[3]


def test_page_past_the_end_is_the_last_page(searcher: heron.Searcher) -> None:
    page = searcher.search_page("cocoa", 9, pagelen=2)
    assert (page.pagenum, page.pagecount, page.total) == (2, 2, 4)
    assert ids(page) == ids(searcher.search("cocoa", limit=None))[2:]


def test_empty_results_have_one_empty_page(searcher: heron.Searcher) -> None:
    page = searcher.search_page("absent", 2)
    assert (page.pagenum, page.pagecount, page.total, len(page)) == (1, 1, 0, 0)


def test_page_keywords_pass_through(searcher: heron.Searcher) -> None:
    page = searcher.search_page("cocoa OR sugar", 1, pagelen=2, sort_by="-words", facets="topics")
    assert ids(page) == ["d8", "d6"]
    assert page.results.facets["topics"]["cocoa"] == 4


@pytest.mark.parametrize(("pagenum", "pagelen"), [(0, 10), (1, 0), (-1, 5)])
def test_bad_page_arguments(searcher: heron.Searcher, pagenum: int, pagelen: int) -> None:
    with pytest.raises(heron.ArgumentError) as info:
        searcher.search_page("cocoa", pagenum, pagelen=pagelen)
    assert isinstance(info.value, ValueError)
