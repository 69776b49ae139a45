"""Completions (heron.search._completion) against words counted from the documents.

The reference counts, in Python, every word of the documents the index was given
(lower-cased; a stemmed field still completes to words, never stems), and ranks them by
count, ties alphabetical: what ``complete`` must return whatever path answers (a range
ranked per call, the table of crowded prefixes, a limit past the table).
"""

from __future__ import annotations

import gc
import random
import threading
import weakref
from collections import Counter
from pathlib import Path

import pytest

import heron
from heron.search import _more_like
from heron.search._completion import SMALL, WIDTH

#: no stop word can be spelled with these letters, and the endings make stems differ
LETTERS = "bcdkqxz"
ENDINGS = ["", "s", "ed", "ing", "ies", "ation", "é", "ü"]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Random words over few letters, so prefixes are crowded (many words per prefix)."""
    words = set()
    while len(words) < size:
        stem = "".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 6)))
        words.add(stem + rng.choice(ENDINGS))
    return sorted(words)


def documents(rng: random.Random, words: list[str], count: int) -> list[str]:
    """Documents of Zipf-like word choices (a few words very frequent, ties common)."""
    weights = [1 / (i + 1) for i in range(len(words))]
    return [" ".join(rng.choices(words, weights, k=rng.randint(3, 12))) for _ in range(count)]


def reference(counts: Counter[str], prefix: str, limit: int) -> list[str]:
    """The ``limit`` most counted words starting with ``prefix`` (lower-cased), ties a-z."""
    typed = prefix.strip().lower()
    found = sorted((w for w in counts if w.startswith(typed)), key=lambda w: (-counts[w], w))
    return found[:limit] if typed else []


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[heron.Index, Counter[str]]:
    """A stemmed field over three segments, with the words' counts from the documents."""
    rng = random.Random(5)
    words = vocabulary(rng, 1500)
    docs = documents(rng, words, 1500)
    ix = heron.create_index(tmp_path_factory.mktemp("cpl") / "ix", heron.Schema(
        body=heron.TEXT()))
    for chunk in (docs[:300], docs[300:600], docs[600:]):
        with ix.writer() as w:
            for text in chunk:
                w.add_document(body=text)
    return ix, Counter(t.lower() for d in docs for t in d.split())


def test_every_path_equals_the_counted_words(built: tuple[heron.Index, Counter[str]]) -> None:
    ix, counts = built
    with ix.searcher() as s:
        assert len(s.reader.segments) == 3
        words = sorted(counts)
        heads = Counter(w[:n] for w in words for n in range(1, len(w) + 1))
        crowded = [p for p, n in heads.items() if n > SMALL]
        assert crowded, "the vocabulary is meant to have prefixes of more than SMALL words"
        rng = random.Random(9)
        prefixes = set(LETTERS) | set(crowded) | {w[: rng.randint(1, len(w))]
                                                 for w in rng.sample(words, 200)}
        checked = Counter[str]()
        for prefix in sorted(prefixes):
            size = sum(w.startswith(prefix) for w in words)
            kind = "small" if size <= SMALL else "table"
            for limit in (1, 3, 5, WIDTH, WIDTH + 7, 1000):
                assert s.complete("body", prefix, limit) == reference(counts, prefix, limit), (
                    prefix, limit)
                checked[kind if limit <= WIDTH else f"{kind} past the table"] += 1
        assert all(checked[k] >= 10 for k in ("small", "table", "small past the table",
                                              "table past the table")), checked


def test_case_spacing_and_prefixes_of_no_word(built: tuple[heron.Index, Counter[str]]) -> None:
    ix, counts = built
    with ix.searcher() as s:
        first = next(iter(counts))
        assert s.complete("body", f"  {first[:2].upper()} ") == reference(counts, first[:2], 5)
        assert s.complete("body", "bq" * 20) == []
        assert s.complete("body", "a") == []  # no word has an "a"
        assert s.complete("body", "\U0010ffff") == []
        assert s.complete("body", "b\U0010ffff") == []
        assert s.complete("body", "") == s.complete("body", "   ") == []
        assert s.complete("body", "b", limit=0) == []


def test_spellings_fold_into_the_most_frequent(tmp_path: Path) -> None:
    """A field that keeps case: "Oil" and "oil" are one word, spelled as most often."""
    ix = heron.create_index(tmp_path / "k", heron.Schema(tag=heron.KEYWORD(lowercase=False)))
    values = ["Oil", "Oil", "oil", "OILSEED", "oilseed", "oilseed", "Olive", "oilseed"]
    for chunk in (values[:3], values[3:]):
        with ix.writer() as w:
            for value in chunk:
                w.add_document(tag=value)
    with ix.searcher() as s:
        assert s.reader.segments[0].surface("tag") is None  # terms are the words
        assert s.complete("tag", "o") == ["oilseed", "Oil", "Olive"]
        assert s.complete("tag", "OI", limit=1) == ["oilseed"]


