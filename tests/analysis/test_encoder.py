"""TermEncoder: the batch path gives the same terms, positions and lengths as the token path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron.analysis import (
    AccentFoldFilter,
    Analyzer,
    Filter,
    FoldingAnalyzer,
    IDAnalyzer,
    KeywordAnalyzer,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StandardAnalyzer,
    StopFilter,
    Token,
)
from heron.analysis._encoder import EncodedBatch, TermEncoder

Rows = list[tuple[int, str, int]]


class Passthrough(Filter):
    """Changes nothing, but is not a word-map filter, so it forces the token path."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        yield from tokens


def decoded(enc: TermEncoder, batch: EncodedBatch) -> tuple[Rows, list[int]]:
    rows = [
        (int(j), enc.terms[tid], int(pos))
        for j, tid, pos in zip(batch.text_index, batch.term_ids, batch.positions, strict=True)
    ]
    return rows, batch.lengths.tolist()


def expected(analyzer: Analyzer, texts: list[str]) -> tuple[Rows, list[int]]:
    rows = [(j, t.text, t.position) for j, text in enumerate(texts) for t in analyzer.tokens(text)]
    return rows, [sum(1 for r in rows if r[0] == j) for j in range(len(texts))]


def test_example() -> None:
    enc = TermEncoder(StandardAnalyzer())
    batch = enc.encode(["Tunnels and deep tunnels", "", "a tunnel", "the of"])
    assert sorted(enc.terms) == ["deep", "tunnel"]
    assert decoded(enc, batch) == (
        [(0, "tunnel", 0), (0, "deep", 2), (0, "tunnel", 3), (2, "tunnel", 1)],
        [3, 0, 1, 0],
    )
    assert batch.term_ids[0] == batch.term_ids[2] == batch.term_ids[3] != batch.term_ids[1]
    assert batch.text_index.dtype == np.int64
    assert batch.term_ids.dtype == np.int32
    assert batch.positions.dtype == np.int32
    assert batch.lengths.dtype == np.int32


def test_vocabulary_grows_across_batches() -> None:
    enc = TermEncoder(StandardAnalyzer())
    enc.encode(["tunnels under gaza"])
    vocab = list(enc.terms)
    second = enc.encode(["Gaza tunnel", "new border"])
    assert enc.terms[: len(vocab)] == vocab
    assert sorted(enc.terms) == ["border", "gaza", "new", "tunnel"]
    assert enc.term_id("gaza") == vocab.index("gaza")
    assert decoded(enc, second) == ([(0, "gaza", 0), (0, "tunnel", 1), (1, "new", 0),
                                     (1, "border", 1)], [2, 2])


@pytest.mark.parametrize("texts", [[""], ["Tunnels"], ["", "tunnels", ""], ["a", "the"],
                                   ["Tunnels", "tunnels"]])
def test_batches_of_no_word_or_one(texts: list[str]) -> None:
    enc = TermEncoder(StandardAnalyzer())
    assert decoded(enc, enc.encode(texts)) == expected(StandardAnalyzer(), texts)


@pytest.mark.parametrize("analyzer", [StandardAnalyzer(), RegexTokenizer() | NgramFilter()])
def test_empty_batch(analyzer: Analyzer) -> None:
    batch = TermEncoder(analyzer).encode([])
    assert batch.term_ids.shape == batch.positions.shape == batch.text_index.shape == (0,)
    assert batch.lengths.shape == (0,)


def test_non_word_map_analyzer() -> None:
    ana = RegexTokenizer() | LowercaseFilter() | NgramFilter(2, 3)
    enc = TermEncoder(ana)
    batch = enc.encode(["Gaza x", "ab"])
    assert decoded(enc, batch) == (
        [(0, "ga", 0), (0, "gaz", 0), (0, "az", 0), (0, "aza", 0), (0, "za", 0), (1, "ab", 0)],
        [5, 1],
    )


TEXTS = st.lists(
    st.text(st.one_of(st.sampled_from(" ,.-'ÄéßΣ東京"), st.characters()), max_size=40),
    max_size=6,
)


