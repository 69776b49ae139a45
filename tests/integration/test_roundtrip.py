"""End to end: index, close, reopen in a new process, search, read stored fields back."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import heron

CHILD = """
import json, sys, heron
ix = heron.open_index(sys.argv[1])
out = {"count": ix.doc_count(), "schema": ix.schema.to_json()}
with ix.searcher() as s:
    res = s.search(sys.argv[2], limit=10)
    out["total"] = res.total
    out["hits"] = [[h.rank, h.score, h.fields["id"]] for h in res]
    out["docs"] = {h["id"]: {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                            for k, v in h.fields.items()}
                   for h in s.search(sys.argv[3], limit=None)}
print(json.dumps(out))
"""


def test_reopen_in_new_process(tmp_path: Path, news_schema: heron.Schema,
                               sample_docs: list[dict[str, Any]]) -> None:
    path = tmp_path / "ix"
    ix = heron.create_index(path, news_schema)
    with ix.writer() as w:
        for doc in sample_docs[:2]:
            w.add_document(**doc)
        w.add_documents(sample_docs[2:])
    del ix
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), "tunnels", "tunnel text grain"],
                          capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout)
    assert out["count"] == 4
    assert heron.Schema.from_json(out["schema"]) == news_schema
    assert out["total"] == 3  # a1 (tunnels), a2 (tunnel), a3 (tunnel)
    assert [h[0] for h in out["hits"]] == [1, 2, 3]
    scores = [h[1] for h in out["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert out["hits"][0][2] == "a1"  # title and body both match, title boosted
    docs = out["docs"]
    a1 = dict(sample_docs[0])
    a1["published"] = a1["published"].isoformat()
    assert docs["a1"] == a1
    a3 = docs["a3"]
    assert a3["title"] == "Café in Zürich — naïve coöperation"
    assert a3["body"] == sample_docs[2]["body"]
    assert a3["url"] == {"nested": [1, 2.5, "x"]}
    assert docs["a2"]["published"] == "2017-01-05T00:00:00+00:00"


def test_stored_values_come_back_typed(tmp_path: Path, news_schema: heron.Schema,
                                       sample_docs: list[dict[str, Any]]) -> None:
    ix = heron.create_index(tmp_path / "ix", news_schema)
    with ix.writer() as w:
        w.add_documents(sample_docs)
    ix = heron.open_index(tmp_path / "ix")
    with ix.searcher() as s:
        hit = s.search("egypt")[0]
        assert hit["id"] == "a1"
        assert hit["published"] == dt.datetime(2015, 9, 18, 10, 30)
        assert hit["draft"] is False
        assert hit["year"] == 2015
        assert hit.fields == {**sample_docs[0]}
        assert s.search("hamas")[0]["published"].tzinfo is not None


def test_unicode_search(tmp_path: Path, news_schema: heron.Schema,
                        sample_docs: list[dict[str, Any]]) -> None:
    ix = heron.create_index(tmp_path / "ix", news_schema)
    with ix.writer() as w:
        w.add_documents(sample_docs)
    with ix.searcher() as s:
        assert [h["id"] for h in s.search("москва")] == ["a3"]
        assert [h["id"] for h in s.search("zürich")] == ["a3"]
        assert [h["id"] for h in s.search("東京")] == ["a3"]
        assert [h["id"] for h in s.search("tags:isis")] == ["a2"]
        assert [h["id"] for h in s.search("year:1987")] == ["a4"]
        assert [h["id"] for h in s.search("draft:true")] == ["a2"]
        assert [h["id"] for h in s.search("gaza", fields=["body"])] == ["a1"]
