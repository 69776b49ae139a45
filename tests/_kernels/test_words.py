"""The compiled word table: ASCII texts split into exactly the tokenizer's words, each
distinct word numbered once, in the order first seen; and indexes written with it equal,
byte for byte, those written without it."""

from __future__ import annotations

import hashlib
import importlib.util
import string
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import heron
from heron._kernels import ENV, NUMPY, RULES, Kernels, load
from heron.analysis import LowercaseFilter, RegexTokenizer, StandardAnalyzer
from heron.analysis._encoder import TermEncoder
from heron.analysis._tokenizers import WORD_PATTERN_V1

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
pytestmark = pytest.mark.skipif(
    not HAVE_NUMBA, reason="numba is not installed (the fast extra): no compiled word table")

TOKENIZERS = {"joined": RegexTokenizer(), "runs": RegexTokenizer(WORD_PATTERN_V1)}
#: ASCII with what the word rules turn on: full stops, commas, digits, underscores
ASCII_TEXT = st.text(alphabet=string.ascii_letters[:6] + "XY019_., \n-'\t", max_size=80)
#: and some texts that are not ASCII (split by the tokenizer, looked up in the same memo)
MIXED_TEXT = st.one_of(ASCII_TEXT, st.text(alphabet="abé.,1 \u0301Ωx", max_size=30))


def numba_kernels() -> Kernels:
    return load("numba")


def split_words(rule: str, batches: list[list[str]]) -> tuple[list[str], list[int]]:
    """The words the table finds in ``batches`` of texts, and each text's word count."""
    table = numba_kernels().word_table  # type: ignore[misc]
    assert table is not None
    words_table = table(rule)
    found: list[int] = []
    counts: list[int] = []
    for texts in batches:
        entries, per_text = words_table.split(texts)
        found.extend(entries.tolist())
        counts.extend(per_text.tolist())
    assert len(words_table) == len(set(found))  # each distinct word once
    assert sorted(set(found)) == list(range(len(words_table)))
    words = words_table.words(0)
    assert len(set(words)) == len(words)
    firsts = list(dict.fromkeys(found))
    assert firsts == sorted(firsts)  # numbered in the order first seen
    return [words[e] for e in found], counts


@pytest.mark.parametrize("rule", RULES)
@settings(max_examples=300, deadline=None)
@given(batches=st.lists(st.lists(ASCII_TEXT, max_size=6), max_size=4))
def test_the_table_finds_exactly_the_tokenizers_words(rule: str, batches: list[list[str]]
                                                      ) -> None:
    tokenizer = TOKENIZERS[rule]
    words, counts = split_words(rule, batches)
    texts = [t for batch in batches for t in batch]
    assert words == [w for t in texts for w in tokenizer.words(t)]
    assert counts == [len(tokenizer.words(t)) for t in texts]


@pytest.mark.parametrize("rule", RULES)
def test_the_table_grows_past_its_first_size(rule: str) -> None:
    """Many distinct words and one text longer than the first arena: both grow."""
    rng = np.random.default_rng(7)
    vocabulary = ["".join(rng.choice(list(string.ascii_lowercase), rng.integers(1, 12)))
                  + str(i) for i in range(12_000)]
    texts = [" ".join(rng.choice(vocabulary, 300)) + " 1,000.5 U.S." for _ in range(60)]
    texts.append(" ".join(vocabulary))  # ~100 KB in one text
    texts.append("x" * 70_000)  # one word longer than the first arena
    words, counts = split_words(rule, [texts[:30], texts[30:]])
    tokenizer = TOKENIZERS[rule]
    assert words == [w for t in texts for w in tokenizer.words(t)]
    assert counts == [len(tokenizer.words(t)) for t in texts]


def test_word_rules_are_named_only_where_they_find_the_same_words() -> None:
    class Lowered(RegexTokenizer):
        def words(self, text: str) -> list[str]:
            return [w.lower() for w in super().words(text)]

    assert RegexTokenizer().word_rule == "joined"
    assert RegexTokenizer(WORD_PATTERN_V1).word_rule == "runs"
    assert RegexTokenizer(r"[a-z]+").word_rule is None  # a pattern the table does not know
    assert Lowered().word_rule is None  # finds its words otherwise
    assert heron.analysis.SeparatorTokenizer().word_rule is None


