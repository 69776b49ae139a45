"""A small news index over three segments, with a deleted document and unicode values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import heron

DOCS: list[dict[str, Any]] = [
    {"id": "d1", "title": "Cocoa prices rise", "body": "cocoa cocoa sugar",
     "place": ["ghana"], "topics": ["cocoa"], "words": 120,
     "date": dt.datetime(1987, 2, 26, 15, 1)},
    {"id": "d2", "title": "Oil prices fall", "body": "oil prices fall sharply",
     "place": ["usa"], "topics": ["crude"], "words": 40, "date": dt.datetime(1987, 3, 2, 9)},
    {"id": "d3", "title": "Sugar and cocoa exports", "body": "sugar cocoa exports",
     "place": ["ghana", "ivory coast"], "topics": ["cocoa", "sugar"], "words": 260,
     "date": dt.datetime(1987, 3, 2, 17, 30)},
    {"id": "d4", "title": "Grain report", "body": "wheat corn", "words": 10,
     "date": dt.datetime(1988, 1, 1)},
    {"id": "d5", "title": "Oil output", "body": "oil oil oil prices",
     "place": ["usa"], "topics": ["crude"], "words": 75, "date": dt.datetime(1987, 3, 20)},
    {"id": "d6", "title": "Cocoa talks", "body": "cocoa", "place": ["ghana"],
     "topics": ["cocoa"], "words": 999, "date": dt.datetime(1987, 4, 1)},
    {"id": "d7", "title": "Petroleum prices", "body": "oil prices petroleum",
     "topics": ["crude"], "words": 55, "date": dt.datetime(1987, 4, 1, 23, 59)},
    {"id": "d8", "title": "Sugar quota", "body": "sugar sugar quota",
     "place": ["zürich"], "topics": ["sugar"], "words": 1500},
    {"id": "d9", "title": "Zürich cocoa traders", "body": "cocoa traders in zürich",
     "place": ["zürich"], "topics": ["cocoa"], "words": 300,
     "date": dt.datetime(1987, 2, 27)},
    {"id": "d10", "title": "Oil and sugar", "body": "oil sugar", "place": ["usa"],
     "topics": ["crude", "sugar"], "words": -5, "date": dt.datetime(1987, 2, 1)},
]

#: the document deleted after the last segment is written
DELETED = "d2"


def app_schema() -> heron.Schema:
    return heron.Schema(
        id=heron.ID(stored=True, unique=True),
        title=heron.TEXT(stored=True),
        body=heron.TEXT(),
        place=heron.KEYWORD(stored=True, commas=True),
        topics=heron.KEYWORD(stored=True, commas=True),
        words=heron.NUMERIC(stored=True),
        date=heron.DATETIME(stored=True),
    )


@pytest.fixture
def app_index(tmp_path: Path) -> heron.Index:
    """DOCS in three segments (4, 4, 2 documents); d2 deleted."""
    ix = heron.create_index(tmp_path / "ix", app_schema())
    for chunk in (DOCS[:4], DOCS[4:8], DOCS[8:]):
        with ix.writer(merge=False) as w:
            for doc in chunk:
                w.add_document(**doc)
    with ix.writer(merge=False) as w:
        w.delete_by_term("id", DELETED)
    return ix


@pytest.fixture
def searcher(app_index: heron.Index) -> Iterator[heron.Searcher]:
    with app_index.searcher() as s:
        assert len(s.reader.segments) == 3
        yield s


def live_docs() -> list[dict[str, Any]]:
    return [d for d in DOCS if d["id"] != DELETED]
