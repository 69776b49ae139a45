"""Stored documents: encoded by orjson (the fast extra) or by json, the bytes are the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import heron
from heron.index import _stored
from heron.index._stored import encode_document

orjson = pytest.importorskip("orjson", reason="orjson (the fast extra) is not installed")


def by_json(values: dict[str, Any]) -> bytes:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def test_every_code_point_is_written_as_json_writes_it() -> None:
    """orjson and json escape the same characters the same way (quotes, backslashes,
    control characters) and leave every other one as it is, code point by code point."""
    assert _stored._fast_dumps() is not None
    for first in range(0, 0x110000, 0x800):
        text = "".join(chr(c) for c in range(first, first + 0x800)
                       if not 0xD800 <= c < 0xE000)
        values = {"a": text, "b": '"\\' + text[:7]}
        assert encode_document(values) == by_json(values) == orjson.dumps(values)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1), st.one_of(
    st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.none(), st.lists(st.text(), max_size=3),
    st.dictionaries(st.text(), st.floats(allow_nan=False, allow_infinity=False), max_size=2),
)))
def test_a_document_is_written_as_json_writes_it(values: dict[str, Any]) -> None:
    """Strings only take orjson; numbers (orjson writes 1e16 where json writes 1e+16, and
    refuses ints past 64 bits), lists and objects take json: the bytes never differ."""
    assert encode_document(values) == by_json(values)
    assert json.loads(encode_document(values)) == values


@pytest.mark.parametrize("value", [1e16, 2**70, -(2**64), 0.1, [1.5e300]])
def test_numbers_orjson_writes_otherwise_take_json(value: Any) -> None:
    values = {"id": "a", "n": value}
    assert encode_document(values) == by_json(values)


def test_an_index_is_the_same_whichever_encoded_it(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                          n=heron.NUMERIC(numtype="float", stored=True),
                          extra=heron.STORED())
    docs = [{"id": f"d{i}", "title": f"Café «{i}» \"quoted\"\n\ttab \u2028 😀 \x00 end",
             **({"n": i * 1.5e15} if i % 3 else {}),
             **({"extra": {"k": [i, "v"]}} if i % 5 == 0 else {})} for i in range(300)]
    files = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(_stored, "_fast_dumps", lambda: None)
        path = tmp_path / str(fast)
        index = heron.create_index(path, schema)
        with index.writer() as writer:
            writer.add_documents(docs)
        files.append({p.name.split("_")[1]: p.read_bytes() for p in path.glob("*.hsg")})
        with index.searcher() as searcher:
            got = [searcher.stored_fields(i) for i in range(searcher.doc_count())]
        assert [g["title"] for g in got] == [d["title"] for d in docs]
    assert files[0] == files[1]
