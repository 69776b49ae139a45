"""A segment's terms grouped by length: buckets are views of one array, in dictionary order."""

from __future__ import annotations

from pathlib import Path

import heron
from heron.query._termlist import FieldTerms, field_terms


def test_buckets_hold_each_length_in_dictionary_order() -> None:
    texts = ("a", "bé", "bb", "東京", "ccc", "d")
    terms = FieldTerms.build(10, texts)
    for length in range(5):
        matrix, numbers = terms.bucket(length)
        expected = [i for i, t in enumerate(texts) if len(t) == length]
        assert (numbers - 10).tolist() == expected
        assert ["".join(map(chr, row)) for row in matrix.tolist()] == [texts[i] for i in expected]
        assert matrix.shape == (len(expected), length)


def test_field_terms_are_built_once_per_segment(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "ix", heron.Schema(body=heron.TEXT()))
    with ix.writer() as w:
        w.add_documents([{"body": "tunnels under gaza"}])
    with ix.searcher() as s:
        segment = s.reader.segments[0]
        first = field_terms(segment, "body")
        assert field_terms(segment, "body") is first
        assert set(first.texts) == {"tunnel", "gaza"}
        assert first.bucket(6)[1].tolist() == [segment.terms.find("body", "tunnel")]
