"""A field type of the user's own (tests/integration/ip_field.py: IPv4 addresses) works
everywhere through the public API: validation, terms, query parsing, ranges, sorting,
facets, groups, collapsing, stored values and merging, on an index reopened here and
in a fresh process; an index naming an unregistered type says to register it."""

from __future__ import annotations

import ipaddress
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from attrs import frozen
from tests.integration.ip_field import IP

import heron
from heron.query import Every, Term
from heron.schema import FieldType, register

ROOT = Path(__file__).resolve().parents[2]
Addr = ipaddress.IPv4Address


def make_docs() -> list[dict[str, Any]]:
    rng = random.Random(11)
    docs = []
    for i in range(40):
        doc: dict[str, Any] = {"id": f"d{i}", "body": rng.choice(["cocoa", "cocoa sugar", "oil"])}
        if i % 9 != 4:  # some documents have no address
            net = rng.choice(["10.0.0", "10.0.1", "192.168.3", "9.255.255"])
            doc["ip"] = f"{net}.{rng.choice([0, 1, 7, 200, 255])}"
        docs.append(doc)
    return docs


DOCS = make_docs()
DELETED = "d3"
LIVE = [d for d in DOCS if d["id"] != DELETED]


def ip_of(doc: dict[str, Any]) -> Addr | None:
    return Addr(doc["ip"]) if "ip" in doc else None


def build(path: Path, stored: bool) -> None:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(),
                          ip=IP(stored=stored))
    ix = heron.create_index(path, schema)
    for chunk in (DOCS[:15], DOCS[15:]):
        with ix.writer(merge=False) as w:
            for doc in chunk:
                w.add_document(**doc)
    with ix.writer(merge=False) as w:
        w.delete_by_term("id", DELETED)


