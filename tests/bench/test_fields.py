"""What heron bench indexes: fields inferred from JSON lines, documents normalized."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from heron.bench import Field, infer_fields, normalize, read_jsonl, text_megabytes


def test_infer_fields_by_value_type() -> None:
    docs = [{"doc_id": 7, "title": "A", "body": None, "tags": ["x", "y"], "n": 1.5,
             "meta": {"a": 1}},
            {"doc_id": 8, "title": "B", "body": "words", "tags": [], "flag": True}]
    assert infer_fields(docs) == [Field("doc_id", "id"), Field("title", "text"),
                                  Field("body", "text"), Field("tags", "keyword")]


def test_a_mixed_field_is_left_out_and_no_id_is_fine() -> None:
    docs = [{"id": "a", "x": "text"}, {"id": ["b"], "x": 3}]
    assert infer_fields(docs) == []


def test_normalize_for_each_engine_form() -> None:
    fields = [Field("id", "id"), Field("title", "text"), Field("tags", "keyword")]
    docs = [{"id": 3, "title": None, "tags": ["a", "b"], "other": "dropped"}]
    assert normalize(docs, fields, keywords_as_list=False) == [
        {"id": "3", "title": "", "tags": "a,b"}]
    assert normalize(docs, fields, keywords_as_list=True) == [
        {"id": "3", "title": "", "tags": ["a", "b"]}]
    assert text_megabytes([{"title": "x" * 500_000}], fields) == 0.5


def test_read_jsonl_plain_gzipped_limited_and_damaged(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps({"n": n}) for n in range(5)) + "\n\n"
    (tmp_path / "a.jsonl").write_text(lines, encoding="utf-8")
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    assert [doc["n"] for doc in read_jsonl(tmp_path / "a.jsonl")] == [0, 1, 2, 3, 4]
    assert [doc["n"] for doc in read_jsonl(tmp_path / "a.jsonl.gz", limit=2)] == [0, 1]
    (tmp_path / "b.jsonl").write_text('{"n": 1}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"b\.jsonl:2: a JSON object"):
        list(read_jsonl(tmp_path / "b.jsonl"))
