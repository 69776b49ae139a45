"""Closing a searcher releases its files: descriptors and mappings, counted from /proc.

Results that outlive their searcher keep what they already read and raise
:class:`heron.SearcherClosedError` for the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import heron

pytestmark = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")

SEGMENTS = 4

CHILD = """
import os, resource, sys
import heron
resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
ix = heron.open_index(sys.argv[1])
kept = []
for i in range(1000):
    with ix.searcher() as s:
        results = s.search("tunnels", limit=3)
        kept.append((s, results, results[0]["title"]))
print(len(kept), len(os.listdir("/proc/self/fd")))
"""


def _schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                        body=heron.TEXT(stored=True), tags=heron.KEYWORD(stored=True, commas=True),
                        year=heron.NUMERIC(stored=True, sortable=True))


def _docs(start: int, stop: int) -> list[dict[str, Any]]:
    return [{"id": f"d{i}", "title": f"Tunnels report {i}",
             "body": f"Egypt flooded the smuggling tunnels number{i} near the border; "
                     f"common word{i % 7} tunnel text",
             "tags": "gaza,egypt" if i % 3 else "grain", "year": 1980 + i % 40}
            for i in range(start, stop)]


@pytest.fixture
def ix(tmp_path: Path) -> heron.Index:
    """An index of four segments, two of them with deletions."""
    index = heron.create_index(tmp_path / "ix", _schema())
    for part in range(SEGMENTS):
        with index.writer(merge=False) as w:
            w.add_documents(_docs(part * 50, part * 50 + 50))
            if part:
                w.delete_by_term("id", f"d{part * 10}")
    return index


def held(directory: Path) -> tuple[list[str], list[str]]:
    """This process's descriptors and mappings of files in ``directory``."""
    root = str(directory.resolve()) + "/"
    fds = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the descriptor listdir itself used
            continue
        if target.startswith(root):
            fds.append(target)
    with open("/proc/self/maps", encoding="utf-8") as fh:
        parts = (line.split(maxsplit=5) for line in fh)
        maps = [p[5].strip() for p in parts if len(p) == 6 and p[5].startswith(root)]
    return fds, maps


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def workload(s: heron.Searcher) -> heron.Results:
    """Searches, stored fields, highlights, sorting, facets, fuzzy and phrase matching."""
    results = s.search("tunnels smuggling", limit=5)
    for hit in results:
        assert hit["id"].startswith("d")
        assert "tunnel" in hit.highlights("body")
    results[0].explain()
    assert s.search("title:tunels~1 OR body:tunels~2").total > 0
    assert s.search("common", sort_by="-year", facets=["tags"]).facets["tags"]
    assert s.search('"smuggling tunnels"', filter="tags:grain").total > 0
    assert s.document(id="d45") is not None
    assert s.stored_value(3, "year") is not None
    assert "tunnel" in s.lexicon("body")
    return results


@pytest.mark.slow
def test_open_close_cycles_hold_no_files(ix: heron.Index) -> None:
    assert held(ix.path) == ([], [])
    before = fd_count()
    kept = []  # results keep their (closed) searchers alive
    for i in range(200):
        with ix.searcher() as s:
            kept.append(workload(s))
            if i == 0:  # while open, each segment is mapped (and has a descriptor)
                fds, maps = held(ix.path)
                assert len(set(maps)) == SEGMENTS
                assert len(fds) <= SEGMENTS
    assert held(ix.path) == ([], [])
    assert fd_count() <= before
    assert all(len(r) == 5 for r in kept)


