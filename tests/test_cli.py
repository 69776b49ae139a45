"""Tests for the ``heron`` command (heron.cli)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import heron
from heron.cli import main

needs_core = pytest.mark.skipif(
    not hasattr(heron, "create_index"), reason="heron's index API has not landed yet"
)

DOCS = [
    {"id": "a", "title": "Tunnels under the city", "body": "The tunnels were dug by hand."},
    {"id": "b", "title": "Bridges", "body": "A bridge crosses the river near the tunnels."},
    {"id": "c", "title": "Rivers", "body": "Rivers flow to the sea."},
]


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(doc) + "\n" for doc in DOCS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def index(tmp_path: Path, jsonl: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "ix"
    assert main(["index", str(path), "--jsonl", str(jsonl)]) == 0
    assert "indexed 3 documents" in capsys.readouterr().out
    return path


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("heron: error: ")
    return err


@needs_core
def test_search_prints_rank_score_and_id_title(
    index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", str(index), "tunnels"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2 hits for 'tunnels'")
    hits = lines[1:]
    assert len(hits) == 2
    assert hits[0].split()[0] == "1"
    assert float(hits[0].split()[1]) >= float(hits[1].split()[1]) > 0
    assert "id=a" in hits[0]
    assert "title=Tunnels under the city" in hits[0]
    assert {"id=a", "id=b"} == {h.split()[2] for h in hits}


@needs_core
def test_search_limit_and_fields(index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", str(index), "tunnels", "--limit", "1", "--fields", "body"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2 hits for 'tunnels', showing 1")
    assert len(lines) == 2
    assert "body=" in lines[1]
    assert "id=" not in lines[1]


@needs_core
def test_search_unknown_field_fails(index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", str(index), "tunnels", "--fields", "nope"]) == 1
    assert "nope" in error_line(capsys)


@needs_core
def test_info_prints_count_and_schema(index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(index)]) == 0
    out = capsys.readouterr().out
    assert "documents: 3" in out
    schema = heron.Schema.from_json(out.split("schema:\n", 1)[1])
    assert schema.names() == ["id", "title", "body"]
    assert schema.unique_field() == "id"
    assert schema.stored_names() == ["id", "title", "body"]


@needs_core
def test_index_with_schema_file(
    tmp_path: Path, jsonl: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = heron.Schema(
        id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True), body=heron.TEXT()
    )
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(schema.to_json(), encoding="utf-8")
    path = tmp_path / "ix2"
    assert main(["index", str(path), "--jsonl", str(jsonl), "--schema", str(schema_file)]) == 0
    capsys.readouterr()
    assert main(["search", str(path), "river"]) == 0
    out = capsys.readouterr().out
    assert "id=" in out
    assert "title=" in out


@needs_core
def test_index_refuses_to_overwrite_without_flag(
    index: Path, jsonl: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["index", str(index), "--jsonl", str(jsonl)]) == 1
    assert "--overwrite" in error_line(capsys)
    assert main(["index", str(index), "--jsonl", str(jsonl), "--overwrite"]) == 0


@needs_core
def test_missing_index_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(tmp_path / "missing")]) == 1
    error_line(capsys)
    assert main(["search", str(tmp_path / "missing"), "x"]) == 1
    error_line(capsys)


def test_bad_jsonl_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "body": "ok"}\n{not json\n', encoding="utf-8")
    assert main(["index", str(tmp_path / "ix"), "--jsonl", str(bad)]) == 1
    assert "line 2" in error_line(capsys)
    bad.write_text('["a list"]\n', encoding="utf-8")
    assert main(["index", str(tmp_path / "ix"), "--jsonl", str(bad)]) == 1
    assert "line 1" in error_line(capsys)
    assert not (tmp_path / "ix").exists()


@needs_core
def test_documents_are_checked_before_the_index_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "body": "ok"}\n{"id": "b", "year": 1999}\n', encoding="utf-8")
    path = tmp_path / "ix"
    assert main(["index", str(path), "--jsonl", str(bad)]) == 1
    err = error_line(capsys)
    assert "line 2" in err
    assert "year" in err
    assert not path.exists()
    assert main(["info", str(path)]) == 1
    error_line(capsys)


def test_missing_jsonl_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", str(tmp_path / "ix"), "--jsonl", str(tmp_path / "nope.jsonl")]) == 1
    error_line(capsys)


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["search"], ["search", "ix", "q", "--limit", "0"], ["frobnicate"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    capsys.readouterr()
