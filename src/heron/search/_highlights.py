"""What a query marks in one field: its terms (expanded for patterns) and its phrases."""

from __future__ import annotations

from heron.highlight._marks import PhraseMark, QueryMarks
from heron.query import Context, Marks, Query


def query_marks(query: Query, field: str, context: Context) -> QueryMarks:
    """The terms and phrases of ``query`` to mark in ``field``.

    Each query says what it marks (:meth:`~heron.query.Query.marks`): prohibited parts
    (``Not``) mark nothing; prefix, wildcard, range and fuzzy queries mark the terms
    they expand to in this index; a query of the user's marks its :meth:`terms` or
    those of its :meth:`children`.
    """
    found = Marks()
    query.marks(field, context, found)
    phrases = (PhraseMark(p.words, p.offsets, p.slop) for p in found.phrases)
    return QueryMarks(tuple(dict.fromkeys(found.terms)), tuple(dict.fromkeys(phrases)))
