"""Manifests: every field checked, names never leave the directory, generation matches the name."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.index.crafting import (
    JSON_VALUES,
    build,
    checksummed,
    copy_index,
    leaves,
    manifest_path,
    nested,
    read_manifest,
    replace_at,
    rewrite_manifest,
    schema,
)

import heron
from heron.errors import CorruptIndexError, SchemaError

Body = dict[str, Any]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("manifest") / "ix"
    build(path)
    return path


def _refused(path: Path) -> None:
    """Opening, searching, writing and checking all raise CorruptIndexError."""
    with pytest.raises(CorruptIndexError):
        heron.open_index(path)
    ix = heron.Index(path, schema())
    with pytest.raises(CorruptIndexError):
        ix.searcher()
    with pytest.raises(CorruptIndexError):
        ix.writer()
    with pytest.raises(CorruptIndexError):
        ix.check()
    with pytest.raises(CorruptIndexError):
        ix.doc_count()


def _files(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()}


def test_segment_name_cannot_leave_the_directory(base: Path, tmp_path: Path) -> None:
    path = copy_index(base, tmp_path / "deep" / "ix")
    outside = tmp_path / "outside"
    outside.mkdir()
    entry = read_manifest(path)["segments"][0]
    (outside / "stolen.hsg").write_bytes((path / f"{entry['name']}.hsg").read_bytes())

    def steal(body: Body) -> None:
        body["segments"][0].update(name="../../outside/stolen", deletions=None,
                                   deleted_count=0, deletions_size=0, deletions_crc32=0)

    rewrite_manifest(path, steal)
    _refused(path)
    ix = heron.Index(path, schema())
    with pytest.raises(CorruptIndexError), ix.writer() as w:
        w.delete_by_term("id", "d1")
    assert _files(outside) == {"stolen.hsg"}


def test_deletions_name_cannot_leave_the_directory(base: Path, tmp_path: Path) -> None:
    path = copy_index(base, tmp_path / "deep" / "ix")
    outside = tmp_path / "outside"
    outside.mkdir()
    entry = read_manifest(path)["segments"][0]
    stolen = f"../../outside/{entry['deletions']}"
    (outside / entry["deletions"]).write_bytes((path / entry["deletions"]).read_bytes())
    rewrite_manifest(path, lambda body: body["segments"][0].update(deletions=stolen))
    _refused(path)


def _entry(**change: Any) -> Callable[[Body], None]:
    def edit(body: Body) -> None:
        body["segments"][0].update(change)

    return edit


def _top(key: str, value: Any) -> Callable[[Body], None]:
    def edit(body: Body) -> None:
        body[key] = value

    return edit


def _without(key: str) -> Callable[[Body], None]:
    def edit(body: Body) -> None:
        body["segments"][0].pop(key)

    return edit


def _duplicate(body: Body) -> None:
    body["segments"].append(dict(body["segments"][0]))


def _other_deletions(body: Body) -> None:
    entry = body["segments"][0]
    entry["deletions"] = entry["deletions"].replace(entry["name"], "seg_000002_0badf00d")


BAD_MANIFESTS: dict[str, Callable[[Body], None]] = {
    "absolute name": _entry(name="/etc/passwd"),
    "name with a slash": _entry(name="sub/seg_000001"),
    "name with a suffix": _entry(name="seg_000001.hsg"),
    "name not a string": _entry(name=1),
    "name of another kind of file": _entry(name="manifest_00000001"),
    "segment numbered past next_segment": _entry(name="seg_999999"),
    "deletions of another segment": _other_deletions,
    "deletions with a slash": _entry(deletions="x/seg_000001_00000002.hdl"),
    "deletions not a string": _entry(deletions=5),
    "deletions from a later generation": lambda b: b["segments"][0].update(
        deletions=b["segments"][0]["deletions"][:-12] + "00000099.hdl"),
    "deletion counts without a file": _entry(deletions=None),
    "doc_count a bool": _entry(doc_count=True),
    "doc_count a float": _entry(doc_count=40.0),
    "doc_count negative": _entry(doc_count=-1),
    "doc_count a string": _entry(doc_count="40"),
    "deleted_count past doc_count": _entry(deleted_count=41),
    "size negative": _entry(size=-5),
    "size too small": _entry(size=3),
    "crc32 too large": _entry(crc32=1 << 32),
    "crc32 a string": _entry(crc32="12"),
    "deletions_size a bool": _entry(deletions_size=False),
    "entry with an unknown key": _entry(extra=1),
    "entry without a size": _without("size"),
    "entry not an object": lambda b: b["segments"].__setitem__(0, ["seg_000001"]),
    "segment listed twice": _duplicate,
    "segments not a list": _top("segments", {"seg_000001": {}}),
    "generation a bool": _top("generation", True),
    "generation a string": _top("generation", "3"),
    "generation disagrees with the file name": lambda b: b.update(generation=b["generation"] + 1),
    "next_segment zero": _top("next_segment", 0),
    "next_segment a float": _top("next_segment", 2.0),
    "next_segment missing": lambda b: b.pop("next_segment"),
    "schema a list": _top("schema", [["id", {"type": "ID"}]]),
    "schema a string": _top("schema", "{}"),
    "schema field not an object": lambda b: b["schema"].__setitem__("body", "TEXT"),
    "unknown top-level key": _top("extra", 1),
    "version a bool": _top("version", True),
    "format another": _top("format", "other"),
}


@pytest.mark.parametrize("damage", BAD_MANIFESTS)
def test_bad_manifest(base: Path, tmp_path: Path, damage: str) -> None:
    path = copy_index(base, tmp_path / "ix")
    rewrite_manifest(path, BAD_MANIFESTS[damage])
    _refused(path)


def test_renamed_manifest_is_refused(base: Path, tmp_path: Path) -> None:
    path = copy_index(base, tmp_path / "ix")
    current = manifest_path(path)
    current.rename(path / "manifest_00000007.json")
    _refused(path)


def test_manifest_restored_under_an_older_name_is_refused(base: Path, tmp_path: Path) -> None:
    path = copy_index(base, tmp_path / "ix")
    current = manifest_path(path)
    body = read_manifest(path)
    current.unlink()
    (path / "manifest_00000001.json").write_bytes(checksummed(body))
    _refused(path)


def test_duplicate_deletions_file(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    ix = heron.create_index(path, schema())
    for start in (0, 10):
        with ix.writer(merge=False) as w:
            w.add_documents([{"id": f"d{i}", "body": "x"} for i in range(start, start + 10)])
    with ix.writer(merge=False) as w:
        w.delete_by_term("id", "d1")
        w.delete_by_term("id", "d11")
    rewrite_manifest(path, lambda b: b["segments"][1].update(
        deletions=b["segments"][0]["deletions"]))
    _refused(path)


@pytest.mark.parametrize("text", [
    nested(100_000),
    '{"a":' * 100_000 + "1" + "}" * 100_000,
    '{"format":"heron-index","schema":' + nested(100_000) + "}",
    "\udcff",
    "",
    "[1, 2]",
    '{"checksum": true}',
    '{"checksum": 1.5}',
])
def test_manifest_that_is_no_json_object(base: Path, tmp_path: Path, text: str) -> None:
    path = copy_index(base, tmp_path / "ix")
    manifest_path(path).write_bytes(text.encode("utf-8", "surrogateescape"))
    _refused(path)


@pytest.mark.parametrize("spec", [
    {"type": "TEXT", "analyzer": 5},
    {"type": "TEXT", "analyzer": [5]},
    {"type": "TEXT", "analyzer": [{"name": "regex", "pattern": "("}]},
    {"type": "TEXT", "boost": "high"},
    {"type": 3},
])
def test_damaged_schema(base: Path, tmp_path: Path, spec: dict[str, Any]) -> None:
    """A schema that cannot be rebuilt: SchemaError (it may name an analyzer heron lacks,
    which the caller can supply) or CorruptIndexError, nothing else."""
    path = copy_index(base, tmp_path / "ix")
    rewrite_manifest(path, lambda b: b["schema"].__setitem__("body", spec))
    with pytest.raises((SchemaError, CorruptIndexError)):
        heron.open_index(path)


def test_good_manifest_still_opens(base: Path, tmp_path: Path) -> None:
    path = copy_index(base, tmp_path / "ix")
    rewrite_manifest(path, lambda body: None)
    ix = heron.open_index(path)
    ix.check()
    assert ix.doc_count() == 39
    with ix.writer() as w:
        w.delete_by_term("id", "d1")
    assert ix.doc_count() == 38


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_manifest_values(base: Path, data: st.DataObject) -> None:
    """Any value in a manifest replaced by any JSON value (checksum fixed): the index opens
    as before or CorruptIndexError (SchemaError for a schema that cannot be rebuilt)."""
    # the parameters of field types and analyzers are the schema's to check, not the index's
    paths = [p for p in leaves(read_manifest(base)) if p[0] != "schema" or len(p) <= 2]
    where = data.draw(st.sampled_from(paths))
    new = data.draw(st.sampled_from(JSON_VALUES))
    with tempfile.TemporaryDirectory() as tmp:
        path = copy_index(base, Path(tmp) / "ix")
        rewrite_manifest(path, lambda body: replace_at(body, where, new))
        try:
            ix = heron.open_index(path)
            with ix.searcher() as s:
                s.search("tunnels").total  # noqa: B018
            ix.check()
        except (CorruptIndexError, SchemaError):
            pass


def test_a_damaged_index_can_be_replaced(base: Path, tmp_path: Path) -> None:
    path = copy_index(base, tmp_path / "ix")
    current = manifest_path(path)
    current.rename(path / "manifest_00000007.json")
    ix = heron.create_index(path, schema(), overwrite=True)
    ix.check()
    assert ix.doc_count() == 0
    with ix.writer() as w:
        w.add_documents([{"id": "x", "body": "tunnels"}])
    assert ix.doc_count() == 1
    assert sorted(p.suffix for p in path.iterdir()) == [".hsg", ".json", ".lock"]


@pytest.mark.parametrize(("version", "readable"),
                         [(1, True), (2, True), (3, True), (4, True), (5, False), (0, False)])
def test_manifest_versions(base: Path, tmp_path: Path, version: int, readable: bool) -> None:
    """heron writes version 4 and reads the version 1, 2 and 3 manifests of earlier heron."""
    path = copy_index(base, tmp_path / "ix")
    assert read_manifest(path)["version"] == 4

    def edit(body: Body) -> None:
        body["version"] = version

    rewrite_manifest(path, edit)
    if readable:
        heron.open_index(path).check()
        with heron.open_index(path).searcher() as s:
            assert s.doc_count() > 0
    else:
        with pytest.raises(CorruptIndexError, match=r"format version .* is not supported"):
            heron.open_index(path)
