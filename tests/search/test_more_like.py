"""More like this and key terms (heron.search._more_like)."""

from __future__ import annotations

from pathlib import Path

import pytest

import heron

DOCS = [
    ("a", "Petroleum exports rose as petroleum prices fell"),
    ("b", "Crude oil exports and petroleum products"),
    ("c", "Petroleum refineries export crude oil, petroleum"),
    ("d", "Cocoa traders in Zürich buy cocoa"),
    ("e", "Zürich cocoa prices"),
    ("f", "Sugar quota talks"),
]


@pytest.fixture
def index(tmp_path: Path) -> heron.Index:
    """DOCS in two segments; title stored, body not; one document deleted."""
    schema = heron.Schema(id=heron.ID(stored=True, unique=True),
                          title=heron.TEXT(stored=True), body=heron.TEXT())
    ix = heron.create_index(tmp_path / "ix", schema)
    for chunk in (DOCS[:3], DOCS[3:]):
        with ix.writer() as w:
            for key, text in chunk:
                w.add_document(id=key, title=text, body=text)
    with ix.writer() as w:
        w.delete_by_term("id", "f")
    return ix


def ids(results: heron.Results) -> list[str]:
    return [hit["id"] for hit in results]


@pytest.mark.parametrize("field", ["title", "body"])  # stored, and not stored
def test_more_like_a_document(index: heron.Index, field: str) -> None:
    with index.searcher() as s:
        found = s.more_like(id="a", field=field, limit=3)
        assert "a" not in ids(found)
        assert set(ids(found)[:2]) == {"b", "c"}
        assert found.total == len(found.hits)
        assert [h.rank for h in found] == list(range(1, len(found) + 1))
        like_d = s.more_like(id="d", field=field)
        assert ids(like_d)[0] == "e"


def test_more_like_text_and_hit(index: heron.Index) -> None:
    with index.searcher() as s:
        assert ids(s.more_like(text="zürich cocoa", field="body"))[:2] in (["d", "e"],
                                                                           ["e", "d"])
        hit = s.search("title:cocoa")[0]
        assert hit["id"] not in ids(hit.more_like_this(limit=5))
        with pytest.raises(ValueError, match="one of them"):
            s.more_like()
        with pytest.raises(ValueError, match="no document"):
            s.more_like(id="nope")
        assert len(s.more_like(text="nothing like it", field="body")) == 0


def test_more_like_after_merge(index: heron.Index) -> None:
    index.optimize()
    with index.searcher() as s:
        found = ids(s.more_like(id="a", field="body", limit=3))
        assert found[0] == "c"
        assert "b" in found
        assert "a" not in found


def test_key_terms(index: heron.Index) -> None:
    with index.searcher() as s:
        terms = s.key_terms(["d", "e"], "body", numterms=3)
        assert terms[0][0] == "cocoa"
        assert [w for w, _ in terms] == [w for w, _ in s.key_terms(["d", "e"], "title", 3)]
        assert all(score > 0 for _, score in terms)
        words = [w for w, _ in s.key_terms(["a"], "title", numterms=10)]
        assert "petroleum" in words
        assert "exports" in words
