"""A field name the schema lacks raises UnknownFieldError wherever it is given, with a hint.

The error is also a SchemaError (what it was) and a KeyError (so ``hit.get()`` and
mappings treat it as a missing key); in a query string it is also a QueryError with the
position of the name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

import heron
from heron.query import NumericRange, Prefix, Term

ACTIONS: dict[str, tuple[str, Callable[[heron.Searcher], Any]]] = {
    "query object": ("titel", lambda s: s.search(Term("titel", "cocoa"))),
    "prefix object": ("titel", lambda s: s.search(Prefix("titel", "coc"))),
    "range object": ("wrds", lambda s: s.search(NumericRange("wrds", 1, 9))),
    "sort_by": ("wrds", lambda s: s.search("cocoa", sort_by="-wrds")),
    "facets": ("topix", lambda s: s.search("cocoa", facets=["topix"])),
    "range facet": ("wrds", lambda s: s.search(
        "cocoa", facets=[heron.facets.Range("wrds", 0, 1000, 100)])),
    "collapse": ("plase", lambda s: s.search("cocoa", collapse="plase")),
    "groups": ("plase", lambda s: s.search("cocoa").groups("plase")),
    "groups stored": ("titel", lambda s: s.search("cocoa").groups("place", stored="titel")),
    "suggest": ("titel", lambda s: s.suggest("titel", "cocao")),
    "complete": ("titel", lambda s: s.complete("titel", "coc")),
    "more_like": ("titel", lambda s: s.more_like(text="cocoa sugar", field="titel")),
    "key_terms": ("titel", lambda s: s.key_terms(["d1"], "titel")),
    "document": ("idd", lambda s: s.document(idd="d1")),
    "highlights": ("titel", lambda s: s.search("cocoa")[0].highlights("titel")),
    "hit[...]": ("titel", lambda s: s.search("cocoa")[0]["titel"]),
}


@pytest.mark.parametrize("where", sorted(ACTIONS))
def test_unknown_field_everywhere(searcher: heron.Searcher, where: str) -> None:
    name, action = ACTIONS[where]
    with pytest.raises(heron.UnknownFieldError) as info:
        action(searcher)
    err = info.value
    assert isinstance(err, heron.SchemaError)
    assert isinstance(err, KeyError)
    assert err.name == name
    assert err.hint is not None
    assert err.hint in searcher.schema
    assert err.fields == tuple(searcher.schema.names())
    assert f"did you mean {err.hint!r}?" in str(err)


@pytest.mark.parametrize(("text", "position"), [("titel:cocoa", 0), ("cocoa AND titel:oil", 10)])
def test_unknown_field_in_query_text(searcher: heron.Searcher, text: str, position: int) -> None:
    for run in (lambda: searcher.search(text), lambda: searcher.search("cocoa", filter=text)):
        with pytest.raises(heron.UnknownQueryFieldError) as info:
            run()
        assert isinstance(info.value, heron.UnknownFieldError)
        assert isinstance(info.value, heron.QueryError)
        assert (info.value.name, info.value.hint) == ("titel", "title")
        assert info.value.position == position
    with pytest.raises(heron.UnknownQueryFieldError) as info:
        searcher.search("cocoa", fields=["titel"])
    assert info.value.position is None
    lenient = searcher.search("titel:cocoa", lenient=True)  # a search box never raises
    assert lenient.query_warnings


def test_unknown_field_when_writing(app_index: heron.Index) -> None:
    with app_index.writer() as w:
        with pytest.raises(heron.UnknownFieldError) as info:
            w.add_document(id="x1", titel="Cocoa")
        assert info.value.hint == "title"
        with pytest.raises(heron.UnknownFieldError):
            w.delete_by_term("idd", "d1")
        with pytest.raises(heron.UnknownQueryFieldError):
            w.delete_by_query("titel:cocoa")
    with app_index.searcher() as s:
        assert s.document(id="x1") is None
        assert s.doc_count() == 9


def test_a_hit_is_a_mapping_of_stored_fields(searcher: heron.Searcher) -> None:
    hit = searcher.search("zürich")[0]
    assert isinstance(hit, Mapping)
    stored = searcher.stored_fields(hit.docnum)
    assert dict(hit) == stored
    assert len(hit) == len(stored)
    assert sorted(hit) == sorted(stored)
    assert hit.get("titel") is None
    assert hit.get("titel", "none") == "none"
    assert "titel" not in hit
    with pytest.raises(KeyError) as info:  # a field of the schema that is not stored
        hit["body"]
    assert not isinstance(info.value, heron.UnknownFieldError)
