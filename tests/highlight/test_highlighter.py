"""Fragmenters, formatters and match finding, on plain texts."""

from __future__ import annotations

import re

import pytest

from heron.analysis import FoldingAnalyzer, StandardAnalyzer
from heron.errors import HeronError
from heron.highlight import (
    AnsiFormatter,
    ContextFragmenter,
    HtmlFormatter,
    SentenceFragmenter,
    Span,
    TextFormatter,
    WholeFragmenter,
)
from heron.highlight._highlighter import highlight
from heron.highlight._marks import PhraseMark, QueryMarks

STD = StandardAnalyzer()
MARKED = re.compile(r'<b class="match term(\d+)">(.*?)</b>')


def marked(html: str) -> list[tuple[int, str]]:
    return [(int(n), word) for n, word in MARKED.findall(html)]


def test_stemmed_and_cased_words_are_marked() -> None:
    out = highlight("A Tunnel, two tunnels and tunnelling.", STD, QueryMarks(("tunnel",)))
    assert marked(out) == [(0, "Tunnel"), (0, "tunnels"), (0, "tunnelling")]


def test_term_classes_follow_query_order() -> None:
    out = highlight("gaza tunnels near gaza", STD, QueryMarks(("tunnel", "gaza")))
    assert marked(out) == [(1, "gaza"), (0, "tunnels"), (1, "gaza")]


def test_phrase_marked_only_where_it_occurs_together() -> None:
    text = "Smuggling is old. Tunnels are new. The smuggling tunnels were flooded."
    out = highlight(text, STD, QueryMarks(phrases=(PhraseMark(("smuggl", "tunnel"), (0, 1)),)),
                    fragmenter=WholeFragmenter())
    assert marked(out) == [(0, "smuggling"), (1, "tunnels")]
    assert out.startswith("Smuggling is old. Tunnels are new.")


def test_sloppy_phrase_marks_the_window() -> None:
    text = "hamas met isis; hamas alone. " + "filler words here " * 5 + "isis alone"
    marks = QueryMarks(phrases=(PhraseMark(("hama", "isi"), (0, 1), slop=3),))
    out = highlight(text, STD, marks, fragmenter=WholeFragmenter())
    assert [w for _, w in marked(out)] == ["hamas", "isis", "hamas"]
    assert out.endswith("isis alone")  # too far from any hamas: not part of the phrase


def test_html_is_escaped_and_only_our_marks_are_markup() -> None:
    text = 'Tunnel <script>alert("x")</script> & <img src=x onerror=alert(1)> tunnel'
    out = highlight(text, STD, QueryMarks(("tunnel", "script", "img")),
                    fragmenter=WholeFragmenter())
    assert "<script" not in out
    assert "<img" not in out
    assert "&lt;" in out
    assert "&amp;" in out
    assert "&quot;x&quot;" in out
    assert marked(out) == [(0, "Tunnel"), (1, "script"), (1, "script"), (2, "img"),
                           (0, "tunnel")]
    stripped = MARKED.sub(lambda m: m.group(2), out)
    assert "<" not in stripped
    assert ">" not in stripped


def test_hostile_term_text_cannot_inject() -> None:
    out = highlight("a <b>bold</b> claim", STD, QueryMarks(("<b>", "bold")))
    assert marked(out) == [(1, "bold")]
    assert "&lt;b&gt;" in out


def test_unicode_offsets_land_on_the_right_characters() -> None:
    text = "Ünïcödé prelude — 東京 tunnel Москва; naïve café, tunnel again"
    out = highlight(text, FoldingAnalyzer("english"), QueryMarks(("tunnel", "москва", "cafe")),
                    formatter=TextFormatter(marker="|"), fragmenter=WholeFragmenter())
    assert out == "Ünïcödé prelude — 東京 |tunnel| |Москва|; naïve |café|, |tunnel| again"


def test_no_match_and_empty_text() -> None:
    assert highlight("nothing here", STD, QueryMarks(("tunnel",))) == ""
    assert highlight("", STD, QueryMarks(("tunnel",))) == ""
    assert highlight("tunnel", STD, QueryMarks()) == ""


