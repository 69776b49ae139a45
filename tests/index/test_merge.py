"""Merging: a streamed merge in many small chunks equals one in a single chunk, and equals a
segment built directly from the live documents; the writer's memory stays bounded."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import heron
from heron.index import _merge_terms, _surface
from heron.index._files import Container
from heron.index._format import OWN_FILE, SEGMENT_MAGIC
from heron.index._manifest import latest_manifest
from heron.index._merge import merge_segments
from heron.index._segment_reader import SegmentReader

_WORDS = [f"w{i}" for i in range(300)] + ["alpha", "beta", "gamma", "zeta" * 3, "été", "東京"]


def _schema() -> heron.Schema:
    return heron.Schema(
        id=heron.ID(stored=True, unique=True),
        title=heron.TEXT(stored=True),
        body=heron.TEXT(phrase=False),
        tags=heron.KEYWORD(stored=True, commas=True),
        year=heron.NUMERIC(stored=True),
        score=heron.NUMERIC(numtype="float"),
        published=heron.DATETIME(stored=True),
        draft=heron.BOOLEAN(),
        url=heron.STORED(),
    )


def _doc(n: int, rng: random.Random) -> dict[str, Any]:
    """A synthetic document; some fields are left out now and then."""
    doc: dict[str, Any] = {"id": f"d{n}"}
    words = rng.choices(_WORDS, weights=[1 / (i + 1) for i in range(len(_WORDS))],
                        k=rng.randint(1, 60))
    doc["body"] = " ".join(words)
    if n % 3:
        doc["title"] = " ".join(rng.sample(_WORDS, 3))
    if n % 4:
        doc["tags"] = ",".join(rng.sample(["red", "green", "blue", "x" * 12, "y"], 2))
    if n % 5:
        doc["year"] = 1900 + n % 120
        doc["score"] = n / 7
    if n % 2:
        doc["published"] = dt.datetime(2000, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n)
        doc["draft"] = bool(n % 3)
    if n % 7 == 0:
        doc["url"] = {"n": n, "tags": ["a", "b"]}
    return doc


def _segmented_index(path: Path, docs: int = 600, commits: int = 4) -> heron.Index:
    """An index of several segments (no merging), with deletions in most of them."""
    rng = random.Random(8)
    ix = heron.create_index(path, _schema())
    per = docs // commits
    for c in range(commits):
        with ix.writer(merge=False) as w:
            w.add_documents(_doc(n, rng) for n in range(c * per, (c + 1) * per))
            if c:
                for n in range(0, c * per, 9):
                    w.delete_by_term("id", f"d{n}")
                w.delete_by_term("tags", "blue")  # also deletes documents added just now
    return ix


def _readers(path: Path) -> list[SegmentReader]:
    return [SegmentReader(path, e) for e in latest_manifest(path).segments]


def _merge(path: Path, out: Path, budget: int | None) -> Container:
    with ThreadPoolExecutor(max_workers=1) as executor:
        merge_segments(_readers(path), _schema(), out, executor, budget=budget)
    return Container(out, SEGMENT_MAGIC)


def _same_arrays(a: Container, b: Container) -> None:
    assert sorted(a.names()) == sorted(b.names())
    assert a.meta == b.meta
    for name in a.names():
        x, y = a.array(name), b.array(name)
        assert x.dtype == y.dtype, name
        assert np.array_equal(x, y), name


def test_tiny_budget_merges_like_one_chunk(tmp_path: Path) -> None:
    ix = _segmented_index(tmp_path / "ix")
    assert len(latest_manifest(ix.path).segments) >= 4
    whole = _merge(ix.path, tmp_path / "whole.hsg", None)
    for budget in (1, 900, 20_000):  # down to one term and one pair per chunk
        chunked = _merge(ix.path, tmp_path / f"chunked{budget}.hsg", budget)
        assert whole.names() == chunked.names()
        _same_arrays(whole, chunked)
        assert (tmp_path / "whole.hsg").read_bytes() == (
            tmp_path / f"chunked{budget}.hsg").read_bytes()
    assert int(whole.meta["doc_count"]) == ix.doc_count()
    assert {"fwd.id.terms", "fwd.tags.terms", "pos.data", "col.published", "col.score",
            "colmask.draft", "stored.data"} <= set(whole.names())


@pytest.mark.parametrize("budget", [None, 900])
def test_terms_united_as_numpy_strings_as_in_python(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    budget: int | None) -> None:
    """Terms (and surface forms) are united as fixed-width numpy strings, or in Python when
    one is long or holds a NUL byte: the merged bytes are the same either way."""
    ix = _segmented_index(tmp_path / "ix")
    with ix.writer(merge=False) as w:  # long terms and a NUL byte, in some chunks only
        w.add_document(id="long", body="oil " + "w" * 70 + " " + "W" * 65 + "s",
                       tags="a\x00b,red")
        w.add_document(id="long2", body="wheat " + "w" * 70, tags="a")
    fast = _merge(ix.path, tmp_path / "fast.hsg", budget)
    monkeypatch.setattr(_merge_terms, "TERM_WIDTH", 0)
    monkeypatch.setattr(_surface, "KEY_WIDTH", 0)
    slow = _merge(ix.path, tmp_path / "slow.hsg", budget)
    _same_arrays(fast, slow)
    assert (tmp_path / "fast.hsg").read_bytes() == (tmp_path / "slow.hsg").read_bytes()


def test_forms_merged_a_few_at_a_time_as_all_at_once(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge gathers surface forms a bounded number at a time (a term with more forms is
    a range of its own): the merged bytes do not depend on the bound."""
    ix = _segmented_index(tmp_path / "ix")
    _merge(ix.path, tmp_path / "whole.hsg", None)
    monkeypatch.setattr(_surface, "_MERGE_FORMS", 2)
    _merge(ix.path, tmp_path / "pieces.hsg", None)
    assert (tmp_path / "whole.hsg").read_bytes() == (tmp_path / "pieces.hsg").read_bytes()


