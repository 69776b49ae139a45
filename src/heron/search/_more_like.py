"""More like this and key terms: a document's most distinctive terms, and what shares them.

A document's terms come from the cheapest place that has them: its stored text,
analysed again; else, for a field that is not stored, the term list the segment keeps
per document for such fields (``fwd.<f>.*``) with each frequency read from that term's
postings by one binary search; or from text the caller gives. Terms are weighted by
frequency times BM25's inverse document frequency, and the best become an OR query
whose clauses are boosted by their weight. A searcher remembers the document frequencies
and words of the terms it was asked about (:class:`TermFacts`): documents of one
collection share most of their terms, and a searcher is a snapshot, so they never change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import numpy.typing as npt

from heron.errors import ArgumentError, UnknownFieldError
from heron.index import IndexReader
from heron.query import And, Or, Query, Term
from heron.search._results import Hit, Results
from heron.search._suggest import forms_by_term

if TYPE_CHECKING:
    from heron.search._searcher import Searcher

NUMTERMS = 10
T = TypeVar("T")
#: (field, term) facts a reader remembers before it starts afresh
FACTS = 1 << 17


class TermFacts:
    """Document frequencies and most frequent words of a searcher's terms, each looked up
    once (kept by the searcher, dropped when it closes)."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._dfs: dict[tuple[str, str], int] = {}
        self._words: dict[tuple[str, str], str] = {}

    def doc_freqs(self, field: str, terms: Sequence[str]) -> npt.NDArray[np.int64]:
        """How many documents hold each term (:meth:`IndexReader.doc_freqs`)."""
        found = self._lookup(self._dfs, field, terms,
                             lambda missing: self._reader.doc_freqs(field, missing).tolist())
        return np.asarray(found, dtype=np.int64)

    def words(self, field: str, terms: Sequence[str]) -> list[str]:
        """Each term's most frequent word (the term itself if it has none)."""

        def most_frequent(missing: list[str]) -> list[str]:
            forms = forms_by_term(self._reader, field, missing)
            return [max(words, key=words.__getitem__) if words else term
                    for term, words in zip(missing, forms, strict=True)]

        return self._lookup(self._words, field, terms, most_frequent)

    @staticmethod
    def _lookup(memo: dict[tuple[str, str], T], field: str, terms: Sequence[str],
                fetch: Callable[[list[str]], list[T]]) -> list[T]:
        """Each term's fact, from the memo or fetched at once for those it lacks (the memo
        starts afresh past :data:`FACTS` entries)."""
        known = {t: memo.get((field, t)) for t in terms}
        missing = [t for t, fact in known.items() if fact is None]
        if missing:
            found = fetch(missing)
            known.update(zip(missing, found, strict=True))
            if len(memo) > FACTS:
                memo.clear()
            memo.update(((field, t), fact) for t, fact in zip(missing, found, strict=True))
        return [fact for t in terms if (fact := known[t]) is not None]

    def doc_count(self) -> int:
        """Live documents of the snapshot."""
        return self._reader.doc_count()

    def clear(self) -> None:
        """Forget every fact."""
        self._dfs.clear()
        self._words.clear()


def doc_terms(searcher: Searcher, docnum: int, field: str) -> Counter[str]:
    """The terms of a document's field with their frequencies (empty if it has none)."""
    reader = searcher.reader
    if searcher.schema[field].stored:
        value = reader.stored_value(docnum, field)
        if value is None:
            return Counter()
        return Counter(searcher.text_terms(field, value if isinstance(value, str)
                                           else str(value)))
    seg, local = reader.locate(docnum)
    forward = seg.forward(field)
    if forward is None:
        return Counter()
    offsets, numbers = forward
    start = seg.terms.field_range(field)[0]
    found: Counter[str] = Counter()
    for number in (numbers[int(offsets[local]) : int(offsets[local + 1])] + start).tolist():
        j = seg.posting_index(number, local)  # the document holds the term: it is found
        found[seg.terms.term(number)] = int(seg.freqs(number)[j]) if j >= 0 else 1
    return found