@pytest.mark.slow
def test_a_thousand_searchers_under_a_low_descriptor_limit(ix: heron.Index) -> None:
    env = dict(os.environ)
    package_root = str(Path(heron.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    done = subprocess.run([sys.executable, "-c", CHILD, str(ix.path)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    kept, fds = map(int, done.stdout.split())
    assert kept == 1000
    assert fds < 20


def test_optimize_cycles_leave_no_deleted_files_held(ix: heron.Index) -> None:
    kept = []
    for cycle in range(10):
        s = ix.searcher()
        kept.append(workload(s))
        with ix.writer(merge=False) as w:
            w.add_documents(_docs(1000 + cycle * 20, 1020 + cycle * 20))
            w.delete_by_term("id", f"d{cycle}")
        ix.optimize()
        fds, maps = held(ix.path)
        if cycle == 0:  # the open searcher still maps the files optimize removed
            assert len({m for m in maps if m.endswith("(deleted)")}) == SEGMENTS
        s.close()
        fds, maps = held(ix.path)
        assert not [f for f in fds if f.endswith("(deleted)")]
        assert not [m for m in maps if m.endswith("(deleted)")]
    assert held(ix.path) == ([], [])
    with ix.searcher() as s:
        assert len(s.reader.segments) == 1
        assert s.doc_count() == 200 - (SEGMENTS - 1) + 200 - 10


def test_writers_and_check_release_what_they_read(ix: heron.Index) -> None:
    writers = []
    for n in range(3):
        w = ix.writer()
        w.add_documents(_docs(500 + n * 10, 510 + n * 10))
        w.delete_by_term("id", f"d{n + 1}")
        w.delete_by_query("number5")
        w.commit(optimize=n == 1)
        writers.append(w)
    cancelled = ix.writer()
    cancelled.delete_by_term("id", "d7")
    cancelled.cancel()
    writers.append(cancelled)
    assert held(ix.path) == ([], [])
    ix.check()
    assert held(ix.path) == ([], [])


def test_results_after_close(ix: heron.Index) -> None:
    with ix.searcher() as s:
        results = s.search("tunnels", limit=4)
        first, second, third = results[0], results[1], results[2]
        fields = dict(first.fields)
        ident = second["id"]
        year = second.get("year")
    assert held(ix.path) == ([], [])
    assert first.fields == fields
    assert first["title"] == fields["title"]
    assert first.get("body") == fields["body"]
    assert "tags" in first
    assert second["id"] == ident
    assert second.get("year") == year
    assert results.total > 0
    assert results.docnums()[:3] == [first.docnum, second.docnum, third.docnum]
    with pytest.raises(heron.SearcherClosedError):
        third.fields  # noqa: B018 - the property reads the stored fields
    with pytest.raises(heron.SearcherClosedError):
        third["title"]
    with pytest.raises(heron.SearcherClosedError):
        second["title"]
    with pytest.raises(heron.SearcherClosedError):
        second.get("body")
    with pytest.raises(heron.SearcherClosedError):
        first.highlights("body")
    with pytest.raises(heron.SearcherClosedError):
        first.explain()
    with pytest.raises(heron.SearcherClosedError, match="closed"):
        s.search("tunnels")
    with pytest.raises(heron.SearcherClosedError):
        s.stored_fields(0)
    with pytest.raises(heron.SearcherClosedError):
        s.document(id="d45")
    with pytest.raises(heron.SearcherClosedError):
        s.refresh()
    with pytest.raises(heron.SearcherClosedError):
        s.doc_count()
    s.close()  # closing again is harmless


def test_reader_used_after_close(ix: heron.Index) -> None:
    reader = ix.reader()
    segment = reader.segments[0]
    assert reader.stored_fields(0)["id"] == "d0"
    assert len(segment.postings(0)[0])
    reader.close()
    reader.close()
    assert held(ix.path) == ([], [])
    calls = [reader.doc_count, lambda: reader.stored_fields(0), lambda: reader.locate(0),
             lambda: reader.term_info("body", "tunnel"), lambda: reader.field_stats("body"),
             lambda: list(reader.iter_segments()), reader.verify,
             lambda: segment.postings(0), lambda: segment.doc_freq(0), lambda: segment.positions(0),
             lambda: segment.document(0), lambda: segment.terms.find("body", "tunnel"),
             lambda: segment.norms("body"), lambda: segment.column("year"), segment.verify,
             lambda: heron.Searcher(reader).search("tunnels")]
    for call in calls:
        with pytest.raises(heron.SearcherClosedError):
            call()
    segment.close()
    with ix.reader() as again:
        assert again.doc_count() == 200 - (SEGMENTS - 1)
    with pytest.raises(heron.SearcherClosedError):
        again.doc_count()


def test_refresh_closes_the_old_searcher_and_keeps_unchanged_segments(ix: heron.Index) -> None:
    old = ix.searcher()
    hits = old.search("tunnels")
    assert old.refresh() is old  # nothing changed: still open
    segments = list(old.reader.segments)
    with ix.writer(merge=False) as w:
        w.add_documents(_docs(900, 910))
        w.delete_by_term("id", "d0")  # the first segment gets a new deletion file
    new = old.refresh()
    assert new is not old
    with pytest.raises(heron.SearcherClosedError):
        old.search("tunnels")
    with pytest.raises(heron.SearcherClosedError):
        hits[0].fields  # noqa: B018
    assert new.reader.segments[0] is not segments[0]
    assert new.reader.segments[1:SEGMENTS] == segments[1:]
    assert all(a is b for a, b in zip(new.reader.segments[1:SEGMENTS], segments[1:], strict=True))
    fds, maps = held(ix.path)  # one mapping (and descriptor) per segment, none removed
    assert len(set(maps)) == len(new.reader.segments) == SEGMENTS + 1
    assert len(fds) <= SEGMENTS + 1
    assert not [f for f in fds + maps if f.endswith("(deleted)")]
    assert new.search("number900").total == 1
    assert new.search("number0").total == 0
    assert new.search("number60").total == 1
    new.close()
    assert held(ix.path) == ([], [])


def test_with_block_closes(ix: heron.Index) -> None:
    with ix.searcher() as s:
        assert s.search("tunnels").total
        assert held(ix.path)[0]
    assert held(ix.path) == ([], [])
    assert s.closed
    assert s.reader.closed
    with pytest.raises(heron.SearcherClosedError):
        list(s.lexicon("body"))
