"""Searching: the searcher, top-k collection and results."""

from heron.search._pages import ResultsPage
from heron.search._results import Hit, Results
from heron.search._searcher import Searcher

__all__ = ["Hit", "Results", "ResultsPage", "Searcher"]
