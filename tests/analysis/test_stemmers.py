"""The two implementations of StemFilter (nltk's, the default, and PyStemmer's compiled
Snowball): where their English stems differ, how the choice is recorded in an index, and
what opening such an index without PyStemmer says."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import heron
from heron.analysis import (
    SimpleAnalyzer,
    StandardAnalyzer,
    StemFilter,
    analyzer_from_json,
    stem_languages,
)

pytest.importorskip("Stemmer", reason="PyStemmer (the stemmer extra) is not installed")

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

#: every distinct word (SimpleAnalyzer: words, lower-cased) of news (every text field),
#: CISI and NPL (title and text) whose English stems differ, as (nltk, PyStemmer); the
#: other ~99,700 words stem alike
DIFFERENT_ON_DATA = {
    "added": ("ad", "add"), "adding": ("ad", "add"),
    "anthropologists": ("anthropologist", "anthropolog"),
    "biologist": ("biologist", "biolog"), "biologists": ("biologist", "biolog"),
    "dermatologist": ("dermatologist", "dermatolog"), "ecologists": ("ecologist", "ecolog"),
    "emergence": ("emerg", "emergenc"), "emergencies": ("emerg", "emergenc"),
    "emergency": ("emerg", "emergenc"), "emergent": ("emerg", "emergent"),
    "erred": ("er", "err"), "erring": ("er", "err"), "evening": ("even", "evening"),
    "fertlizer": ("fertlize", "fertliz"), "geologist": ("geologist", "geolog"),
    "geologists": ("geologist", "geolog"), "interational": ("inter", "interat"),
    "intercable": ("interc", "intercabl"), "intercity": ("interc", "interciti"),
    "interfer": ("interf", "interfer"), "interfered": ("interf", "interfer"),
    "interfering": ("interf", "interfer"), "interferring": ("interf", "interfer"),
    "intergrated": ("intergr", "intergrat"), "intergrating": ("intergr", "intergrat"),
    "internal": ("intern", "internal"), "internally": ("intern", "internal"),
    "internation": ("intern", "internat"), "international": ("intern", "internat"),
    "internationally": ("intern", "internat"), "internmational": ("internm", "internmat"),
    "interntional": ("internt", "interntion"), "interstate": ("interst", "interstat"),
    "interval": ("interv", "interval"), "intervals": ("interv", "interval"),
    "ionization": ("ionize", "ioniz"), "ionizations": ("ionize", "ioniz"),
    "lateral": ("later", "lateral"), "meteorologist": ("meteorologist", "meteorolog"),
    "meteorologists": ("meteorologist", "meteorolog"),
    "neurologist": ("neurologist", "neurolog"), "notationally": ("notate", "notat"),
    "offing": ("of", "off"), "ophthalmologist": ("ophthalmologist", "ophthalmolog"),
    "opthalmologists": ("opthalmologist", "opthalmolog"),
    "organiaation": ("organia", "organiaat"), "organic": ("organ", "organic"),
    "organically": ("organ", "organic"), "organism": ("organ", "organism"),
    "organisms": ("organ", "organism"), "organization": ("organ", "organiz"),
    "organizations": ("organ", "organiz"), "organize": ("organ", "organiz"),
    "organized": ("organ", "organiz"), "organizer": ("organ", "organiz"),
    "organizers": ("organ", "organiz"), "organizing": ("organ", "organiz"),
    "paste": ("past", "paste"), "pasted": ("past", "paste"),
    "pharmacologist": ("pharmacologist", "pharmacolog"),
    "preionization": ("preionize", "preioniz"),
    "psychologists": ("psychologist", "psycholog"), "quantization": ("quantize", "quantiz"),
    "quantizer": ("quantize", "quantiz"), "realization": ("realize", "realiz"),
    "reionization": ("reionize", "reioniz"), "relization": ("relize", "reliz"),
    "rotationally": ("rotate", "rotat"), "seismologist": ("seismologist", "seismolog"),
    "seismologists": ("seismologist", "seismolog"),
    "sociologist": ("sociologist", "sociolog"), "sociologists": ("sociologist", "sociolog"),
    "technologists": ("technologist", "technolog"), "univers": ("univ", "univer"),
    "universal": ("univers", "universal"), "universality": ("univers", "universal"),
    "universally": ("univers", "universal"), "universals": ("univers", "universal"),
    "universdal": ("universd", "universdal"), "universities": ("univers", "universiti"),
    "university": ("univers", "universiti"), "virologist": ("virologist", "virolog"),
    "vying": ("vy", "vie"),
}

#: words that stem alike in both (inflections, derivations, the "." and "," rule)
ALIKE = ["tunnels", "running", "generously", "happiness", "cocoa", "prices", "exports",
         "shipping", "agreed", "organ", "intern", "nationalization", "u.s", "1,000",
         "3.14", "dying", "skies", "news", "succeeded", "lying", "communism"]


def _differences(words: set[str]) -> dict[str, tuple[str, str]]:
    nltk, compiled = StemFilter("english"), StemFilter("english", implementation="pystemmer")
    pairs = {w: (nltk.map_word(w), compiled.map_word(w)) for w in words}
    return {w: (a, b) for w, (a, b) in pairs.items() if a != b and a and b}


def test_pystemmer_is_a_choice_nltk_the_default() -> None:
    assert StemFilter("english") == StemFilter("english", implementation="nltk")
    assert StemFilter("english") != StemFilter("english", implementation="pystemmer")
    assert StandardAnalyzer().stages[-1] == StemFilter("english")
    assert StandardAnalyzer(stemmer="pystemmer").stages[-1] == StemFilter(
        "english", implementation="pystemmer")
    assert StandardAnalyzer().terms("Reuters added") == ["reuter", "ad"]
    assert StandardAnalyzer(stemmer="pystemmer").terms("Reuters added") == ["reuter", "add"]


@pytest.mark.parametrize("language", stem_languages())
def test_pystemmer_covers_every_language(language: str) -> None:
    stem = StemFilter(language, implementation="pystemmer")
    assert stem.map_word("abc") is not None
    assert stem.map_word("u.s") == "u.s"


def test_unknown_implementation() -> None:
    with pytest.raises(heron.SchemaError, match=r"'lancaster'.*supported: nltk, pystemmer"):
        StemFilter("english", implementation="lancaster")


def test_json_names_only_a_choice_other_than_nltk() -> None:
    nltk = StandardAnalyzer()
    compiled = StandardAnalyzer(stemmer="pystemmer")
    assert nltk.to_json()[-1] == {"name": "stem", "language": "english"}
    assert compiled.to_json()[-1] == {"name": "stem", "language": "english",
                                      "implementation": "pystemmer"}
    assert analyzer_from_json(compiled.to_json()) == compiled
    assert analyzer_from_json(nltk.to_json()) == nltk


def test_differences_on_a_builtin_word_list() -> None:
    words = set(ALIKE) | {"added", "international", "organization", "university", "vying"}
    assert _differences(words) == {w: DIFFERENT_ON_DATA[w] for w in words
                                   if w in DIFFERENT_ON_DATA}
    assert set(_differences(words)) == {"added", "international", "organization",
                                        "university", "vying"}


def _texts() -> Iterator[str]:
    with gzip.open(DATA / "news" / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            yield from (v for v in json.loads(line).values() if isinstance(v, str))
    for name in ("cisi", "npl"):
        with (DATA / name / "corpus.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                doc = json.loads(line)
                yield doc.get("title") or ""
                yield doc.get("text") or ""


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "news").is_dir(), reason=f"no shared data at {DATA}")
def test_differences_on_news_cisi_and_npl() -> None:
    analyzer = SimpleAnalyzer()
    words: set[str] = set()
    for text in _texts():
        words.update(analyzer.terms(text))
    assert len(words) > 50_000
    assert _differences(words) == DIFFERENT_ON_DATA


def _schema(stemmer: str) -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True),
                        body=heron.TEXT(analyzer=StandardAnalyzer(stemmer=stemmer)))


@pytest.mark.parametrize("stemmer", ["nltk", "pystemmer"])
def test_index_records_the_implementation(tmp_path: Path, stemmer: str) -> None:
    index = heron.create_index(tmp_path / "ix", _schema(stemmer))
    with index.writer() as writer:
        writer.add_document(id="a", body="Reuters added the figures")
        writer.add_document(id="b", body="an ad for cocoa")
    reopened = heron.open_index(tmp_path / "ix")
    assert reopened.schema["body"].analyzer == StandardAnalyzer(stemmer=stemmer)
    with reopened.searcher() as searcher:
        found = {q: sorted(h["id"] for h in searcher.search(f"body:{q}")) for q in ("add", "ad")}
    # nltk stems "added" to "ad" and "add" to "add"; PyStemmer both to "add"
    assert found == ({"add": [], "ad": ["a", "b"]} if stemmer == "nltk"
                     else {"add": ["a"], "ad": ["b"]})


def test_opening_without_pystemmer_names_the_extra(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    index = heron.create_index(tmp_path / "ix", _schema("pystemmer"))
    with index.writer() as writer:
        writer.add_document(id="a", body="Reuters added the figures")
    monkeypatch.setitem(sys.modules, "Stemmer", None)  # what an absent package imports as
    with pytest.raises(heron.MissingDependencyError, match=r'heron\[stemmer\]') as info:
        heron.open_index(tmp_path / "ix")
    assert isinstance(info.value, ImportError)
    with pytest.raises(heron.MissingDependencyError, match=r'heron\[stemmer\]'):
        StemFilter("english", implementation="pystemmer")
    assert StemFilter("english").map_word("added") == "ad"  # nltk's needs nothing more
    monkeypatch.undo()
    with heron.open_index(tmp_path / "ix").searcher() as searcher:
        assert [h["id"] for h in searcher.search("body:add")] == ["a"]
