"""Ranking quality of heron against tantivy and bm25s on the CISI and NPL collections.

Each engine indexes every document's title and text as one text field with English stemming,
runs every judged query as a bag of words (``\\w+`` words, lower-cased, joined by spaces: the
same string for every engine, free of query syntax) and returns its top 100 documents.
Reported: nDCG@10 (graded gains from the qrels, log2 discount, ideal ranking from all
judged-relevant documents) and Recall@100, averaged over the judged queries.

    .venv/bin/python benchmarks/relevance.py [--data DIR] [--engines heron,tantivy,bm25s]

Two more heron engines index title and text as separate TEXT fields and search both:
``heron-fields`` scores each field with BM25 and adds the scores (the default model),
``heron-bm25f`` scores a word's fields as one unit with BM25F (``BM25F_OPTIONS``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from _checkout import use_checkout_heron
from _common import heron_build, read_jsonl
from _report import Check, finish, load_targets, print_header, print_table, run_info
from _scenario import Timer, add_common_arguments, require_paths
from corpora import Collection, bag_of_words, beir_paths, load_beir, ndcg_at, recall_at
from heron.bench import Engine, Field, engine, normalize

ENGINES = ("heron", "tantivy", "bm25s", "heron-fields", "heron-bm25f")
#: BM25F's parameters for heron-bm25f (title weighted as in Robertson and Zaragoza's runs)
BM25F_OPTIONS: dict[str, Any] = {"k1": 1.2, "b": {"title": 0.5, "text": 0.75},
                                 "weights": {"title": 2.0}}
COLLECTIONS = ("cisi", "npl")
TOP_K = 100
MARGIN = float(load_targets("relevance")["ndcg_margin"])
TEXT_FIELD = "text"

Rankings = dict[str, list[str]]
"""query id -> document ids, best first."""

Ranker = Callable[[Collection, Mapping[str, str], Path], Rankings]
"""Indexes a collection in a work folder and ranks documents for each bag-of-words query."""


@dataclass(frozen=True)
class Score:
    """One engine's figures on one collection."""

    collection: str
    engine: str
    ndcg10: float | None
    recall100: float | None
    seconds: float
    error: str | None = None


#: how heron and tantivy index a collection: an id, and the text (not stored)
FIELDS = (Field("id", "id"), Field(TEXT_FIELD, "text", stored=False))


def rank_with(adapter: Engine, collection: Collection, queries: Mapping[str, str],
              workdir: Path) -> Rankings:
    """Index the collection with an engine adapter of heron.bench and rank for each query."""
    rows = normalize(({"id": doc_id, TEXT_FIELD: text} for doc_id, text in collection.docs),
                     FIELDS, adapter.keywords_as_list)
    adapter.build(workdir, rows, FIELDS)
    with adapter.searcher(workdir, FIELDS, TOP_K) as search:
        return {query_id: search(text) for query_id, text in queries.items()}


def rank_heron(collection: Collection, queries: Mapping[str, str], workdir: Path) -> Rankings:
    """Rank with heron: an ID field and one TEXT field with its default English analyzer."""
    return rank_with(engine("heron"), collection, queries, workdir)


def rank_heron_fields(collection: Collection, queries: Mapping[str, str], workdir: Path,
                      *, data: Path, bm25f: bool) -> Rankings:
    """Rank with heron, title and text in separate TEXT fields, BM25 per field or BM25F."""
    import heron
    from heron import scoring

    corpus_file = beir_paths(data / collection.name)[0]
    schema = heron.Schema(id=heron.ID(stored=True, unique=True), title=heron.TEXT(),
                          text=heron.TEXT())
    rows = ({"id": str(doc["_id"]), "title": doc.get("title") or "", "text": doc.get("text") or ""}
            for doc in read_jsonl(corpus_file))
    heron_build(workdir, schema, rows)
    model = scoring.BM25F(**BM25F_OPTIONS) if bm25f else scoring.BM25()
    with heron.open_index(workdir).searcher(scoring=model) as searcher:
        return {query_id: [hit["id"] for hit in searcher.search(text, limit=TOP_K,
                                                                fields=["title", "text"])]
                for query_id, text in queries.items()}


def rank_tantivy(collection: Collection, queries: Mapping[str, str], workdir: Path) -> Rankings:
    """Rank with tantivy: the text field uses the en_stem tokenizer (no stop words)."""
    return rank_with(engine("tantivy"), collection, queries, workdir)


