"""Shared fixtures: small schemas and documents, and the shared data collections."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

import heron

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def news_schema() -> heron.Schema:
    return heron.Schema(
        id=heron.ID(stored=True, unique=True),
        title=heron.TEXT(stored=True, boost=2.0),
        body=heron.TEXT(stored=True),
        tags=heron.KEYWORD(stored=True, commas=True),
        year=heron.NUMERIC(stored=True, sortable=True),
        published=heron.DATETIME(stored=True),
        draft=heron.BOOLEAN(stored=True),
        url=heron.STORED(),
    )


@pytest.fixture
def sample_docs() -> list[dict[str, Any]]:
    return [
        {"id": "a1", "title": "Smuggling tunnels under Gaza", "tags": "gaza,sinai",
         "body": "Egypt flooded the smuggling tunnels along the border with Gaza.",
         "year": 2015, "published": dt.datetime(2015, 9, 18, 10, 30), "draft": False,
         "url": "https://example.org/a1"},
        {"id": "a2", "title": "Hamas and ISIS", "tags": "gaza,isis",
         "body": "Officials said Hamas fighters crossed into Sinai through a tunnel.",
         "year": 2017, "published": dt.datetime(2017, 1, 5, tzinfo=dt.UTC), "draft": True},
        {"id": "a3", "title": "Café in Zürich — naïve coöperation",
         "body": "Ünïcödé text: 東京 and Москва and العربية, a tunnel of words.",
         "tags": "misc", "year": 1999, "url": {"nested": [1, 2.5, "x"]}},
        {"id": "a4", "title": "Markets", "body": "Grain prices rose; wheat and corn exports fell.",
         "tags": "grain,wheat", "year": 1987},
    ]


def load_news(limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of the Reuters-21578 collection, skipping the test if it is absent."""
    path = DATA / "news" / "reuters21578.jsonl.gz"
    if not path.exists():
        pytest.skip(f"the news collection is not here ({path}); it ships only in shared/data")
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    return rows
