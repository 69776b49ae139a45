"""Scoring models computed from plain statistics, never from a reader.

BM25 (the default), BM25F, TF-IDF, raw frequency and a function of the user's; each
makes a :class:`TermScorer` per term that scores posting arrays and explains a score
as an :class:`Explanation` tree.
"""

from heron.scoring._bm25 import BM25, BM25Scorer
from heron.scoring._bm25f import BM25F, BM25FScorer
from heron.scoring._explanation import Explanation, sum_of
from heron.scoring._model import FieldStats, JointScorer, Scoring, TermScorer
from heron.scoring._simple import TFIDF, Frequency, FunctionScoring

__all__ = [
    "BM25",
    "BM25F",
    "TFIDF",
    "BM25FScorer",
    "BM25Scorer",
    "Explanation",
    "FieldStats",
    "Frequency",
    "FunctionScoring",
    "JointScorer",
    "Scoring",
    "TermScorer",
    "sum_of",
]
