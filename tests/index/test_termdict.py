"""The term dictionary finds every term, short or long, and nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron

TERMS = st.text(alphabet="ab\x00é", min_size=1, max_size=10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(present=st.sets(TERMS, min_size=1, max_size=40), probes=st.lists(TERMS, max_size=20))
def test_find_every_term(present: set[str], probes: list[str]) -> None:
    ix = heron.create_index(Path(tempfile.mkdtemp()) / "ix", heron.Schema(key=heron.ID()))
    with ix.writer() as w:
        w.add_documents({"key": t} for t in sorted(present))
    with ix.searcher() as s:
        terms = s.reader.segments[0].terms
        for term in present:
            number = terms.find("key", term)
            assert number >= 0
            assert terms.term(number) == term
        for probe in probes:
            assert (terms.find("key", probe) >= 0) == (probe in present)
        assert terms.find("nofield", next(iter(present))) == -1
        assert list(s.lexicon("key")) == sorted(present, key=lambda t: t.encode())