def test_unicode_words(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "u", heron.Schema(body=heron.TEXT()))
    with ix.writer() as w:
        w.add_document(body="Zürich zürich Zug café cafés Ñandú")
        w.add_document(body="zürich ñandú")
    with ix.searcher() as s:
        assert s.complete("body", "zü") == ["zürich"]
        assert s.complete("body", "Z") == ["zürich", "zug"]
        assert s.complete("body", "ÑA") == ["ñandú"]
        assert s.complete("body", "caf") == ["café", "cafés"]


def test_a_reader_is_a_snapshot_and_merges_drop_deleted_words(tmp_path: Path) -> None:
    ix = heron.create_index(tmp_path / "d", heron.Schema(
        id=heron.ID(unique=True), body=heron.TEXT()))
    with ix.writer() as w:
        w.add_document(id="1", body="tunnels tunnel tunnelling")
        w.add_document(id="2", body="tunnelling tunnelling tunnel burrowing")
    with ix.searcher() as old:
        assert old.complete("body", "tun") == ["tunnelling", "tunnel", "tunnels"]
        with ix.writer() as w:
            w.add_document(id="3", body="tunnels tunnels tunnels tunnels")
        with ix.searcher() as new:
            assert new.complete("body", "tun") == ["tunnels", "tunnelling", "tunnel"]
        assert old.complete("body", "tun") == ["tunnelling", "tunnel", "tunnels"]
    with ix.writer() as w:
        w.delete_by_term("id", "2")
    ix.optimize()
    with ix.searcher() as s:  # its term gone, the word is too
        assert len(s.reader.segments) == 1
        assert s.complete("body", "bur") == []
        assert s.complete("body", "tun")[0] == "tunnels"


def test_threads_build_one_table(built: tuple[heron.Index, Counter[str]]) -> None:
    ix, counts = built
    with ix.searcher() as s:
        answers: list[list[str]] = []
        threads = [threading.Thread(target=lambda: answers.append(s.complete("body", "b", 8)))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert answers == [reference(counts, "b", 8)] * 4


def test_unknown_field(built: tuple[heron.Index, Counter[str]]) -> None:
    ix, _ = built
    with ix.searcher() as s, pytest.raises(heron.UnknownFieldError):
        s.complete("titel", "b")


def test_words_count_occurrences_whether_or_not_a_segment_records_forms(tmp_path: Path) -> None:
    """A segment records forms only if some word differs from its term; either way a word
    counts its occurrences, so an unrelated stemmed word changes no ranking."""
    answers = []
    for extra in ([], ["tunnels"]):
        ix = heron.create_index(tmp_path / f"f{len(extra)}", heron.Schema(body=heron.TEXT()))
        with ix.writer() as w:
            for text in ["ore ore ore", "orb", "orb", *extra]:
                w.add_document(body=text)
        with ix.searcher() as s:
            assert (s.reader.segments[0].surface("body") is None) == (not extra)
            answers.append(s.complete("body", "or"))
            assert s.suggest("body", "orx") == ["ore", "orb"]
    assert answers == [["ore", "orb"], ["ore", "orb"]]


def test_words_with_nul_characters(tmp_path: Path) -> None:
    """A crowded prefix ending in U+0000 is its own entry, not its parent's."""
    ix = heron.create_index(tmp_path / "n", heron.Schema(tag=heron.KEYWORD(lowercase=False)))
    with ix.writer() as w:
        for _ in range(5):
            w.add_document(tag="ab")
        for i in range(SMALL + 8):
            w.add_document(tag=f"a\x00{i:02d}")
    with ix.searcher() as s:
        assert s.complete("tag", "a", 2) == ["ab", "a\x0000"]
        assert s.complete("tag", "a\x00", 2) == ["a\x0000", "a\x0001"]


def test_closed_searchers_keep_no_reader_alive(tmp_path: Path) -> None:
    """What completions and key terms remember goes with the searcher."""
    ix = heron.create_index(tmp_path / "r", heron.Schema(
        id=heron.ID(unique=True, stored=True), body=heron.TEXT(stored=True)))
    with ix.writer() as w:
        w.add_document(id="1", body="tunnels under the border")
        w.add_document(id="2", body="tunnel diggers")
    readers = []
    for _ in range(3):
        with ix.searcher() as s:
            assert s.complete("body", "tun") == ["tunnel", "tunnels"]
            assert s.key_terms(["1"], "body", numterms=2)
            readers.append(weakref.ref(s.reader))
        del s
    gc.collect()
    assert [r() for r in readers] == [None, None, None]


def test_term_facts_answer_after_forgetting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    """key_terms' memo of document frequencies starts afresh when full, and still answers."""
    monkeypatch.setattr(_more_like, "FACTS", 3)
    ix = heron.create_index(tmp_path / "k", heron.Schema(body=heron.TEXT(stored=True)))
    with ix.writer() as w:
        w.add_document(body="alpha beta gamma delta epsilon")
        w.add_document(body="alpha beta zeta")
    with ix.searcher() as s:
        first = s.key_terms([0], "body", numterms=5)
        second = s.key_terms([1], "body", numterms=5)
        assert s.key_terms([0], "body", numterms=5) == first
        assert {w for w, _ in second} == {"alpha", "beta", "zeta"}