def test_context_fragments_are_short_and_cut_at_words() -> None:
    filler = " ".join(f"word{i}" for i in range(400))
    text = f"{filler} tunnel {filler} tunnel {filler}"
    out = highlight(text, STD, QueryMarks(("tunnel",)), fragmenter=ContextFragmenter(60),
                    formatter=TextFormatter(), top=2)
    parts = out.split(" ... ")
    assert len(parts) == 2
    for part in parts:
        assert "*tunnel*" in part
        assert len(part) <= 60 + 20
        assert all(re.fullmatch(r"word\d+|\*tunnel\*", w) for w in part.split())


def test_best_fragment_holds_most_distinct_terms() -> None:
    filler = " ".join(f"w{i}" for i in range(300))
    text = f"gaza alone. {filler} gaza tunnels smuggling together. {filler} tunnels alone."
    out = highlight(text, STD, QueryMarks(("gaza", "tunnel", "smuggl")), top=1,
                    fragmenter=ContextFragmenter(80), formatter=TextFormatter())
    assert "*gaza* *tunnels* *smuggling*" in out
    assert "alone" not in out


def test_sentence_fragmenter_gives_whole_sentences() -> None:
    text = "First sentence has nothing. The tunnel was flooded! Last one has none? Tunnels again."
    out = highlight(text, STD, QueryMarks(("tunnel",)), fragmenter=SentenceFragmenter(),
                    formatter=TextFormatter())
    assert out == "The *tunnel* was flooded! ... *Tunnels* again."


def test_whole_fragmenter_keeps_everything() -> None:
    text = "alpha tunnel omega " * 50
    out = highlight(text, STD, QueryMarks(("tunnel",)), fragmenter=WholeFragmenter(),
                    formatter=TextFormatter())
    assert out.count("*tunnel*") == 50
    assert out.replace("*", "") == text


def test_formatters() -> None:
    spans = [Span(2, 8, 0), Span(9, 13, 1)]
    assert HtmlFormatter(tagname="em", classname="hit")("a tunnel gaza", spans) == (
        'a <em class="hit term0">tunnel</em> <em class="hit term1">gaza</em>')
    ansi = AnsiFormatter()("a tunnel \x1b[2Jgaza", [Span(2, 8, 0)])
    assert ansi == "a \x1b[1;31mtunnel\x1b[0m [2Jgaza"
    assert TextFormatter(marker="_")("a tunnel gaza", spans) == "a _tunnel_ _gaza_"

    def custom(text: str, found: list[Span]) -> str:
        return "|".join(text[s.start : s.end].upper() for s in found)

    assert highlight("gaza tunnel", STD, QueryMarks(("tunnel", "gaza")), formatter=custom,
                     fragmenter=WholeFragmenter()) == "GAZA|TUNNEL"


def test_long_text_stops_early_when_good_fragments_come_first() -> None:
    text = "Smuggling tunnels here. " + "Grain markets were calm. " * 200_000  # 5 MB
    calls = 0

    class Counting(type(STD.tokenizer)):  # type: ignore[misc]
        def spans(self, text: str):  # type: ignore[no-untyped-def]
            nonlocal calls
            for item in super().spans(text):
                calls += 1
                yield item

    counting = Counting() | STD.filters[0] | STD.filters[1] | STD.filters[2]
    out = highlight(text, counting, QueryMarks(("smuggl", "tunnel")), top=1)
    assert marked(out) == [(0, "Smuggling"), (1, "tunnels")]
    assert calls < 1000


def test_top_must_be_positive() -> None:
    with pytest.raises(HeronError):
        highlight("tunnel", STD, QueryMarks(("tunnel",)), top=0)


def test_words_longer_than_the_window_in_a_long_text() -> None:
    long_word = "tunnel" + "x" * 50
    text = (f"{long_word} and tunnels " * 5000)  # long enough to be read as a stream
    out = highlight(text, STD, QueryMarks(("tunnel",)), fragmenter=ContextFragmenter(10),
                    formatter=TextFormatter(), top=2)
    assert out.count("*tunnels*") == 2
