"""Suggestions: real words of the index near what was typed.

A stemmed field indexes stems; segments record the words each term came from, with
counts (:mod:`heron.index._surface`), so what comes back is a word of the documents
("petroleum", "exports"), not a stem. A segment without them offers the term itself.

The work per call is bounded: suggestions look only at the terms within the distance
of the word, through the fuzzy query's machinery (terms of the lengths in reach only,
:mod:`heron.query._edits`). Completions are :mod:`heron.search._completion`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from attrs import frozen

from heron.errors import ArgumentError
from heron.index import IndexReader
from heron.index._surface import forms_of
from heron.query._edits import terms_within
from heron.schema import Schema
from heron.search._completion import fold_case

MAX_DISTANCE = 2


@frozen
class Candidate:
    """A word of the index: its edit distance from the typed word and how often it occurs."""

    word: str
    distance: int
    count: int


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (swaps of neighbours count as one edit).

    >>> edit_distance("petrolium", "petroleum"), edit_distance("ab", "ba")
    (1, 1)
    """
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def analysed(schema: Schema, field: str, word: str) -> str | None:
    """The term a single word makes in ``field`` (None: dropped, or not one term)."""
    terms = schema[field].analyzer.terms(word)
    return terms[0] if len(terms) == 1 else None


def word_forms(reader: IndexReader, field: str, terms: Iterable[str]) -> dict[str, int]:
    """The words the terms came from, over all segments, with their counts.

    A term without recorded forms counts as itself, as often as it occurs. Words
    differing only by case are counted together under the most frequent spelling.
    """
    counts: dict[str, int] = {}
    for per_term in forms_by_term(reader, field, list(terms)):
        for word, count in per_term.items():
            counts[word] = counts.get(word, 0) + count
    return fold_case(counts)


def forms_by_term(reader: IndexReader, field: str, terms: Sequence[str]
                  ) -> list[dict[str, int]]:
    """For each term, the words it came from with their counts, over all segments (one
    vectorised look-up of every term per segment)."""
    found: list[dict[str, int]] = [{} for _ in terms]
    for seg in reader.segments:
        forms = seg.surface(field)
        start = seg.terms.field_range(field)[0]
        numbers = seg.terms.find_many(field, terms).tolist()
        for term, number, counts in zip(terms, numbers, found, strict=True):
            if number < 0:
                continue
            words = forms_of(forms, number - start) if forms is not None else []
            for word, count in words or [(term, int(seg.term_occurrences(number, number + 1)[0]))]:
                counts[word] = counts.get(word, 0) + count
    return found


def candidates(reader: IndexReader, schema: Schema, field: str, text: str, *,
               maxdist: int = MAX_DISTANCE, prefix: int = 0) -> list[Candidate]:
    """Words of ``field`` within ``maxdist`` edits of ``text`` (itself excluded), nearest
    and then most frequent first."""
    if not 0 <= maxdist <= MAX_DISTANCE:
        raise ArgumentError(f"maxdist is 0 to {MAX_DISTANCE}, got {maxdist}")
    word = text.strip().lower()
    if not word:
        return []
    probes = {word}
    term = analysed(schema, field, word)
    if term:
        probes.add(term)
    terms: set[str] = set()
    for seg in reader.segments:
        for probe in probes:
            terms.update(terms_within(seg, field, probe, maxdist, word[:prefix]))
    found = []
    for form, count in word_forms(reader, field, terms).items():
        lower = form.lower()
        if lower == word or not lower.startswith(word[:prefix]):
            continue
        distance = edit_distance(word, lower)
        if distance <= maxdist:
            found.append(Candidate(form, distance, count))
    found.sort(key=lambda c: (c.distance, -c.count, c.word))
    return found


def suggest(reader: IndexReader, schema: Schema, field: str, text: str, *, limit: int = 5,
            maxdist: int = MAX_DISTANCE, prefix: int = 0) -> list[str]:
    """Up to ``limit`` words of the index close to ``text``, nearest and most frequent first."""
    found = candidates(reader, schema, field, text, maxdist=maxdist, prefix=prefix)
    return [c.word for c in found[:limit]]
