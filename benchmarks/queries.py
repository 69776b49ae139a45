"""Query latency of heron and Whoosh on news for phrase, AND, prefix and fuzzy queries.

Both engines index the news collection (Reuters-21578) exactly as benchmarks/indexing.py
does (id; title and body stored, English stemming; topics keywords), each in a child
process of its own, and each then searches its index in another child process. Four
kinds of query, 200 of each (fixed seed), all lower-case, stop words left out (NLTK's
English list, which heron uses, and Whoosh's extra "may", "tbd" and "yet"):

- phrase: two adjacent words of an article body, each of three letters or more,
  ``body:"w1 w2"``.
- and: two or three words of one title, all required, searched in title and body
  (heron: ``default_operator="AND"``; Whoosh: MultifieldParser and its AndGroup).
- prefix: the first four letters of a title word of six letters or more, ``body:tunn*``.
- fuzzy: a title word of five letters or more with one letter replaced, ``body:word~1``
  (Damerau-Levenshtein distance 1, no fixed prefix in either engine: heron's Fuzzy
  defaults to prefix_length 0 and Whoosh's FuzzyTermPlugin to 0 for ``~``).

Every query runs once to warm up (which also records how many documents matched),
then once timed: parsing the string, the top 10 and each hit's stored id. A query that
raises is counted as an error and left out of both engines' latencies.

    .venv/bin/python benchmarks/queries.py [--limit N] [--engines heron,whoosh]
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    Check,
    add_common_arguments,
    percentile,
    print_checks,
    print_header,
    print_table,
    ratio,
    require_paths,
    run_child_script,
    run_info,
    use_checkout_heron,
    write_json,
)
from indexing import (
    NEWS_FILE,
    QUERY_COUNT,
    QUERY_SEED,
    SEARCH_FIELDS,
    STOP_WORDS,
    TOP,
    Row,
    child_index,
    load_news,
    overlap,
    title_words,
)

ENGINES = ("heron", "whoosh")
KINDS = ("phrase", "and", "prefix", "fuzzy")
TARGET_SPEEDUP = 10.0
PREFIX_LETTERS = 4
EXAMPLES = 3
"""Largest match-count disagreements shown per kind."""

# Whoosh's StemmingAnalyzer also drops these words of three letters or more.
WHOOSH_STOP_WORDS = frozenset({"may", "tbd", "yet"})
QUERY_STOP_WORDS = STOP_WORDS | WHOOSH_STOP_WORDS

KindSearch = Callable[[str, str, bool], tuple[list[str], int | None]]
"""Runs one query of a kind; returns the top ids and, when asked, how many docs matched."""


# --------------------------------------------------------------------------- queries


def usable(word: str, shortest: int = 3) -> bool:
    """Whether a lower-case word may go in a query: letters only, long enough, no stop word."""
    return word.isalpha() and len(word) >= shortest and word not in QUERY_STOP_WORDS


def draw(
    rng: random.Random, count: int, candidates: Sequence[Any], make: Callable[[Any], str]
) -> list[str]:
    """``count`` distinct queries, each made from a random candidate."""
    if not candidates:
        sys.exit("no text to build queries from")
    queries: dict[str, None] = {}
    for _ in range(count * 100):
        if len(queries) == count:
            break
        queries[make(rng.choice(candidates))] = None
    return list(queries)


def phrase_queries(rows: Sequence[Row], count: int, rng: random.Random) -> list[str]:
    """Two adjacent body words, neither a stop word nor shorter than three letters."""
    bodies = [row["body"] for row in rows if row["body"]]

    def make(body: str) -> str:
        words = body.lower().split()
        words = _WORDS(body)
        pairs = [(a, b) for a, b in zip(words, words[1:], strict=False) if usable(a) and usable(b)]
        if not pairs:
            return make(rng.choice(bodies))
        first, second = rng.choice(pairs)
        return f'body:"{first} {second}"'

    return draw(rng, count, bodies, make)


def and_queries(rows: Sequence[Row], count: int, rng: random.Random) -> list[str]:
    """Two or three words of one title, all required."""
    titles = [words for row in rows if len(words := query_title_words(row, 3)) >= 2]
    return draw(rng, count, titles, lambda w: " ".join(rng.sample(w, rng.randint(2, 3)
                                                                      if len(w) > 2 else 2)))


def prefix_queries(rows: Sequence[Row], count: int, rng: random.Random) -> list[str]:
    """The first letters of a title word of six letters or more."""
    words = sorted({w for row in rows for w in query_title_words(row, 6)})
    return draw(rng, count, words, lambda w: f"body:{w[:PREFIX_LETTERS]}*")


def fuzzy_queries(rows: Sequence[Row], count: int, rng: random.Random) -> list[str]:
    """A title word of five letters or more with one letter replaced by another."""
    words = sorted({w for row in rows for w in query_title_words(row, 5)})

    def make(word: str) -> str:
        at = rng.randrange(len(word))
        letter = rng.choice(string.ascii_lowercase.replace(word[at], ""))
        return f"body:{word[:at]}{letter}{word[at + 1 :]}~1"

    return draw(rng, count, words, make)


def query_title_words(row: Row, shortest: int) -> list[str]:
    """A title's distinct usable words of ``shortest`` letters or more."""
    return [w for w in title_words(row["title"]) if usable(w, shortest)]


def _WORDS(text: str) -> list[str]:  # noqa: N802
    return []


QUERY_MAKERS = {
    "phrase": phrase_queries,
    "and": and_queries,
    "prefix": prefix_queries,
    "fuzzy": fuzzy_queries,
}


def make_queries(rows: Sequence[Row], count: int, seed: int) -> dict[str, list[str]]:
    """``count`` queries of each kind; each kind draws from its own seeded generator."""
    return {
        kind: QUERY_MAKERS[kind](rows, count, random.Random(f"{seed}-{kind}")) for kind in KINDS
    }
