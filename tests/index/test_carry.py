"""A writer's vocabularies carry over from segment to segment (each word analysed once a
writer): every segment still holds exactly its own terms, postings and surface forms."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import heron
from heron.analysis._encoder import TermEncoder
from heron.index import _writer
from heron.index._manifest import latest_manifest
from heron.index._segment_reader import SegmentReader
from heron.index._segment_writer import SegmentBuilder
from heron.index._surface import forms_of

FIELDS = ("title", "body")


def segment_contents(path: Path) -> list[dict[str, Any]]:
    """Per segment, in order: each field's terms with their postings and surface forms."""
    out = []
    for entry in latest_manifest(path).segments:
        with SegmentReader(path, entry) as seg:
            fields: dict[str, Any] = {}
            for name in FIELDS:
                lo, hi = seg.terms.field_range(name)
                forms = seg.surface(name)
                fields[name] = {
                    seg.terms.term(n): (seg.term_docs(n).tolist(), seg.freqs(n).tolist(),
                                        sorted(forms_of(forms, n - lo)) if forms else None)
                    for n in range(lo, hi)}
                assert all(docs for docs, _, _ in fields[name].values())  # no empty term
                norms = seg.norms(name)
                fields[name + " norms"] = None if norms is None else norms.tolist()
            out.append(fields)
    return out


def build(path: Path, docs: list[dict[str, str]]) -> list[dict[str, Any]]:
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                          body=heron.TEXT())
    index = heron.create_index(path, schema)
    with index.writer(batch_docs=25, merge=False) as writer:
        for start in range(0, len(docs), 100):  # four segments
            writer.add_documents(docs[start : start + 100])
            writer.flush()
    return segment_contents(path)


@pytest.mark.parametrize("kernels", ["numpy", "auto"])
def test_carried_vocabularies_give_each_segment_its_own_terms(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernels: str) -> None:
    monkeypatch.setenv("HERON_KERNELS", kernels)
    rng = np.random.default_rng(11)
    # words that come and go: a segment's vocabulary is not the one before it
    words = [f"Word{i}" if i % 3 else f"word{i}s" for i in range(300)] + ["café", "U.S.",
                                                                         "the", "Tunnels"]
    docs = [{"id": f"d{i}", "title": " ".join(rng.choice(words[i * 3 // 5 : i * 3 // 5 + 40], 3)),
             "body": " ".join(rng.choice(words[i // 2 : i // 2 + 60], 30))
             # a term whose form changes: the first segment's form is none of the others'
             + (" tunnels" if i < 100 else " tunnel")}
            for i in range(400)]
    monkeypatch.setattr(_writer, "_CARRY_SHARE", 10**9)  # a zero share: never carried
    fresh = build(tmp_path / "fresh", docs)
    monkeypatch.setattr(_writer, "_CARRY_SHARE", 1)  # the whole buffer: always carried
    carried = build(tmp_path / "carried", docs)
    assert len(carried) == 4
    assert carried == fresh
    with heron.open_index(tmp_path / "carried").searcher() as searcher:
        assert [h["id"] for h in searcher.search("word3s OR tunnels", limit=400)] == [
            h["id"] for h in heron.open_index(tmp_path / "fresh").searcher().search(
                "word3s OR tunnels", limit=400)]




def test_vocabularies_pruned_to_the_words_in_use_give_the_same_segments(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vocabulary too large to carry whole keeps the words its segment used: each
    segment still holds exactly its own terms, postings and surface forms."""
    docs = [{"id": f"d{i}", "title": f"Title{i % 50} oil", "body": " ".join(
        f"w{(i * 7 + k) % (40 + i)}s" for k in range(20)) + " Oil"} for i in range(400)]
    monkeypatch.setattr(_writer, "_CARRY_SHARE", 10**9)
    fresh = build(tmp_path / "fresh", docs)
    pruned = []
    prune = TermEncoder.pruned

    def counted(self: TermEncoder) -> TermEncoder:
        pruned.append(len(self.terms))
        return prune(self)

    monkeypatch.setattr(TermEncoder, "pruned", counted)
    for k in range(10, 17):  # buffer shares from whole vocabularies carried to none
        monkeypatch.setattr(_writer, "_CARRY_SHARE", 2**k)
        assert build(tmp_path / f"share{k}", docs) == fresh
    assert pruned  # some shares pruned


@pytest.mark.parametrize("second", [{"id": "2"}, {"id": "2", "title": "the of a"}])
def test_a_carried_field_with_no_term_in_the_next_segment(tmp_path: Path, second: dict[str, str]
                                                         ) -> None:
    """A field absent from a segment (or only stop words there) while its vocabulary was
    carried over: the segment is written, nothing is lost."""
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT())
    index = heron.create_index(tmp_path / "ix", schema)
    with index.writer(merge=False) as writer:
        writer.add_document(id="1", title="wheat tunnels")
        writer.flush()
        writer.add_documents([second])
        writer.flush()
        writer.add_document(id="3", title="tunnels")
    with heron.open_index(tmp_path / "ix").searcher() as searcher:
        assert searcher.doc_count() == 3
        assert sorted(h["id"] for h in searcher.search("title:tunnels")) == ["1", "3"]


def test_carried_surface_forms_come_in_the_order_fresh_ones_do(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """Forms of equal counts are written in one order (by their text), whatever order the
    words were numbered in: a carried vocabulary gives the same bytes as a fresh one."""
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT())
    docs = [[{"id": "1", "body": "tunnel"}], [{"id": "2", "body": "tunnels tunnel"}]]
    digests = []
    for share in (10**9, 1):  # never carried, always carried
        monkeypatch.setattr(_writer, "_CARRY_SHARE", share)
        path = tmp_path / str(share)
        index = heron.create_index(path, schema)
        with index.writer(merge=False) as writer:
            for batch in docs:
                writer.add_documents(batch)
                writer.flush()
        digests.append(sorted(f.read_bytes() for f in path.glob("*.hsg")))
    assert digests[0] == digests[1]


def test_a_field_of_unique_values_starts_each_segment_afresh(tmp_path: Path) -> None:
    """Ids never repeat: their vocabulary is not carried (it would only take room), while
    a text field's is; the segments hold the same either way."""
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT())
    builder = SegmentBuilder(schema, ThreadPoolExecutor(max_workers=1))
    builder.add([{"id": f"d{i}", "title": "oil prices"} for i in range(20)])
    builder.write(tmp_path / "a.hsg")
    carried = builder.carry(1 << 30)
    assert carried is not None
    assert set(carried) == {"title"}
    again = SegmentBuilder(schema, ThreadPoolExecutor(max_workers=1), encoders=carried)
    again.add([{"id": f"d{i}", "title": "oil"} for i in range(20, 30)])
    again.write(tmp_path / "b.hsg")
    assert builder.carry(0) is None  # over the room given: nothing carried
