"""Hit.highlights end to end: what a query marks in a stored document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import heron
from heron.highlight import AnsiFormatter, SentenceFragmenter, TextFormatter, WholeFragmenter

MARKED = re.compile(r'<b class="match term(\d+)">(.*?)</b>')
BODY = ("Egypt flooded the smuggling tunnels under the border. Officials said smuggling "
        "continued, and one tunnel stayed open. <script>alert('x')</script> Tunnels again.")


@pytest.fixture
def searcher(tmp_path: Path) -> heron.Searcher:
    schema = heron.Schema(id=heron.ID(stored=True), title=heron.TEXT(stored=True),
                          body=heron.TEXT(stored=True), notes=heron.TEXT(),
                          tags=heron.KEYWORD(stored=True, commas=True))
    ix = heron.create_index(tmp_path / "ix", schema)
    with ix.writer() as w:
        w.add_document(id="1", title="Tunnels of Rafah", body=BODY, notes="unstored tunnel notes",
                       tags="gaza,egypt")
        w.add_document(id="2", title="Grain", body="Wheat and corn prices.", tags="grain")
    return ix.searcher()


def words(html: str) -> list[str]:
    return [w for _, w in MARKED.findall(html)]


def test_default_html_snippet(searcher: heron.Searcher) -> None:
    hit = searcher.search('body:"smuggling tunnels" egypt')[0]
    out = hit.highlights("body", fragmenter=WholeFragmenter())
    assert words(out) == ["Egypt", "smuggling", "tunnels"]  # lone smuggling/tunnel: unmarked
    assert "&lt;script&gt;" in out
    assert "<script>" not in out


def test_stemmed_terms_and_classes(searcher: heron.Searcher) -> None:
    hit = searcher.search("tunnel smuggled")[0]
    out = hit.highlights("body", fragmenter=WholeFragmenter())
    assert words(out) == ["smuggling", "tunnels", "smuggling", "tunnel", "Tunnels"]
    classes = {w.lower().rstrip("s"): n for n, w in MARKED.findall(out)}
    assert classes["tunnel"] != classes["smuggling"]
    assert words(hit.highlights("title")) == ["Tunnels"]


def test_prohibited_terms_are_never_marked(searcher: heron.Searcher) -> None:
    hit = searcher.search("tunnels -wheat -officials")
    assert [h["id"] for h in hit] == []  # officials occurs in document 1
    hit = searcher.search("tunnels -wheat")[0]
    out = hit.highlights("body", fragmenter=WholeFragmenter())
    assert "Egypt" not in words(out)
    hit = searcher.search("+tunnels NOT grain egypt")[0]
    assert "Egypt" in words(hit.highlights("body", fragmenter=WholeFragmenter()))


def test_expanded_terms_are_marked(searcher: heron.Searcher) -> None:
    hit = searcher.search("body:tunn*")[0]
    assert words(hit.highlights("body", fragmenter=WholeFragmenter())) == [
        "tunnels", "tunnel", "Tunnels"]
    hit = searcher.search("body:egipt~1")[0]
    assert words(hit.highlights("body")) == ["Egypt"]
    hit = searcher.search("tags:gaz*")[0]
    assert words(hit.highlights("tags")) == ["gaza"]


def test_other_formatters_and_fragmenters(searcher: heron.Searcher) -> None:
    hit = searcher.search("tunnels")[0]
    ansi = hit.highlights("body", top=1, formatter=AnsiFormatter())
    assert "\x1b[1;31m" in ansi
    assert "<b" not in ansi
    sentences = hit.highlights("body", fragmenter=SentenceFragmenter(),
                               formatter=TextFormatter())
    assert sentences.startswith("Egypt flooded the smuggling *tunnels* under the border.")


def test_unstored_field_needs_text(searcher: heron.Searcher) -> None:
    hit = searcher.search("tunnel")[0]
    with pytest.raises(heron.HeronError, match="not stored"):
        hit.highlights("notes")
    assert words(hit.highlights("notes", text="some tunnel notes")) == ["tunnel"]


def test_field_without_matches_or_value(searcher: heron.Searcher) -> None:
    hit = searcher.search("wheat")[0]
    assert hit.highlights("title") == ""
    assert words(hit.highlights("body")) == ["Wheat"]


def test_hostile_query_is_not_markup(searcher: heron.Searcher) -> None:
    res = searcher.search('"<script>" OR tunnel OR "><img src=x>"')
    out = res[0].highlights("body", fragmenter=WholeFragmenter())
    stripped = MARKED.sub(lambda m: m.group(2), out)
    assert "<" not in stripped
    assert ">" not in stripped
    assert "script" in words(out)