def weigh(facts: TermFacts, field: str, counts: Counter[str], numterms: int,
          min_df: int = 1) -> list[tuple[str, float]]:
    """The ``numterms`` best terms of ``counts`` by frequency times inverse document
    frequency; terms held by fewer than ``min_df`` documents are left out."""
    terms = list(counts)
    if not terms:
        return []
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(terms))
    df = facts.doc_freqs(field, terms).astype(np.float64)
    total = max(facts.doc_count(), 1)
    scores = tf * np.log1p((total - df + 0.5) / (df + 0.5))
    kept = np.flatnonzero(df >= min_df)
    # the best by score, ties by term: sorted in Python among the few best only
    few = kept[np.argsort(-scores[kept], kind="stable")][: 2 * numterms + 8].tolist()
    best = sorted(((terms[i], float(scores[i])) for i in few), key=lambda ts: (-ts[1], ts[0]))
    return best[:numterms]


def find_doc(searcher: Searcher, values: dict[str, Any]) -> int:
    """The number of the first live document whose fields hold these values."""
    query = And(tuple(Term(name, searcher.schema.term(name, value))
                      for name, value in values.items()))
    hits = searcher.search(query, limit=1).docnums()
    if not hits:
        raise ArgumentError(f"no document has {values!r}")
    return hits[0]


def as_docnum(searcher: Searcher, doc: int | str) -> int:
    """A document number, or the value of the unique field of a document."""
    if isinstance(doc, int) and not isinstance(doc, bool):
        return doc
    unique = searcher.schema.unique_field()
    if unique is None:
        raise ArgumentError(f"{doc!r} is no document number and the schema has no unique "
                            "field")
    return find_doc(searcher, {unique: doc})


def key_terms(searcher: Searcher, facts: TermFacts, docs: Sequence[int | str], field: str,
              numterms: int = NUMTERMS) -> list[tuple[str, float]]:
    """The most distinctive terms of some documents' field (as words), best first."""
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(doc_terms(searcher, as_docnum(searcher, doc), field))
    best = weigh(facts, field, counts, numterms)
    words = facts.words(field, [term for term, _ in best])
    return [(word, score) for word, (_, score) in zip(words, best, strict=True)]


def like_query(searcher: Searcher, facts: TermFacts, docnum: int | None, text: str | None,
               *, fields: Sequence[str], numterms: int) -> Query | None:
    """The OR of the best terms of a document (or of ``text``) in ``fields``, boosted."""
    clauses: list[Query] = []
    for field in fields:
        if docnum is None:
            counts = Counter(searcher.text_terms(field, text or ""))
        else:
            counts = doc_terms(searcher, docnum, field)
        best = weigh(facts, field, counts, numterms,
                     min_df=1 if docnum is None else 2)
        if best:
            top = best[0][1]
            clauses.extend(Term(field, term, boost=score / top) for term, score in best)
    return Or(tuple(clauses)) if clauses else None


def more_like(searcher: Searcher, facts: TermFacts, docnum: int | None, *, text: str | None,
              field: str | None, limit: int, numterms: int) -> Results:
    """Documents like ``docnum`` (itself left out) or like ``text``, best first."""
    if (docnum is None) == (text is None):
        raise ArgumentError("more_like takes a document or text=..., one of them")
    if field is not None and field not in searcher.schema:
        raise UnknownFieldError(field, searcher.schema.names())
    fields = [field] if field is not None else searcher.schema.text_fields()
    query = like_query(searcher, facts, docnum, text, fields=fields, numterms=numterms)
    if query is None:
        return Results(Or(()), 0, [])
    found = searcher.search(query, limit=limit + (docnum is not None))
    kept = [hit for hit in found.hits if hit.docnum != docnum][:limit]
    hits = [Hit(searcher, hit.docnum, hit.score, rank, query)
            for rank, hit in enumerate(kept, 1)]
    total = found.total - any(hit.docnum == docnum for hit in found.hits)
    return Results(query, total, hits)
