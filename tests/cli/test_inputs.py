"""Reading documents (heron/cli/_inputs.py) and inferring a schema (heron/cli/_infer.py)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

import heron
from heron.cli._infer import describe_schema, infer_schema
from heron.cli._inputs import Documents, check_sources, html_text, is_table, total_bytes


def test_json_lines_plain_gzip_and_stdin(tmp_path: Path) -> None:
    plain = tmp_path / "a.jsonl"
    plain.write_text('{"id": "1"}\n\n{"id": "2"}\n', encoding="utf-8")
    packed = tmp_path / "b.ndjson.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as f:
        f.write('{"id": "3"}\n')
    stdin = io.BytesIO(b'{"id": "4"}\n')
    docs = Documents([str(plain), str(packed), "-"], stdin=stdin)
    seen = [(doc["id"], docs.where) for doc in docs]
    assert seen == [("1", f"{plain}:1"), ("2", f"{plain}:3"), ("3", f"{packed}:1"),
                    ("4", "<stdin>:1")]
    assert docs.count == 4
    assert docs.bytes_read == plain.stat().st_size + packed.stat().st_size + 12
    assert total_bytes([str(plain), str(packed)]) == docs.bytes_read - 12
    assert total_bytes([str(plain), "-"]) is None


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        (b'{"a": 1}\n{"a": \n', ":2", "not valid JSON"),
        (b"[1, 2]\n", ":1", "must be a JSON object, not list"),
        (b'{"a": "\xff"}\n', ":1", "not UTF-8"),
    ],
)
def test_malformed_json_lines(tmp_path: Path, text: bytes, where: str, what: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(text)
    with pytest.raises(heron.InputError, match=what) as caught:
        list(Documents([str(path)]))
    assert f"{path}{where}" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_damaged_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(heron.InputError, match="cannot be read"):
        list(Documents([str(path)]))


def test_csv_and_tsv(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,title\n1,"a, quoted\nvalue"\n\n2,\n', encoding="utf-8")
    docs = Documents([str(path)])
    rows = [(d, docs.where) for d in docs]
    assert rows == [({"id": "1", "title": "a, quoted\nvalue"}, f"{path}:3"),
                    ({"id": "2"}, f"{path}:5")]
    assert is_table(str(path))
    assert not is_table("-")
    tsv = tmp_path / "t.tsv.gz"
    with gzip.open(tsv, "wt", encoding="utf-8") as f:
        f.write("id\tn\nx\t7\n")
    assert list(Documents([str(tsv)])) == [{"id": "x", "n": "7"}]
    bad = tmp_path / "h.csv"
    bad.write_text("id,id\n1,2\n", encoding="utf-8")
    with pytest.raises(heron.InputError, match=r"h\.csv:1: the header"):
        list(Documents([str(bad)]))


def test_sources_are_checked_first(tmp_path: Path) -> None:
    with pytest.raises(heron.InputError, match="no such file"):
        check_sources([str(tmp_path / "none.jsonl")])
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(heron.InputError, match="unknown kind"):
        check_sources([str(tmp_path / "x.pdf")])
    with pytest.raises(heron.InputError, match="only once"):
        check_sources(["-", "-"])
    check_sources([str(tmp_path), "-"])


def test_html_text() -> None:
    title, text = html_text("<title> A &amp; B </title><style>p{}</style><p>one</p><p>two "
                            "<i>three</i></p>")
    assert title == "A & B"
    assert text == "one\ntwo three"


def test_infer_schema_types() -> None:
    docs = [{"id": f"d{i}", "title": f"title {i}", "tags": ["a", "b"], "n": i,
             "x": i + 0.5, "flag": i % 2 == 0, "when": f"2020-01-{i % 28 + 1:02d}",
             "meta": {"k": i}, "mixed": i if i % 2 else "s", "lang": ["en", "fr"][i % 2],
             "empty": None}
            for i in range(40)]
    schema = infer_schema(docs)
    kinds = {name: schema[name].kind for name in schema.names()}
    assert kinds == {"id": "ID", "title": "TEXT", "tags": "KEYWORD", "n": "NUMERIC",
                     "x": "NUMERIC", "flag": "BOOLEAN", "when": "DATETIME", "meta": "STORED",
                     "mixed": "STORED", "lang": "KEYWORD", "empty": "STORED"}
    assert schema.unique_field() == "id"
    assert schema["x"].numtype == "float"
    assert all(schema[n].stored for n in schema.names())
    for doc in docs:
        schema.validate(doc)  # every document the schema was inferred from fits it
    assert describe_schema(schema).startswith("id ID unique, title TEXT, tags KEYWORD")


def test_infer_from_text_values() -> None:
    rows = [{"key": str(i), "count": str(i), "price": f"{i}.5", "ok": "true", "name": "x y"}
            for i in range(5)]
    schema = infer_schema(rows, from_text=True)
    kinds = {name: schema[name].kind for name in schema.names()}
    assert kinds == {"key": "ID", "count": "NUMERIC", "price": "NUMERIC", "ok": "BOOLEAN",
                     "name": "TEXT"}
    assert infer_schema(rows)["count"].kind == "TEXT"  # JSON text stays text
    with pytest.raises(heron.InputError, match="--schema"):
        infer_schema([])


def test_integer_ids_are_a_unique_number() -> None:
    schema = infer_schema([{"id": 1, "body": "a"}, {"id": 2, "body": "b"}])
    assert schema.unique_field() == "id"
    schema.validate({"id": 3, "body": json.dumps("c")})
