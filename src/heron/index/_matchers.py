"""Matchers: how a writer finds the documents a deletion names.

The storage layer knows terms only. Deleting by query needs the query layer, which
sits above it, so the writer takes a :data:`QueryMatcher` from the layer that owns
queries (``heron.Index.writer`` passes one) and calls it as a plain function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from heron.index._reader import IndexReader
from heron.index._segment_reader import SegmentReader
from heron.schema import Schema

#: finds documents to delete: given a reader on some segments, yields (segment, local
#: document numbers) for each segment with matches
Matcher = Callable[[IndexReader], Iterator[tuple[SegmentReader, npt.NDArray[np.int64]]]]
#: turns (query or query string, default fields, schema) into a matcher; raises for a
#: query that does not fit the schema
QueryMatcher = Callable[[object, Sequence[str] | None, Schema], Matcher]


def term_matcher(field: str, term: str) -> Matcher:
    """A matcher for the documents holding one exact term."""

    def match(reader: IndexReader) -> Iterator[tuple[SegmentReader, npt.NDArray[np.int64]]]:
        for seg in reader.segments:
            number = seg.terms.find(field, term)
            if number >= 0:
                yield seg, seg.postings(number)[0].astype(np.int64)

    return match
