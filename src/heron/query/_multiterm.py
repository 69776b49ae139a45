"""Queries that expand to many terms of the dictionary: prefix, wildcard and term ranges.

Expansion is capped (``max_expansions``, default 1024, like Lucene's clause limit):
beyond it a :class:`QueryError` names the pattern. As in Lucene, the expanded terms
match with a constant score (the query's boost).

A wildcard pattern is matched in time linear in the term's length (times the
pattern's): runs of ``*`` collapse to one, and each fixed part between two stars is
found by a lazy run inside an atomic group, so that a regular expression never
retries where an earlier part could have matched (the leftmost match of each part
is the right one for ``*`` and ``?`` patterns).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator

import numpy as np
from attrs import define, frozen

from heron._kernels import active
from heron.errors import QueryError
from heron.index import SegmentReader
from heron.index._termdict import lookup_bytes
from heron.query._base import Context, Query
from heron.query._matches import Matches
from heron.query._share import exact_key
from heron.query._termlist import field_terms
from heron.query._weight import Marks, Weight

MAX_EXPANSIONS = 1024


class MultiTerm(Query):
    """Base of queries that match any of the terms they expand to."""

    field: str
    boost: float
    max_expansions: int

    def describe(self) -> str:
        """How the query reads in an error message."""
        raise NotImplementedError

    def segment_terms(self, segment: SegmentReader) -> Iterator[tuple[int, str]]:
        """Yield (number, text) of the matching terms of one segment."""
        raise NotImplementedError

    def segment_span(self, segment: SegmentReader) -> tuple[int, int] | None:
        """The numbers ``[start, stop)`` of the matching terms of one segment when they
        follow each other in the dictionary (a prefix, a range); None when they do not."""
        return None

    def expand(self, context: Context) -> dict[str, list[int]]:
        """Term numbers per segment name, after checking the expansion cap."""
        found: set[str] = set()
        per_segment: dict[str, list[int]] = {}
        for segment in context.reader.segments:
            span = self.segment_span(segment)
            if span is not None and span[1] - span[0] > self.max_expansions:
                raise self.too_many()  # distinct terms of one segment: no need to read them
            numbers = per_segment[segment.name] = []
            terms = (self.segment_terms(segment) if span is None
                     else segment.terms.iter_range(self.field, *span))
            for number, text in terms:
                numbers.append(number)
                found.add(text)
                if len(found) > self.max_expansions:
                    raise self.too_many()
        return per_segment

    def too_many(self) -> QueryError:
        """The error of a query that expands to more terms than its cap."""
        return QueryError(f"{self.describe()} expands to more than {self.max_expansions} terms; "
                          "make it more specific or raise max_expansions")

    def expanded_terms(self, context: Context) -> set[str]:
        """The terms this query matches in the index."""
        return {
            text
            for segment in context.reader.segments
            for _, text in self.segment_terms(segment)
        }

    def bind(self, context: Context) -> Weight:
        ftype = context.schema[self.field]
        if ftype.columnar or not ftype.indexed:
            raise QueryError(f"a {self.describe().split()[0]} query needs a text field; "
                             f"{self.field!r} is {ftype.kind}")
        return _ConstantWeight(self.expand(context), self.boost * ftype.boost, self.describe())

    def marks(self, field_name: str, context: Context, into: Marks) -> None:
        """The terms the query expands to in this index."""
        if self.field == field_name:
            into.terms.extend(sorted(self.expanded_terms(context)))

    def share_key(self) -> Hashable | None:
        return exact_key(self)


@define
class _ConstantWeight(Weight):
    numbers: dict[str, list[int]]
    score: float
    description: str = "a constant score"

    def describe(self) -> str:
        return f"{self.description}, constant score (boost)"

    def match(self, segment: SegmentReader) -> Matches:
        numbers = self.numbers.get(segment.name, [])
        if not numbers:
            return Matches.empty()
        every = [segment.postings(n)[0] for n in numbers]
        docs = active(segment.doc_count).distinct(
            every[0] if len(every) == 1 else np.concatenate(every), segment.doc_count,
            segment.deleted)
        return Matches(docs, np.full(len(docs), self.score))


def _check_cap(value: int) -> None:
    if value < 1:
        raise QueryError(f"max_expansions must be at least 1, got {value}")


def _check_text(field: str, kind: str, value: object) -> None:
    if not isinstance(value, str):
        raise QueryError(f"a {kind} query on {field!r} takes text, got "
                         f"{type(value).__name__} {value!r:.60}")


@frozen
class Prefix(MultiTerm):
    """Documents with a term of ``field`` that starts with ``prefix``.

    >>> Prefix("body", "tunn")
    Prefix(field='body', prefix='tunn', boost=1.0, max_expansions=1024)
    """

    field: str
    prefix: str
    boost: float = 1.0
    max_expansions: int = MAX_EXPANSIONS

    def __attrs_post_init__(self) -> None:
        _check_cap(self.max_expansions)
        _check_text(self.field, "prefix", self.prefix)
        if not self.prefix and self.max_expansions <= MAX_EXPANSIONS:
            raise QueryError(f"an empty prefix on {self.field!r} matches every term; "
                             "raise max_expansions to allow it")

    def describe(self) -> str:
        return f"prefix {self.field}:{self.prefix}*"

    def segment_terms(self, segment: SegmentReader) -> Iterator[tuple[int, str]]:
        return segment.terms.iter_range(self.field, *self.segment_span(segment))

    def segment_span(self, segment: SegmentReader) -> tuple[int, int]:
        return segment.terms.prefix_range(self.field, self.prefix)


def collapse_stars(pattern: str) -> str:
    """The same pattern with every run of ``*`` and ``?`` holding a star as ``?``s then one ``*``.

    >>> collapse_stars("a**?*b")
    'a?*b'
    """
    return re.sub(r"[*?]*\*[*?]*", lambda m: "?" * m.group().count("?") + "*", pattern)


def _fixed(part: str) -> str:
    """A regular expression for a part without stars: literal characters and ``?``."""
    return "".join("." if c == "?" else re.escape(c) for c in part)


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """A compiled regular expression for a wildcard pattern (``*`` any run, ``?`` one).

    Use it with ``fullmatch``; it runs in time linear in the text for a given pattern.

    >>> wildcard_regex("t?n*el*s").pattern
    't.n(?>.*?el).*s'
    """
    parts = collapse_stars(pattern).split("*")
    if len(parts) == 1:  # no star: the whole term is one fixed part
        return re.compile(_fixed(parts[0]), re.DOTALL)
    first, *middle, last = parts
    runs = "".join(f"(?>.*?{_fixed(part)})" for part in middle)
    return re.compile(f"{_fixed(first)}{runs}.*{_fixed(last)}", re.DOTALL)


@frozen
class Wildcard(MultiTerm):
    """Documents with a term of ``field`` matching ``pattern`` (``*`` any run, ``?`` one).

    >>> Wildcard("body", "t?nnel*").describe()
    'wildcard body:t?nnel*'
    """

    field: str
    pattern: str
    boost: float = 1.0
    max_expansions: int = MAX_EXPANSIONS

    def __attrs_post_init__(self) -> None:
        _check_cap(self.max_expansions)
        _check_text(self.field, "wildcard", self.pattern)
        if not self.pattern.strip("*?") and self.max_expansions <= MAX_EXPANSIONS:
            raise QueryError(f"wildcard {self.pattern!r} on {self.field!r} has no letters and "
                             "matches every term; raise max_expansions to allow it")

    def describe(self) -> str:
        return f"wildcard {self.field}:{self.pattern}"

    def segment_terms(self, segment: SegmentReader) -> Iterator[tuple[int, str]]:
        pattern = collapse_stars(self.pattern)
        regex = wildcard_regex(pattern)
        literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
        if literal:  # the terms that start with the literal part, from the dictionary
            start, stop = segment.terms.prefix_range(self.field, literal)
            for number, text in segment.terms.iter_range(self.field, start, stop):
                if regex.fullmatch(text):
                    yield number, text
            return
        # no literal start: every term of the field long enough for the fixed characters
        terms = field_terms(segment, self.field)
        shortest = len(pattern) - pattern.count("*")
        fits = terms.lengths >= shortest if "*" in pattern else terms.lengths == shortest
        texts = terms.texts
        for i in np.flatnonzero(fits).tolist():
            if regex.fullmatch(texts[i]):
                yield terms.start + i, texts[i]


@frozen
class TermRange(MultiTerm):
    """Documents with a term of ``field`` between ``low`` and ``high`` in dictionary order.

    ``None`` leaves an end open.

    >>> TermRange("id", "a", "c", include_high=False).describe()
    'range id:[a TO c}'
    """

    field: str
    low: str | None
    high: str | None
    include_low: bool = True
    include_high: bool = True
    boost: float = 1.0
    max_expansions: int = MAX_EXPANSIONS

    def __attrs_post_init__(self) -> None:
        _check_cap(self.max_expansions)

    def describe(self) -> str:
        return (f"range {self.field}:{'[' if self.include_low else '{'}{self.low or '*'} TO "
                f"{self.high or '*'}{']' if self.include_high else '}'}")

    def segment_terms(self, segment: SegmentReader) -> Iterator[tuple[int, str]]:
        return segment.terms.iter_range(self.field, *self.segment_span(segment))

    def segment_span(self, segment: SegmentReader) -> tuple[int, int]:
        terms = segment.terms
        start, stop = terms.field_range(self.field)
        if self.low is not None:
            raw = lookup_bytes(self.low)
            start = terms.lower_bound(self.field, raw)
            if not self.include_low and start < stop and terms.term_bytes(start) == raw:
                start += 1
        if self.high is not None:
            raw = lookup_bytes(self.high)
            end = terms.lower_bound(self.field, raw)
            if self.include_high and end < stop and terms.term_bytes(end) == raw:
                end += 1
            stop = min(stop, end)
        return start, max(start, stop)