def encoded(kernels: Kernels, batches: list[list[str]]) -> Any:
    encoder = TermEncoder(StandardAnalyzer())
    encoder.use(kernels)
    out = []
    for texts in batches:
        b = encoder.encode(texts)
        out.append((b.text_index.tolist(), [encoder.terms[i] for i in b.term_ids],
                    b.positions.tolist(), b.lengths.tolist()))
    forms = encoder.surface_forms()
    return out, sorted(zip([encoder.terms[t] for t in forms.terms.tolist()], forms.words,
                           forms.counts.tolist(), strict=True))


@settings(max_examples=150, deadline=None)
@given(batches=st.lists(st.lists(MIXED_TEXT, min_size=1, max_size=6), max_size=4))
def test_the_encoder_gives_the_same_terms_with_the_table(batches: list[list[str]]) -> None:
    """ASCII texts through the table, the others through the tokenizer, one memo: the
    same tokens, positions, lengths and surface forms as the tokenizer alone."""
    assert encoded(numba_kernels(), batches) == encoded(NUMPY, batches)


def test_the_encoder_can_switch_to_the_table_part_way() -> None:
    """A writer turns the table on once its load is large: words seen before stay theirs."""
    texts = ["Tunnels near Rafah, 1,000 dlrs", "café tunnels", "U.S. tunnel Tunnels"]
    encoder = TermEncoder(StandardAnalyzer())
    first = encoder.encode(texts)
    encoder.use(numba_kernels())
    second = encoder.encode(texts)
    assert second.term_ids.tolist() == first.term_ids.tolist()
    assert encoder.surface_forms().counts.sum() == 2 * len(first.term_ids)


def index_files(path: Path, kernels: str, monkeypatch: pytest.MonkeyPatch,
                docs: list[dict[str, str]], *, merge: bool) -> list[tuple[int, str]]:
    monkeypatch.setenv(ENV, kernels)
    runs = RegexTokenizer(WORD_PATTERN_V1) | LowercaseFilter()  # heron 0.1's word pattern
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(stored=True),
                          body=heron.TEXT(analyzer=runs), tags=heron.KEYWORD(commas=True))
    index = heron.create_index(path, schema)
    with index.writer(batch_docs=16, merge=merge) as writer:  # the same segments either way
        for start in range(0, len(docs), 100):
            writer.add_documents(docs[start : start + 100])
            writer.flush()
    segments = sorted(f for f in path.iterdir() if f.suffix == ".hsg")
    assert len(segments) == (1 if merge else 4)
    return sorted((f.stat().st_size, hashlib.sha256(f.read_bytes()).hexdigest())
                  for f in segments)


@pytest.mark.parametrize("merge", [False, True])
def test_indexes_written_with_the_table_equal_those_written_without(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merge: bool) -> None:
    rng = np.random.default_rng(3)
    words = ["Tunnel", "tunnels", "U.S.", "1,000.50", "dlrs", "café", "e.g.", "Gaza",
             "wheat", "the", "Ωmega", "x_1", "3.14", "naïve", "ré\u0301sumé"]
    docs = [{"id": f"d{i}", "title": " ".join(rng.choice(words, 4)),
             "body": " ".join(rng.choice(words, int(rng.integers(0, 40)))),
             "tags": "a, b"} for i in range(400)]
    with_table = index_files(tmp_path / "numba", "numba", monkeypatch, docs, merge=merge)
    without = index_files(tmp_path / "numpy", "numpy", monkeypatch, docs, merge=merge)
    assert with_table == without


@pytest.mark.parametrize("merge", [False, True])
def test_a_batch_of_ascii_and_other_texts_gives_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merge: bool) -> None:
    """The table numbers the ASCII texts' words before the others': forms of equal counts
    must not come out in that order."""
    texts = [("café tunnels", "Tunnel"), ("tunnel", "naïve tunnels")]  # forms tie: 1 and 1
    docs = [{"id": f"d{i}", "title": texts[i % 2][0], "body": texts[i % 2][1], "tags": "x"}
            for i in range(400)]
    with_table = index_files(tmp_path / "numba", "numba", monkeypatch, docs, merge=merge)
    without = index_files(tmp_path / "numpy", "numpy", monkeypatch, docs, merge=merge)
    assert with_table == without


def test_the_table_counts_the_words_of_a_long_text_not_its_bytes() -> None:
    """A 10 MB text of eight distinct words: the table stays small (its size counts
    against the writer's buffer)."""
    encoder = TermEncoder(StandardAnalyzer())
    encoder.use(numba_kernels())
    text = "the quick brown fox jumps over the lazy dog " * 230_000
    batch = encoder.encode([text, "x" * 70_000])  # and one word longer than the arena
    assert len(batch.term_ids) == 6 * 230_000 + 1
    assert encoder.nbytes < 1 << 20
