"""Explaining a hit's score: the bound query's weights explain themselves, as a tree."""

from __future__ import annotations

from heron.query import Context, Query
from heron.scoring import Explanation


def explanation(query: Query, docnum: int, context: Context) -> Explanation:
    """How ``query`` scores document ``docnum``, as a tree whose root is the score.

    Every weight explains its own part (:meth:`~heron.query.Weight.explain`): a term
    factor by factor, a compound query as the sum of its parts; a weight that knows no
    factors reports its score as one value.
    """
    segment, local = context.reader.locate(docnum)
    found = query.bind(context).explain(segment, local)
    return found if found is not None else Explanation(0.0, "no part of the query matches")


def explain(query: Query, docnum: int, context: Context) -> str:
    """A readable account of how ``query`` scores document ``docnum``."""
    return explanation(query, docnum, context).format()