@pytest.mark.parametrize(
    "analyzer", [StandardAnalyzer(), FoldingAnalyzer("german"), IDAnalyzer(),
                 KeywordAnalyzer(commas=True, lowercase=False), Analyzer((RegexTokenizer(),))],
    ids=["standard", "folding", "id", "keyword", "words-as-terms"]
)
@settings(max_examples=60, deadline=None)
@given(first=TEXTS, second=TEXTS)
def test_batch_path_equals_token_path(analyzer: Analyzer, first: list[str],
                                      second: list[str]) -> None:
    batch_enc, token_enc = TermEncoder(analyzer), TermEncoder(analyzer | Passthrough())
    assert analyzer.word_map
    assert not token_enc.analyzer.word_map
    for texts in (first, second):  # the second batch runs with a warm memo
        got = decoded(batch_enc, batch_enc.encode(texts))
        assert got == decoded(token_enc, token_enc.encode(texts))
        assert got == expected(analyzer, texts)


@settings(max_examples=60, deadline=None)
@given(texts=TEXTS)
def test_token_path_of_non_word_map_analyzer(texts: list[str]) -> None:
    ana = RegexTokenizer() | LowercaseFilter() | NgramFilter(1, 3)
    enc = TermEncoder(ana)
    assert decoded(enc, enc.encode(texts)) == expected(ana, texts)
    assert len(set(enc.terms)) == len(enc.terms)


@pytest.mark.parametrize("analyzer", [IDAnalyzer(), Analyzer((RegexTokenizer(),))],
                         ids=["id", "words-as-terms"])
def test_words_that_are_their_own_terms(analyzer: Analyzer) -> None:
    """Without filters a word is its term: numbered at once, no memo, and no surface forms
    (they would all equal their terms); the vocabulary goes on across segments."""
    enc = TermEncoder(analyzer)
    texts = ["A-1 b", "c", "A-1 b", "c"]
    batch = enc.encode(texts)
    rows, lengths = decoded(enc, batch)
    assert (rows, lengths) == expected(analyzer, texts)
    assert len(set(enc.terms)) == len(enc.terms) == len({t for _, t, _ in rows})
    assert [enc.terms.index(t) for _, t, _ in rows] == batch.term_ids.tolist()
    assert enc.surface_forms().words == []
    assert enc.worth_carrying  # half the texts repeat the others
    enc.next_segment()
    known = list(enc.terms)
    again = enc.encode(["c", "d"])
    assert enc.terms[: len(known)] == known
    assert decoded(enc, again) == expected(analyzer, ["c", "d"])
    assert enc.term_id("c") == known.index("c")


def test_a_vocabulary_of_unique_values_is_not_worth_carrying() -> None:
    ids, words = TermEncoder(IDAnalyzer()), TermEncoder(StandardAnalyzer())
    ids.encode([f"doc-{i}" for i in range(50)])
    words.encode(["oil prices rose"] * 50)
    assert not ids.worth_carrying
    assert words.worth_carrying
    words.next_segment()
    words.encode([f"w{i}" for i in range(50)])  # all new to it
    assert not words.worth_carrying


_CASED = [StandardAnalyzer(), Analyzer((RegexTokenizer(), AccentFoldFilter())),
          Analyzer((RegexTokenizer(), StopFilter()))]


@settings(max_examples=60, deadline=None)
@given(segments=st.lists(st.lists(st.text(alphabet="aAbBéÉ ", max_size=14), max_size=5),
                         min_size=1, max_size=4),
       pruned=st.booleans(), which=st.integers(0, len(_CASED) - 1))
def test_surface_forms_of_each_segment(segments: list[list[str]], pruned: bool,
                                       which: int) -> None:
    """A segment's forms are its words as typed (lower-cased unless the term keeps
    capitals) with their counts, whether the vocabulary was carried whole, pruned to the
    words a segment used, or fresh: each word's form is found once, then kept."""
    analyzer = _CASED[which]
    enc = TermEncoder(analyzer)
    for texts in segments:
        enc.encode(texts)
        want: Counter[tuple[str, str]] = Counter()
        for text in texts:
            for word in analyzer.tokenizer.words(text):
                term = analyzer.map_word(word)
                if term is not None:
                    want[term, word.lower() if term == term.lower() else word] += 1
        forms = enc.surface_forms()
        got = {(enc.terms[t], w): c for t, w, c in zip(
            forms.terms.tolist(), forms.words, forms.counts.tolist(), strict=True)}
        assert got == dict(want)
        if pruned:
            enc = enc.pruned()
        else:
            enc.next_segment()
