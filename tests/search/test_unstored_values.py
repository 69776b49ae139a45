"""Typed fields that are not stored give their values to facets, groups, sorting and
collapsing exactly as stored ones do (their column, not their per-document terms)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import heron

DOCS: list[dict[str, Any]] = [
    {"id": f"d{i}", "body": "cocoa", "n": (i * 7) % 5 - 2, "x": (i % 3) / 2,
     "flag": i % 2 == 0, "when": dt.datetime(1987, 1 + i % 4, 1)}
    for i in range(12)
]
TYPED = ("n", "x", "flag", "when")


def build(path: Path, stored: bool) -> heron.Index:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(),
                          n=heron.NUMERIC(stored=stored),
                          x=heron.NUMERIC(numtype="float", stored=stored),
                          flag=heron.BOOLEAN(stored=stored), when=heron.DATETIME(stored=stored))
    ix = heron.create_index(path, schema)
    for chunk in (DOCS[:5], DOCS[5:]):
        with ix.writer(merge=False) as w:
            for doc in chunk:
                w.add_document(**doc)
    return heron.open_index(path)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[heron.Index, heron.Index]:
    base = tmp_path_factory.mktemp("unstored")
    return build(base / "stored", True), build(base / "unstored", False)


def expected_counts(name: str) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    for doc in DOCS:
        counts[doc[name]] = counts.get(doc[name], 0) + 1
    return counts


@pytest.mark.parametrize("name", TYPED)
def test_facets_count_values(pair: tuple[heron.Index, heron.Index], name: str) -> None:
    for ix in pair:
        with ix.searcher() as s:
            assert s.search("cocoa", facets=name).facets[name] == expected_counts(name)


@pytest.mark.parametrize("name", TYPED)
def test_groups_key_on_values(pair: tuple[heron.Index, heron.Index], name: str) -> None:
    for ix in pair:
        with ix.searcher() as s:
            groups = s.search("cocoa").groups(name, stored="id")
            want: dict[Any, list[str]] = {}
            for doc in DOCS:
                want.setdefault(doc[name], []).append(doc["id"])
            assert {k: sorted(v) for k, v in groups.items()} == {
                k: sorted(v) for k, v in want.items()}


@pytest.mark.parametrize("name", TYPED)
def test_sorting_and_collapsing_agree(pair: tuple[heron.Index, heron.Index], name: str
                                     ) -> None:
    stored, unstored = pair
    with stored.searcher() as a, unstored.searcher() as b:
        for spec in (name, f"-{name}"):
            ids_a = [h["id"] for h in a.search("cocoa", limit=None, sort_by=[spec, "id"])]
            ids_b = [h["id"] for h in b.search("cocoa", limit=None, sort_by=[spec, "id"])]
            assert ids_a == ids_b
            values = [next(d[name] for d in DOCS if d["id"] == i) for i in ids_a]
            assert values == sorted(values, reverse=spec.startswith("-"))
        kept_a = [h["id"] for h in a.search("cocoa", limit=None, collapse=name)]
        kept_b = [h["id"] for h in b.search("cocoa", limit=None, collapse=name)]
        assert kept_a == kept_b
        assert len(kept_a) == len(expected_counts(name))
