"""Schema changes through the writer: add_field and remove_field, committed like documents;
and open_index with a schema of one's own (only analyzers may differ)."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from tests.index.crafting import checksummed
from tests.integration.test_custom_analyzer import Reverse

import heron
from heron.analysis import Analyzer, RegexTokenizer, StandardAnalyzer
from heron.index import IndexReader
from heron.index._manifest import latest_manifest

#: an unknown field in a query string: a QueryError today (the parser reports a position);
#: heron's errors are growing an UnknownFieldError that is also a SchemaError
UNKNOWN = (heron.SchemaError, heron.QueryError)


def _schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True),
                        url=heron.ID(stored=True), tag=heron.KEYWORD(stored=True, sortable=True))


def _index(path: Path, count: int = 6) -> heron.Index:
    ix = heron.create_index(path, _schema())
    with ix.writer() as w:
        w.add_documents({"id": f"d{i}", "body": f"alpha text {i}", "url": f"http://x/{i}",
                         "tag": f"t{i % 2}"} for i in range(count))
    return ix


def _docs(ix: heron.Index) -> dict[str, dict[str, Any]]:
    with ix.searcher() as s:
        return {d["id"]: d for d in s.documents()}


def _files(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.name != "write.lock")


def _fields_in_segments(path: Path) -> set[str]:
    """The fields whose data the segments of the newest commit hold."""
    with IndexReader.open(path) as reader:
        return {name for seg in reader.segments for name in seg.field_nos}


# -- add_field -----------------------------------------------------------------------------

def test_add_field_then_documents_with_and_without_it(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    old = ix.searcher()
    with ix.writer() as w:
        w.add_field("summary", heron.TEXT(stored=True))
        w.add_document(id="n1", body="beta", summary="gamma summary words")
        w.add_document(id="n2", body="beta without one")
        assert "summary" in w.schema
    docs = _docs(ix)
    assert docs["n1"]["summary"] == "gamma summary words"
    assert "summary" not in docs["n2"]
    assert "summary" not in docs["d0"]
    with ix.searcher() as s:
        assert [h["id"] for h in s.search("summary:gamma")] == ["n1"]
        assert [h["id"] for h in s.search("gamma")] == ["n1"]  # a TEXT field: searched too
        assert s.search("beta", limit=None).total == 2
    # the snapshot opened before the commit does not know the field
    with pytest.raises(UNKNOWN, match="unknown field 'summary'"):
        old.search("summary:gamma")
    assert "summary" not in old.schema
    refreshed = old.refresh()  # the next snapshot does
    assert refreshed.search("summary:gamma").total == 1
    refreshed.close()
    again = heron.open_index(tmp_path / "ix")
    assert again.schema.names() == ["id", "body", "url", "tag", "summary"]
    assert latest_manifest(tmp_path / "ix").schema["summary"] == heron.TEXT(stored=True).to_json()
    with again.searcher() as s:
        assert [h["id"] for h in s.search("summary:gamma")] == ["n1"]


def test_added_field_sorts_and_facets_over_old_segments(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    with ix.writer(merge=False) as w:
        w.add_field("year", heron.NUMERIC(stored=True, sortable=True))
        w.add_documents({"id": f"y{i}", "body": "alpha", "year": 2000 + i} for i in range(3))
    with ix.searcher() as s:
        assert len(s.reader.segments) == 2  # one written before the field existed
        res = s.search("alpha", sort_by="-year", limit=3, facets=["year"])
        assert [h["id"] for h in res] == ["y2", "y1", "y0"]
        assert res.facets["year"] == {2000: 1, 2001: 1, 2002: 1}
        assert s.search("year:[2001 TO 2002]").total == 2
    ix.optimize()  # merged: old documents have no value for it
    with ix.searcher() as s:
        assert len(s.reader.segments) == 1
        assert sorted(d.get("year", 0) for d in s.documents()) == [0] * 6 + [2000, 2001, 2002]
        assert s.search("year:[2001 TO 2002]").total == 2


def test_cancelled_writer_leaves_the_schema(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    before, files = ix.schema, _files(tmp_path / "ix")
    w = ix.writer()
    w.add_field("summary", heron.TEXT(stored=True))
    w.remove_field("url")
    w.add_document(id="z", body="gone", summary="gone")
    w.flush()
    w.cancel()
    with pytest.raises(RuntimeError, match="boom"):
        _add_field_then_fail(ix)
    assert ix.schema == before
    assert heron.open_index(tmp_path / "ix").schema == before
    assert _files(tmp_path / "ix") == files
    assert "url" in _docs(ix)["d0"]


def _add_field_then_fail(ix: heron.Index) -> None:
    with ix.writer() as w:
        w.add_field("summary", heron.TEXT())
        raise RuntimeError("boom")


def _abandon(ix: heron.Index) -> None:
    """Change the schema and add a document in a writer that is then dropped."""
    w = ix.writer()
    w.add_field("summary", heron.TEXT(stored=True))
    w.add_document(id="z", body="gone", summary="gone")
    gc.collect()


def test_dropped_writer_leaves_the_schema(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    before = ix.schema
    with pytest.warns(ResourceWarning, match="dropped"):
        _abandon(ix)
    assert ix.schema == before
    with ix.writer() as w2:  # the lock was freed
        w2.add_field("summary", heron.KEYWORD(stored=True))
    assert isinstance(ix.schema["summary"], heron.KEYWORD)


def _change_schema_and_die(path: str) -> None:
    w = heron.open_index(path).writer()
    w.add_field("summary", heron.TEXT(stored=True))
    w.remove_field("url")
    w.add_document(id="lost", body="never", summary="committed")
    w.flush()
    os._exit(0)  # dies holding the lock, its segment written, nothing committed


def test_crashed_writer_leaves_the_schema(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    before = ix.schema
    child = multiprocessing.get_context("spawn").Process(target=_change_schema_and_die,
                                                         args=(str(tmp_path / "ix"),))
    child.start()
    child.join(120)
    assert child.exitcode == 0
    again = heron.open_index(tmp_path / "ix")
    assert again.schema == before
    again.check()
    assert sorted(_docs(again)) == [f"d{i}" for i in range(6)]
    with again.writer(timeout=5) as w:
        w.add_field("summary", heron.TEXT())
    assert "summary" in again.schema


def test_bad_additions_are_refused(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    with ix.writer() as w:
        with pytest.raises(heron.SchemaError, match="already has a field 'body'"):
            w.add_field("body", heron.TEXT())
        with pytest.raises(heron.SchemaError, match="unique"):
            w.add_field("key", heron.ID(unique=True))
        with pytest.raises(heron.SchemaError, match="must start with a letter"):
            w.add_field("2nd", heron.TEXT())
        with pytest.raises(heron.SchemaError, match="not a field type"):
            w.add_field("x", "TEXT")  # type: ignore[arg-type]
        with pytest.raises(heron.SchemaError, match="unknown field 'nope'"):
            w.remove_field("nope")
        with pytest.raises(heron.SchemaError, match="unique field"):
            w.remove_field("id")
    assert ix.schema == _schema()
    assert latest_manifest(tmp_path / "ix").generation == 2  # nothing was committed


# -- remove_field --------------------------------------------------------------------------

def test_remove_field(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    old = ix.searcher()
    with ix.writer() as w:
        w.remove_field("url")
        w.remove_field("tag")
        # at once, in the writer
        with pytest.raises(UNKNOWN, match="unknown field 'url'"):
            w.delete_by_query("url:http")
        with pytest.raises(heron.SchemaError, match="unknown field 'tag'"):
            w.delete_by_term("tag", "t0")
        with pytest.raises(heron.SchemaError, match="unknown field 'tag'"):
            w.add_document(id="n", tag="t0")
        w.add_document(id="n1", body="alpha new")
    with ix.searcher() as s:
        with pytest.raises(UNKNOWN, match="unknown field 'url'"):
            s.search("url:x")
        with pytest.raises(heron.SchemaError, match="tag"):
            s.search("alpha", sort_by="tag")
        with pytest.raises(heron.SchemaError, match="tag"):
            s.search("alpha", facets=["tag"])
        assert s.search("alpha", limit=None).total == 7
        docs = {d["id"]: d for d in s.documents()}
        assert docs["d1"] == {"id": "d1", "body": "alpha text 1"}
        with pytest.raises(UNKNOWN, match="unknown field 'url'"):
            s.stored_value(0, "url")  # a removed field is unknown at once, its data too
    # the snapshot opened before still sees them
    assert old.search("url:http\\://x/1").total == 1
    assert old.stored_fields(0)["url"] == "http://x/0"
    old.close()
    # the data stays in the old segment until a merge
    assert {"url", "tag"} <= _fields_in_segments(tmp_path / "ix")


def test_removed_field_data_goes_at_a_merge(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    with ix.writer() as w:
        w.remove_field("url")
    with ix.writer() as w, pytest.raises(heron.SchemaError, match="optimize"):
        w.add_field("url", heron.TEXT(stored=True))
    ix.optimize()  # one segment: rewritten all the same, without the field
    assert "url" not in _fields_in_segments(tmp_path / "ix")
    with IndexReader.open(tmp_path / "ix") as reader:
        (seg,) = reader.segments
        assert seg.terms.field_range("url") == (0, 0)
        assert "url" not in seg.document(0)
        # no term of the index is a url any more
        assert not any(seg.terms.term(t).startswith("http") for t in range(len(seg.terms)))
    blob = b"".join((tmp_path / "ix" / name).read_bytes() for name in _files(tmp_path / "ix"))
    assert b"http://x" not in blob  # stored values are compressed: check what they hold
    with ix.writer() as w:  # now the name can be used again, for another type
        w.add_field("url", heron.TEXT(stored=True))
        w.add_document(id="n1", body="new", url="see http://example here")
    with ix.searcher() as s:
        assert [h["id"] for h in s.search("url:example")] == ["n1"]
        assert s.document(id="d0") == {"id": "d0", "body": "alpha text 0", "tag": "t0"}
    assert heron.open_index(tmp_path / "ix").schema["url"] == heron.TEXT(stored=True)


def test_remove_then_add_in_one_writer_is_refused(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix", count=0)
    with ix.writer() as w:
        w.remove_field("url")
        with pytest.raises(heron.SchemaError, match="removed"):
            w.add_field("url", heron.ID())
    assert "url" not in ix.schema


def test_merge_policy_drops_removed_fields(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix", count=3)
    with ix.writer() as w:
        w.remove_field("tag")
    for k in range(12):  # enough commits for the merge policy to merge the first segment
        with ix.writer() as w:
            w.add_document(id=f"m{k}", body="more")
    assert "tag" not in _fields_in_segments(tmp_path / "ix")
    assert len(_docs(ix)) == 15


# -- worker processes ----------------------------------------------------------------------

def _load(ix: heron.Index, procs: int) -> None:
    with ix.writer(procs=procs, batch_docs=16, merge=False) as w:
        w.add_documents({"id": f"a{i}", "body": f"alpha {i}", "url": f"u{i}"} for i in range(200))
        w.add_field("summary", heron.TEXT(stored=True))
        w.remove_field("url")
        w.add_documents({"id": f"b{i}", "body": f"beta {i}", "summary": f"sum kind{i % 5}"}
                        for i in range(200))
        w.delete_by_query("summary:kind3")


def test_schema_changes_with_worker_processes(tmp_path: Path) -> None:
    results = []
    for procs in (1, 2):
        ix = _index(tmp_path / f"ix{procs}", count=0)
        _load(ix, procs)
        with ix.searcher() as s:
            assert s.search("summary:sum", limit=None).total == 160
            with pytest.raises(UNKNOWN, match="unknown field 'url'"):
                s.search("url:u1")
            results.append(_docs(ix))
    assert results[0] == results[1]
    assert len(results[1]) == 360
    assert results[1]["a1"] == {"id": "a1", "body": "alpha 1"}


def test_worker_processes_refuse_a_custom_analyzer(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix", count=0)
    with ix.writer(procs=2) as w:
        with pytest.raises(heron.HeronError, match="procs > 1 needs a schema"):
            w.add_field("rev", heron.TEXT(analyzer=RegexTokenizer() | Reverse()))
        w.add_document(id="x", body="still fine")
    assert "rev" not in ix.schema
    assert list(_docs(ix)) == ["x"]


# -- open_index with a schema ----------------------------------------------------------------

def test_open_with_other_analyzers(tmp_path: Path) -> None:
    """The given analyzers analyse queries and added documents; the index records its own."""
    _index(tmp_path / "ix")
    recorded = latest_manifest(tmp_path / "ix").schema["body"]
    plain = Analyzer((RegexTokenizer(),))  # no lower-casing, no stop words
    given = heron.Schema(id=heron.ID(stored=True, unique=True),
                         body=heron.TEXT(stored=True, analyzer=plain), url=heron.ID(stored=True),
                         tag=heron.KEYWORD(stored=True, sortable=True))
    mine = heron.open_index(tmp_path / "ix", schema=given)
    assert mine.schema["body"].analyzer == plain
    with mine.searcher() as s:
        assert s.search("ALPHA").query == heron.query.Term("body", "ALPHA")
        assert s.search("ALPHA").total == 0  # indexed lower-cased
    with mine.writer() as w:
        w.add_document(id="c", body="CAPS")
        w.add_field("extra", heron.TEXT())
    with mine.searcher() as s:
        assert [h["id"] for h in s.search("CAPS")] == ["c"]
    assert latest_manifest(tmp_path / "ix").schema["body"] == recorded
    assert heron.open_index(tmp_path / "ix").schema["body"].analyzer == StandardAnalyzer()


@pytest.mark.parametrize(("field", "ftype", "message"), [
    ("body", heron.TEXT(stored=False), "field 'body'"),
    ("body", heron.KEYWORD(stored=True), "field 'body'"),
    ("tag", heron.KEYWORD(stored=True), "field 'tag'"),
    ("url", None, "lacks the index's field 'url'"),
    ("more", heron.TEXT(), "no field 'more'"),
])
def test_open_with_a_changed_field_is_refused(tmp_path: Path, field: str,
                                              ftype: heron.FieldType | None,
                                              message: str) -> None:
    _index(tmp_path / "ix")
    fields = dict(_schema().items)
    if ftype is None:
        del fields[field]
    else:
        fields[field] = ftype
    with pytest.raises(heron.SchemaError, match=message):
        heron.open_index(tmp_path / "ix", schema=heron.Schema(**fields))


def test_a_manifest_of_version_1_takes_schema_changes(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    path = tmp_path / "ix" / "manifest_00000002.json"
    body = json.loads(path.read_text())
    body.pop("checksum")
    body["version"] = 1
    path.write_bytes(checksummed(body))
    with ix.writer() as w:
        w.add_field("summary", heron.TEXT(stored=True))
        w.add_document(id="v", summary="after the upgrade")
    assert json.loads((tmp_path / "ix" / "manifest_00000003.json").read_text())["version"] == (
        heron.index.FORMAT_VERSION)
    with heron.open_index(tmp_path / "ix").searcher() as s:
        assert [h["id"] for h in s.search("summary:upgrade")] == ["v"]
