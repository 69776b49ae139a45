"""Fragmenters cut a text into candidate snippets around the matches, and fragments are ranked."""

from __future__ import annotations

import itertools
import re

from attrs import field, frozen

from heron.errors import ArgumentError
from heron.highlight._marks import Span

# sentence ends: . ! ? and their CJK forms (ideographic full stop, full-width ! and ?)
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])[\"')\]]*\s+|\n\s*\n")


@frozen
class Fragment:
    """A stretch ``[start, end)`` of the text and the spans inside it."""

    start: int
    end: int
    spans: tuple[Span, ...]

    def score(self) -> tuple[int, int, int]:
        """Rank key, higher is better: distinct terms, then matches, then closeness."""
        distinct = len({s.term for s in self.spans})
        spread = self.spans[-1].end - self.spans[0].start if self.spans else 0
        return distinct, len(self.spans), -spread


def _word_start(text: str, pos: int, floor: int) -> int:
    """Move ``pos`` back to the start of the word it falls in (not before ``floor``)."""
    while pos > floor and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _word_end(text: str, pos: int, ceiling: int) -> int:
    """Move ``pos`` forward to the end of the word it falls in (not past ``ceiling``)."""
    while pos < ceiling and not text[pos].isspace():
        pos += 1
    return pos


@frozen
class ContextFragmenter:
    """Fragments of about ``chars`` characters around groups of nearby matches.

    Matches closer than ``chars`` share a fragment; the rest of the room is filled
    with context on both sides, cut at word boundaries.
    """

    chars: int = field(default=200)
    window: int | None = field(init=False)

    def __attrs_post_init__(self) -> None:
        if self.chars < 1:
            raise ArgumentError(f"ContextFragmenter needs chars >= 1, got {self.chars}")
        object.__setattr__(self, "window", self.chars)

    def fragments(self, text: str, spans: list[Span], limit: int) -> list[Fragment]:
        """Candidate fragments of ``text[:limit]``."""
        groups: list[list[Span]] = []
        for span in spans:
            if groups and span.end - groups[-1][0].start <= self.chars:
                groups[-1].append(span)
            else:
                groups.append([span])
        out = []
        for group in groups:
            first, last = group[0].start, max(s.end for s in group)
            extra = max(0, self.chars - (last - first))
            start = max(0, first - extra // 2)
            end = min(limit, last + extra - (first - start))
            start = max(0, min(start, end - self.chars))
            if start > 0:  # begin at a word
                start = _word_end(text, start, first)
                while start < first and text[start].isspace():
                    start += 1
            if end < len(text):  # end after a whole word
                end = max(_word_start(text, end, last), last)
            while end > last and text[end - 1].isspace():
                end -= 1
            out.append(Fragment(start, end, tuple(group)))
        return out


@frozen
class SentenceFragmenter:
    """Whole sentences that hold matches (a sentence ends at ``.``, ``!``, ``?`` or a blank line).

    Sentences longer than ``max_chars`` are cut around their matches.
    """

    max_chars: int = 400
    window: int | None = field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "window", self.max_chars)

    def fragments(self, text: str, spans: list[Span], limit: int) -> list[Fragment]:
        """Candidate fragments of ``text[:limit]``."""
        bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)] + [limit]
        out: list[Fragment] = []
        i = 0
        for start, end in itertools.pairwise(bounds):
            inside = []
            while i < len(spans) and spans[i].start < end:
                if spans[i].start >= start:
                    inside.append(spans[i])
                i += 1
            if not inside:
                continue
            stripped_end = start + len(text[start:end].rstrip())
            if stripped_end - start > self.max_chars:
                out.extend(ContextFragmenter(self.max_chars).fragments(text, inside, end))
            else:
                out.append(Fragment(start, stripped_end, tuple(inside)))
        return out


@frozen
class WholeFragmenter:
    """The whole field as one fragment."""

    window: int | None = field(default=None, init=False)

    def fragments(self, text: str, spans: list[Span], limit: int) -> list[Fragment]:
        """The text as a single fragment."""
        return [Fragment(0, len(text), tuple(spans))]


Fragmenter = ContextFragmenter | SentenceFragmenter | WholeFragmenter


def best_fragments(fragments: list[Fragment], top: int) -> list[Fragment]:
    """The ``top`` best-ranked fragments, in text order, trimmed so that none overlap."""
    ranked = sorted(fragments, key=lambda f: f.score(), reverse=True)[:top]
    chosen: list[Fragment] = []
    for frag in sorted(ranked, key=lambda f: f.start):
        if not chosen or frag.start >= chosen[-1].end:
            chosen.append(frag)
            continue
        prev = chosen[-1]
        cut = max(prev.spans[-1].end, frag.start)
        if cut >= frag.spans[0].start:  # the matches interleave: one fragment
            spans = tuple(sorted({*prev.spans, *frag.spans}, key=lambda s: s.start))
            chosen[-1] = Fragment(prev.start, max(prev.end, frag.end), spans)
        else:
            chosen[-1] = Fragment(prev.start, cut, prev.spans)
            chosen.append(Fragment(cut, frag.end, frag.spans))
    return chosen