def test_merge_equals_a_segment_built_from_the_live_documents(tmp_path: Path) -> None:
    ix = _segmented_index(tmp_path / "ix")
    ids = [seg.document(d)["id"] for seg in _readers(ix.path) for d in range(seg.doc_count)
           if seg.deleted is None or not seg.deleted[d]]
    assert len(ids) == ix.doc_count()
    rng = random.Random(8)
    by_id = {f"d{n}": _doc(n, rng) for n in range(600)}
    fresh = heron.create_index(tmp_path / "fresh", _schema())
    with fresh.writer() as w:
        w.add_documents(by_id[i] for i in ids)
    (entry,) = latest_manifest(fresh.path).segments
    built = SegmentReader(fresh.path, entry).path
    merged = _merge(ix.path, tmp_path / "merged.hsg", 5000)
    _same_arrays(Container(built, SEGMENT_MAGIC), merged)


def test_segments_without_deletions_copy_their_stored_blocks(tmp_path: Path) -> None:
    rng = random.Random(4)
    docs = [_doc(n, rng) for n in range(400)]
    ix = heron.create_index(tmp_path / "ix", _schema())
    for start in (0, 150, 260):  # three segments, nothing deleted: blocks copied as they are
        with ix.writer(merge=False) as w:
            w.add_documents(docs[start : start + {0: 150, 150: 110, 260: 140}[start]])
    fresh = heron.create_index(tmp_path / "fresh", _schema())
    with fresh.writer() as w:
        w.add_documents(docs)
    (entry,) = latest_manifest(fresh.path).segments
    built = Container(SegmentReader(fresh.path, entry).path, SEGMENT_MAGIC)
    merged = _merge(ix.path, tmp_path / "merged.hsg", 5000)
    assert sorted(built.names()) == sorted(merged.names())
    assert built.meta == merged.meta
    for name in built.names():
        if not name.startswith("stored."):  # every other array is the same
            assert np.array_equal(built.array(name), merged.array(name)), name
    # the stored documents are the same; each input segment's last block ends where it did
    assert np.array_equal(built.array("stored.offsets"), merged.array("stored.offsets"))
    assert not np.array_equal(built.array("stored.blocks"), merged.array("stored.blocks"))
    with ix.writer() as w:
        w.commit(optimize=True)
    ix.check()
    with ix.searcher() as s, fresh.searcher() as f:
        assert list(s.documents()) == list(f.documents()) == [
            {k: v for k, v in d.items() if k in ("id", "title", "tags", "year", "published",
                                                 "url")} for d in docs]


def test_optimize_with_a_small_buffer_keeps_search_results(tmp_path: Path) -> None:
    ix = _segmented_index(tmp_path / "ix")
    with ix.searcher() as s:
        before = {h["id"] for h in s.search("w1 alpha", limit=1000)}
        count = ix.doc_count()
    with ix.writer(buffer_mb=0.01) as w:  # tiny merge chunks
        w.commit(optimize=True)
    assert len(latest_manifest(ix.path).segments) == 1
    assert ix.doc_count() == count
    with ix.searcher() as s:
        after = {h["id"] for h in s.search("w1 alpha", limit=1000)}
    assert after == before  # scores move: deleted documents no longer count in statistics
    ix.check()
    assert all(OWN_FILE.match(p.name) or p.name.endswith(".lock") for p in ix.path.iterdir()
               if not p.name.endswith(".hdl"))


_CHILD = textwrap.dedent("""
    import json, random, resource, sys
    import heron
    docs, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(3)
    words = [f"w{i}x{i % 97}" for i in range(30000)]
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True),
                          tag=heron.KEYWORD())
    ix = heron.create_index(path, schema)
    def gen():
        for n in range(docs):
            yield {"id": str(n), "body": " ".join(rng.choices(words, k=80)), "tag": str(n % 50)}
    with ix.writer(buffer_mb=4) as w:
        w.add_documents(gen())
    with ix.writer(buffer_mb=4) as w:  # merges everything in chunks of about 1 MB
        w.commit(optimize=True)
    print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
""")


def _peak_kib(tmp_path: Path, docs: int) -> int:
    # the same kernels at both sizes (numba, past AUTO_FROM documents, costs ~120 MB once)
    env = {**os.environ, "HERON_KERNELS": "numpy"}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(docs), str(tmp_path / f"ix{docs}")],
                          check=True, capture_output=True, text=True, timeout=120, env=env)
    return int(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
def test_writer_peak_memory_does_not_grow_with_the_collection(tmp_path: Path) -> None:
    small = _peak_kib(tmp_path, 4_000)
    large = _peak_kib(tmp_path, 24_000)
    # six times the documents, a dozen segments merged: the peak barely moves (before the
    # streaming merge it tripled: 157 MB and 487 MB at 5,000 and 30,000 documents)
    assert large < small * 1.3 + 15_000, (small, large)
