"""Snippets of a hit's fields: the marks of a query, words analysed once, positions read
from the index; what a searcher remembers for them is bounded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy.typing as npt

from heron.analysis._base import TermMemo
from heron.errors import ArgumentError
from heron.highlight import Formatter, Fragmenter
from heron.highlight._highlighter import highlight
from heron.highlight._marks import SHORT_TEXT, QueryMarks
from heron.index import IndexReader, SegmentReader
from heron.query import Context, Query
from heron.search._highlights import query_marks
from heron.search._lru import LRU

#: (query, field) pairs whose marks a searcher remembers
MARKS_CACHE = 256
#: words whose terms a searcher remembers per field for highlighting
MEMO_WORDS = 200_000
#: fields whose word memos a searcher keeps
MEMO_FIELDS = 64
#: (segment, field, term) whose term numbers a searcher remembers
TERM_NUMBERS = 200_000
#: terms whose per-document position offsets a searcher remembers for highlighting
STARTS_CACHE = 512


class Snippets:
    """Highlights the stored text of hits, remembering what it derived (bounded)."""

    def __init__(self, reader: IndexReader, context: Callable[[], Context]) -> None:
        self.reader = reader
        self._context = context
        self._marks: LRU[tuple[Query, str], QueryMarks] = LRU(MARKS_CACHE)
        self._memos: LRU[str, TermMemo] = LRU(MEMO_FIELDS)
        self._term_numbers: LRU[tuple[str, str, str], int] = LRU(TERM_NUMBERS)
        self._starts: LRU[tuple[str, int], npt.NDArray[Any]] = LRU(STARTS_CACHE)
        #: the query, field and marks of the last highlight
        self._last: tuple[Query, str, QueryMarks] | None = None
        #: for the last marks and field: each segment's marked terms (see :meth:`_locate`)
        self._located: tuple[QueryMarks | None, str, dict[str, list[Any]]] = (None, "", {})

    def clear(self) -> None:
        """Forget everything remembered."""
        self._last = None
        self._located = (None, "", {})
        for cache in (self._marks, self._memos, self._term_numbers, self._starts):
            cache.clear()

    def memo(self, field_name: str) -> TermMemo:
        """The field's word-to-term memo (a new one once it holds too many words)."""
        memo = self._memos.get(field_name)
        if memo is None or len(memo) > MEMO_WORDS:
            memo = self._memos[field_name] = TermMemo(self.reader.schema[field_name].analyzer)
        return memo

    def highlight(self, query: Query, docnum: int, fields: dict[str, Any], field_name: str, *,
                  top: int, fragmenter: Fragmenter | None, formatter: Formatter | None,
                  text: str | None) -> str:
        """Snippets of ``field_name`` of a document (see :meth:`Hit.highlights`)."""
        ftype = self.reader.schema[field_name]
        given = text is not None
        if text is None:
            if not ftype.stored:
                raise ArgumentError(f"field {field_name!r} is not stored, so it cannot be "
                                    "highlighted unless you pass its text (text=...)")
            value = fields.get(field_name)
            if value is None:
                return ""
            text = value if isinstance(value, str) else str(value)
        last = self._last  # the hits of one search share their query: no hashing it again
        if last is not None and last[0] is query and last[1] == field_name:
            marks = last[2]
        else:
            key = (query, field_name)
            known = self._marks.get(key)
            if known is None:
                known = self._marks[key] = query_marks(query, field_name, self._context())
            marks = known
            self._last = (query, field_name, marks)
        positions = None
        if not given and ftype.positions and len(text) <= SHORT_TEXT:
            positions = self.positions(docnum, field_name, marks)
        memo = self.memo(field_name) if ftype.analyzer.word_map else None
        return highlight(text, ftype.analyzer, marks, top=top, fragmenter=fragmenter,
                         formatter=formatter, memo=memo, positions=positions)

    def positions(self, docnum: int, field_name: str, marks: QueryMarks) -> dict[str, Any]:
        """Where each marked term occurs in a stored field, as the index recorded it."""
        seg, local = self.reader.locate(docnum)
        per_segment = self._located
        if per_segment[0] is not marks or per_segment[1] != field_name:
            per_segment = self._located = (marks, field_name, {})
        located = per_segment[2].get(seg.name)
        if located is None:  # once per query and segment, not per hit
            located = per_segment[2][seg.name] = self._locate(seg, field_name, marks)
        found = {}
        for term, number, starts in located:
            where = seg.doc_positions(number, local, starts)
            if where is not None:
                found[term] = where.tolist()
        return found

    def _locate(self, seg: SegmentReader, field_name: str, marks: QueryMarks
                ) -> list[tuple[str, int, npt.NDArray[Any]]]:
        """Each marked term the segment holds: its number and where its postings'
        positions start."""
        located = []
        for term in marks.classes:
            key = (seg.name, field_name, term)
            number = self._term_numbers.get(key)
            if number is None:
                number = self._term_numbers[key] = seg.terms.find(field_name, term)
            if number < 0:
                continue
            starts = self._starts.get((seg.name, number))
            if starts is None:
                starts = self._starts[(seg.name, number)] = seg.positions(number)[1]
            located.append((term, number, starts))
        return located

    def text_terms(self, field_name: str, text: str) -> list[str]:
        """The terms of ``text`` as ``field_name`` indexes them, each word analysed once."""
        analyzer = self.reader.schema[field_name].analyzer
        if not analyzer.word_map:
            return analyzer.terms(text)
        memo = self.memo(field_name)
        return [t for t in map(memo.__getitem__, analyzer.tokenizer.words(text)) if t is not None]
