"""Block bounds and block-wise position look-ups against the postings they summarise."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

import heron
from heron.index._blocks import BLOCK, block_table, posting_positions, term_blocks

WORDS = [f"w{i}" for i in range(8)]
PLAIN = heron.analysis.RegexTokenizer() | heron.analysis.LowercaseFilter()
SCHEMA = heron.Schema(title=heron.TEXT(analyzer=PLAIN), body=heron.TEXT(analyzer=PLAIN))


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> heron.Index:
    rng = random.Random(11)

    def text(longest: int) -> str:
        count = rng.randint(0, longest)
        return " ".join(WORDS[min(int(rng.expovariate(0.5)), len(WORDS) - 1)]
                        for _ in range(count))

    ix = heron.create_index(Path(tmp_path_factory.mktemp("blocks")) / "ix", SCHEMA)
    with ix.writer() as w:
        w.add_documents({"title": text(4), "body": text(30)} for _ in range(2500))
    return ix


def _terms(segment: heron.index.SegmentReader) -> list[tuple[str, int]]:
    return [(field, number) for field in ("title", "body") for word in WORDS
            if (number := segment.terms.find(field, word)) >= 0]


def test_block_bounds_hold_every_posting(index: heron.Index) -> None:
    with index.searcher() as searcher:
        segment = searcher.reader.segments[0]
        assert len(block_table(segment).terms)  # frequent words have several blocks
        for field, number in _terms(segment):
            norms = segment.norms(field)
            assert norms is not None
            docs, freqs = segment.postings(number)
            blocks = term_blocks(segment, number, field)
            assert blocks.starts[0] == 0
            assert blocks.ends[-1] == len(docs)
            assert len(blocks.starts) == -(-len(docs) // BLOCK)
            for i, (a, b) in enumerate(zip(blocks.starts, blocks.ends, strict=True)):
                assert blocks.max_freq[i] == freqs[a:b].max()
                assert blocks.min_length is not None
                assert blocks.min_length[i] == norms[docs[a:b]].min()
                assert (blocks.first_doc[i], blocks.last_doc[i]) == (docs[a], docs[b - 1])


def test_posting_positions_equal_the_whole_lists(index: heron.Index) -> None:
    rng = np.random.default_rng(3)
    with index.searcher() as searcher:
        segment = searcher.reader.segments[0]
        for _, number in _terms(segment):
            docs, _ = segment.postings(number)
            every, starts = segment.positions(number)
            for size in (1, 5, len(docs)):
                idx = np.sort(rng.choice(len(docs), min(size, len(docs)), replace=False))
                positions, found, counts = posting_positions(segment, number, idx)
                assert found.tolist() == starts[idx].tolist()
                assert counts.tolist() == (starts[idx + 1] - starts[idx]).tolist()
                assert positions.tolist() == every.tolist()