@pytest.fixture(params=[True, False], ids=["stored", "unstored"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> heron.Index:
    build(tmp_path / "ix", request.param)
    return heron.open_index(tmp_path / "ix")  # the schema comes back from the index


def ids(results: heron.Results) -> list[str]:
    return [h["id"] for h in results]


def check_everything(ix: heron.Index) -> None:
    """Every feature on the custom field against brute force over LIVE."""
    assert isinstance(ix.schema["ip"], IP)
    with ix.searcher() as s:
        assert sorted(ids(s.search("ip:10.0.0.7", limit=None))) == sorted(
            d["id"] for d in LIVE if ip_of(d) == Addr("10.0.0.7"))
        assert ids(s.search(Term("ip", Addr("10.0.0.7")), limit=None)) == ids(
            s.search("ip:10.0.0.7", limit=None))
        low, high = Addr("10.0.0.0"), Addr("10.0.0.255")
        inside = sorted(d["id"] for d in LIVE if (a := ip_of(d)) and low <= a <= high)
        assert inside
        assert sorted(ids(s.search("ip:[10.0.0.0 TO 10.0.0.255]", limit=None))) == inside
        between = sorted(d["id"] for d in LIVE if (a := ip_of(d)) and low < a < high)
        assert sorted(ids(s.search("ip:{10.0.0.0 TO 10.0.0.255}", limit=None))) == between
        above = sorted(d["id"] for d in LIVE if (a := ip_of(d)) and a >= Addr("10.0.1.0"))
        assert sorted(ids(s.search("ip:[10.0.1.0 TO *]", limit=None))) == above

        for spec in ("ip", "-ip"):
            hits = s.search(Every(), limit=None, sort_by=[spec, "id"])
            got = [ip_of(next(d for d in LIVE if d["id"] == i)) for i in ids(hits)]
            present = [a for a in got if a is not None]
            assert present == sorted(present, reverse=spec == "-ip")
            assert got[len(present):] == [None] * (len(got) - len(present))  # missing last
            assert len(got) == len(LIVE)

        counts: dict[Addr, int] = {}
        for d in LIVE:
            if (a := ip_of(d)) is not None and "cocoa" in d["body"]:
                counts[a] = counts.get(a, 0) + 1
        results = s.search("cocoa", limit=None, facets="ip")
        assert results.facets["ip"] == counts
        groups = results.groups("ip", stored="id")
        assert {k: sorted(v) for k, v in groups.items()} == {
            a: sorted(d["id"] for d in LIVE if ip_of(d) == a and "cocoa" in d["body"])
            for a in counts}
        kept = s.search("cocoa", limit=None, collapse="ip")
        assert kept.total == len(counts) + sum(
            1 for d in LIVE if "ip" not in d and "cocoa" in d["body"])

        with pytest.raises(heron.QueryError):
            s.search("ip:10.0.0.300")
        assert s.search("ip:10.0.0.300", lenient=True).query_warnings

    if ix.schema["ip"].stored:
        with ix.searcher() as s:
            hit = s.search("id:d0")[0]
            assert hit["ip"] == Addr(DOCS[0]["ip"])


def test_custom_field_everywhere(index: heron.Index) -> None:
    check_everything(index)
    index.optimize()  # merged into one segment: the column and terms come through
    reopened = heron.open_index(index.path)
    with reopened.searcher() as s:
        assert len(s.reader.segments) == 1
    check_everything(reopened)


def test_schema_json_names_the_type() -> None:
    schema = heron.Schema(id=heron.ID(), ip=IP(stored=True, boost=2.0))
    data = json.loads(schema.to_json())
    assert data["ip"] == {"type": "tests.IP", "stored": True, "boost": 2.0}
    assert heron.Schema.from_json(schema.to_json()) == schema
    assert schema.term("ip", "10.0.0.1") == "0a000001"
    with pytest.raises(heron.SchemaError, match="not an IPv4"):
        schema.validate({"ip": "10.0.0.256"})


CHILD = """
import json, sys
import heron
if sys.argv[2] == "register":
    from tests.integration.ip_field import IP
try:
    ix = heron.open_index(sys.argv[1])
except heron.SchemaError as exc:
    print(json.dumps({"error": str(exc)}))
    raise SystemExit(0)
with ix.searcher() as s:
    r = s.search("ip:[10.0.0.0 TO 10.0.0.255]", limit=None, sort_by="-ip", facets="ip")
    print(json.dumps({"ids": [h["id"] for h in r],
                      "facets": {str(k): v for k, v in r.facets["ip"].items()}}))
"""


def run_child(path: Path, mode: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_fresh_process_finds_the_registered_type(tmp_path: Path) -> None:
    build(tmp_path / "ix", stored=True)
    got = run_child(tmp_path / "ix", "register")
    with heron.open_index(tmp_path / "ix").searcher() as s:
        r = s.search("ip:[10.0.0.0 TO 10.0.0.255]", limit=None, sort_by="-ip", facets="ip")
        assert got == {"ids": ids(r), "facets": {str(k): v for k, v in r.facets["ip"].items()}}
    assert got["ids"]


def test_fresh_process_without_the_type_is_told_to_register_it(tmp_path: Path) -> None:
    build(tmp_path / "ix", stored=False)
    error = run_child(tmp_path / "ix", "none")["error"]
    assert "'tests.IP'" in error
    assert "heron.schema.register" in error


class Unregistered(IP):
    kind: ClassVar[str] = "tests.Unregistered"


def test_an_unregistered_type_is_refused_in_a_schema() -> None:
    with pytest.raises(heron.SchemaError, match=r"register\(Unregistered\)"):
        heron.Schema(ip=Unregistered())


def test_register_checks_its_argument() -> None:
    with pytest.raises(heron.ArgumentTypeError):
        register(int)  # type: ignore[type-var]
    with pytest.raises(heron.SchemaError, match="heron's own"):

        @register
        @frozen
        class Text(IP):
            kind: ClassVar[str] = "TEXT"

    with pytest.raises(heron.SchemaError, match="already registered"):

        @register
        @frozen
        class Other(FieldType):
            kind: ClassVar[str] = "tests.IP"
            stored: bool = False
            boost: float = 1.0

    with pytest.raises(heron.SchemaError, match="must be a name"):

        @register
        @frozen
        class Blank(IP):
            kind: ClassVar[str] = ""

    assert register(IP) is IP  # again: no effect
