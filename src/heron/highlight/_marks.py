"""Finding what to mark: the query's terms and phrases located in a text by re-analysis."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence

from attrs import field, frozen

from heron.analysis import Analyzer
from heron.analysis._base import TermMemo


@frozen
class PhraseMark:
    """A phrase to mark only where its words occur together (within ``slop`` moves)."""

    words: tuple[str, ...]
    offsets: tuple[int, ...]
    slop: int = 0


@frozen
class QueryMarks:
    """The terms and phrases a query looks for in one field.

    ``terms`` are marked wherever they occur; words of ``phrases`` only inside an
    occurrence of the phrase. Each distinct term gets a class number (its order here).
    """

    terms: tuple[str, ...] = ()
    phrases: tuple[PhraseMark, ...] = ()
    classes: dict[str, int] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        classes: dict[str, int] = {}
        for term in (*self.terms, *(w for p in self.phrases for w in p.words)):
            classes.setdefault(term, len(classes))
        object.__setattr__(self, "classes", classes)

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


@frozen
class Span:
    """A marked stretch ``[start, end)`` of text and the class number of its term."""

    start: int
    end: int
    term: int


def analysed_tokens(analyzer: Analyzer, text: str) -> Iterator[tuple[str, int, int, int]]:
    """Yield (term, position, start, end) lazily, memoising words for word-map analyzers."""
    if not analyzer.word_map:
        for tok in analyzer.tokens(text):
            yield tok.text, tok.position, tok.start, tok.end
        return
    memo = TermMemo(analyzer)
    for position, (word, start, end) in enumerate(analyzer.tokenizer.spans(text)):
        term = memo[word]
        if term is not None:
            yield term, position, start, end


def _known_spans(text: str, analyzer: Analyzer, marks: QueryMarks,
                 positions: Mapping[str, Sequence[int]]) -> list[Span]:
    by_position: dict[int, str] = {}
    for term, found in positions.items():
        for p in found:
            by_position[int(p)] = term
    if not by_position:
        return []
    order = sorted(by_position)
    wanted = set(marks.terms)
    spans: list[Span] = []
    hits: dict[str, list[tuple[int, int, int]]] = {}
    # positions past the text's last word (text that is not what was indexed) go unmarked
    for p, (start, end) in zip(order, analyzer.tokenizer.offsets(text, order), strict=False):
        term = by_position[p]
        if term in wanted:
            spans.append(Span(start, end, marks.classes[term]))
        if marks.phrases:
            hits.setdefault(term, []).append((p, start, end))
    spans.extend(_phrase_spans(marks, hits))
    unique = {(s.start, s.end): s for s in spans}
    return sorted(unique.values(), key=lambda s: s.start)


def _short_spans(text: str, analyzer: Analyzer, marks: QueryMarks, memo: TermMemo | None
                 ) -> list[Span]:
    memo = memo if memo is not None else TermMemo(analyzer)
    terms = list(map(memo.__getitem__, analyzer.tokenizer.words(text)))
    wanted = set(marks.terms)
    interesting = wanted.union(*(p.words for p in marks.phrases))
    found = [i for i, t in enumerate(terms) if t in interesting]
    if not found:
        return []
    phrase_words = interesting - wanted if marks.phrases else set()
    spans: list[Span] = []
    hits: dict[str, list[tuple[int, int, int]]] = {}
    for i, (start, end) in zip(found, analyzer.tokenizer.offsets(text, found), strict=True):
        term = terms[i]
        assert term is not None
        if term in wanted:
            spans.append(Span(start, end, marks.classes[term]))
        if term in phrase_words or (marks.phrases and term in wanted):
            hits.setdefault(term, []).append((i, start, end))
    spans.extend(_phrase_spans(marks, hits))
    unique = {(s.start, s.end): s for s in spans}
    return sorted(unique.values(), key=lambda s: s.start)


def _phrase_spans(marks: QueryMarks, hits: dict[str, list[tuple[int, int, int]]]
                  ) -> list[Span]:
    """Spans of the words of every phrase occurrence (positions within the slop)."""
    spans: list[Span] = []
    for phrase in marks.phrases:
        lists = [hits.get(w, []) for w in phrase.words]
        if not all(lists):
            continue
        first_word = lists[0]
        others = [{p: (s, e) for p, s, e in lst} for lst in lists]
        for pos0, _, _ in first_word:
            if phrase.slop == 0:
                at_offsets = [others[i].get(pos0 + off) for i, off in enumerate(phrase.offsets)]
                found = [pair for pair in at_offsets if pair is not None]
                if len(found) == len(at_offsets):
                    spans.extend(Span(s, e, marks.classes[w])
                                 for (s, e), w in zip(found, phrase.words, strict=True))
                continue
            window = []
            for i, off in enumerate(phrase.offsets):
                near = [(abs(p - (pos0 + off)), s, e) for p, s, e in lists[i]
                        if abs(p - (pos0 + off)) <= phrase.slop]
                if not near:
                    break
                window.append(min(near)[1:])
            else:
                spans.extend(Span(s, e, marks.classes[w])
                             for (s, e), w in zip(window, phrase.words, strict=True))
    return spans


#: texts up to this many characters are analysed in one go; longer ones as a stream
SHORT_TEXT = 65_536


def find_spans(text: str, analyzer: Analyzer, marks: QueryMarks, window: int | None,
               enough: int, *, memo: TermMemo | None = None,
               positions: Mapping[str, Sequence[int]] | None = None) -> tuple[list[Span], int]:
    """Spans of query matches in ``text`` and how far the text was read.

    A short text with a word-map analyzer is split with the tokenizer's fast path and
    its words mapped through ``memo`` (which a searcher shares between documents).
    A long one is read as a stream that stops early once ``enough`` disjoint windows
    of ``window`` characters each hold every term of the query (so a huge text is not
    analysed to its end when good fragments came first); ``window=None`` reads all.

    ``positions`` (term to its token positions in this text, as the index holds them)
    skips analysis altogether: the tokenizer only finds those tokens' offsets.
    """
    if positions is not None:
        return _known_spans(text, analyzer, marks, positions), len(text)
    if analyzer.word_map and len(text) <= SHORT_TEXT:
        return _short_spans(text, analyzer, marks, memo), len(text)
    wanted = set(marks.terms)
    phrase_words = {w for p in marks.phrases for w in p.words}
    everything = len(marks.classes)
    spans: list[Span] = []
    hits: dict[str, list[tuple[int, int, int]]] = {}
    complete = 0
    window_end = -1
    read = len(text)
    recent: deque[tuple[int, str]] = deque()  # matches within the last window
    in_window: Counter[str] = Counter()
    for term, position, start, end in analysed_tokens(analyzer, text):
        if term in phrase_words:
            hits.setdefault(term, []).append((position, start, end))
        if term not in wanted and term not in phrase_words:
            continue
        if term in wanted:
            spans.append(Span(start, end, marks.classes[term]))
        if window is None:
            continue
        recent.append((start, term))
        in_window[term] += 1
        while recent and recent[0][0] < end - window:
            _, old = recent.popleft()
            in_window[old] -= 1
            if not in_window[old]:
                del in_window[old]
        if start > window_end and len(in_window) == everything:
            complete += 1
            window_end = end + window
            if complete >= enough:
                read = min(len(text), end + window)
                break
    spans.extend(_phrase_spans(marks, hits))
    unique = {(s.start, s.end): s for s in spans}
    return sorted(unique.values(), key=lambda s: s.start), read
