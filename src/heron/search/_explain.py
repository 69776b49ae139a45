"""Explaining a hit's score: each matching term's BM25 factors, as Lucene's explain does."""

from __future__ import annotations

from heron.index import IndexReader
from heron.query import And, AndMaybe, Context, Not, Or, Query, Term


def explain(query: Query, docnum: int, context: Context) -> str:
    """A readable account of how ``query`` scores document ``docnum``.

    Term queries are explained factor by factor (boost, idf, tf part); other query
    kinds are named with the score they add.
    """
    reader: IndexReader = context.reader
    seg, local = reader.locate(docnum)
    lines: list[str] = []
    total = 0.0
    stack: list[Query] = [query]
    while stack:
        q = stack.pop()
        if isinstance(q, And | Or):
            stack.extend(reversed([s for s in q.queries if not isinstance(s, Not)]))
            continue
        if isinstance(q, AndMaybe):
            stack.extend((q.optional, q.required))
            continue
        if isinstance(q, Not):
            continue
        if not isinstance(q, Term):
            found = q.bind(context).match(seg)
            hit = found.docs.searchsorted(local)
            if hit < len(found) and int(found.docs[hit]) == local:
                score = float(found.scores[hit])
                total += score
                lines.append(f"{score:.4f} = {q!r}")
            continue
        term = q.resolve(context.schema)
        number = seg.terms.find(q.field, term)
        if number < 0:
            continue
        docs, freqs = seg.postings(number)
        j = int(docs.searchsorted(local))
        if j >= len(docs) or int(docs[j]) != local:
            continue
        stats = context.field_stats(q.field)
        norms = seg.norms(q.field)
        length = None if norms is None else int(norms[local])
        boost = q.boost * context.schema[q.field].boost
        text = context.scoring.explain(int(freqs[j]), length, stats,
                                       context.doc_freq(q.field, term), boost)
        total += float(text.split(" = ", 1)[0])
        lines.append(f"{q.field}:{q.text}: {text}")
    body = "\n".join("  " + line.replace("\n", "\n  ") for line in lines)
    return f"{total:.4f} = sum of:\n{body}" if lines else "0.0000 = no part of the query matches"