def rank_bm25s(collection: Collection, queries: Mapping[str, str], workdir: Path) -> Rankings:
    """Rank with bm25s: Lucene BM25 (k1=1.2, b=0.75), English stop words, Snowball stems."""
    del workdir  # bm25s indexes in memory
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    texts = [text for _doc_id, text in collection.docs]
    corpus = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    retriever.index(corpus, show_progress=False)
    query_ids = list(queries)
    tokens = bm25s.tokenize(
        [queries[query_id] for query_id in query_ids],
        stopwords="en",
        stemmer=stemmer,
        return_ids=False,
        show_progress=False,
    )
    found, scores = retriever.retrieve(tokens, k=TOP_K, show_progress=False)
    doc_ids = [doc_id for doc_id, _text in collection.docs]
    return {
        query_id: [doc_ids[doc] for doc, score in zip(row, row_scores, strict=True) if score > 0]
        for query_id, row, row_scores in zip(query_ids, found, scores, strict=True)
    }


RANKERS: dict[str, Ranker] = {"heron": rank_heron, "tantivy": rank_tantivy, "bm25s": rank_bm25s}


def evaluate(collection: Collection, engine: str, workdir: Path, data: Path) -> Score:
    """Run one engine on one collection and average its nDCG@10 and Recall@100."""
    queries = {query_id: bag_of_words(text) for query_id, text in collection.queries.items()}
    rankers: dict[str, Ranker] = {
        **RANKERS, "heron-fields": partial(rank_heron_fields, data=data, bm25f=False),
        "heron-bm25f": partial(rank_heron_fields, data=data, bm25f=True)}
    try:
        with Timer() as timer:
            rankings = rankers[engine](collection, queries, workdir)
    except Exception as error:  # a broken engine must not hide the others' figures
        traceback.print_exc()
        return Score(collection.name, engine, None, None, 0.0, f"{type(error).__name__}: {error}")
    ndcg = [ndcg_at(rankings.get(qid, []), collection.qrels[qid], 10) for qid in queries]
    recall = [recall_at(rankings.get(qid, []), collection.qrels[qid], TOP_K) for qid in queries]
    return Score(
        collection.name, engine, sum(ndcg) / len(ndcg), sum(recall) / len(recall), timer.seconds
    )


def heron_check(collection: str, scores: list[Score]) -> Check:
    """heron's nDCG@10 must be within MARGIN of the best peer's on the collection."""
    name = f"{collection}: heron nDCG@10 >= best peer nDCG@10 - {MARGIN}"
    mine = {score.engine: score for score in scores if score.collection == collection}
    peers = [s for engine, s in mine.items()
             if not engine.startswith("heron") and s.ndcg10 is not None]
    if "heron" not in mine or not peers:
        return Check(name, None, "needs heron and at least one peer")
    heron = mine["heron"]
    if heron.ndcg10 is None:
        return Check(name, False, f"heron failed ({heron.error})")
    best = max(peers, key=lambda score: score.ndcg10 or 0.0)
    assert best.ndcg10 is not None
    passed = heron.ndcg10 >= best.ndcg10 - MARGIN
    return Check(name, passed, f"heron {heron.ndcg10:.3f}, {best.engine} {best.ndcg10:.3f}")


def describe(collection: Collection) -> str:
    """One line about a collection's size."""
    judgements = sum(len(judged) for judged in collection.qrels.values())
    return (
        f"{collection.name}: {len(collection.docs):,} documents, "
        f"{len(collection.queries)} judged queries, {judgements:,} judgements"
    )


def format_row(score: Score) -> list[object]:
    """A table row for one engine on one collection."""
    if score.error is not None:
        return [score.collection, score.engine, "failed", "failed", "-"]
    return [
        score.collection,
        score.engine,
        f"{score.ndcg10:.3f}",
        f"{score.recall100:.3f}",
        f"{score.seconds:.2f}",
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, ENGINES)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Evaluate every engine on every collection and print the figures."""
    args = parse_args(argv)
    folders = [args.data / name for name in COLLECTIONS]
    require_paths(*(path for folder in folders for path in beir_paths(folder)))
    use_checkout_heron()
    info = run_info(["heron", "tantivy", "bm25s", "PyStemmer", "numpy"])
    print_header("relevance: nDCG@10 and Recall@100, queries as bags of words", info)
    scores: list[Score] = []
    for folder in folders:
        collection = load_beir(folder)
        print(describe(collection))
        for name in args.engines:
            with tempfile.TemporaryDirectory(prefix=f"heron-bench-{name}-") as workdir:
                scores.append(evaluate(collection, name, Path(workdir), args.data))
    print()
    print_table(
        ["collection", "engine", "nDCG@10", "Recall@100", "index+search s"],
        [format_row(score) for score in scores],
        left=2,
    )
    checks = [heron_check(name, scores) for name in COLLECTIONS]
    return finish(args, info, checks, scores=[asdict(score) for score in scores])


if __name__ == "__main__":
    sys.exit(main())
