"""The benchmarks' data (not shipped with heron): the news articles and the judged
collections CISI and NPL, read from ``../shared/data`` (see shared/data/README.md), and the
queries drawn from them."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _checkout
from heron.bench import Field, draw_queries, query_words, read_jsonl

DEFAULT_DATA = _checkout.REPO_ROOT.parent / "shared" / "data"
DATA_README = "shared/data/README.md"
_WORD = re.compile(r"\w+")

Row = dict[str, Any]

# --------------------------------------------------------------------------- news

NEWS_FILE = Path("news") / "reuters21578.jsonl.gz"
#: how every engine indexes news: id, title and body stored (English stemming), topics tags
NEWS_FIELDS = (Field("id", "id"), Field("title", "text"), Field("body", "text"),
               Field("topics", "keyword"))
SEARCH_FIELDS = ("title", "body")
TOP = 10
QUERY_COUNT = 200
QUERY_SEED = 1987


def load_news(path: Path, limit: int | None, comma_topics: bool = False) -> list[Row]:
    """Read the first ``limit`` articles as id/title/body/topics rows.

    Topics are a list of tags, or one comma-separated string when ``comma_topics``.
    """
    rows: list[Row] = []
    for article in read_jsonl(path, limit):
        topics = list(article.get("topics") or [])
        rows.append(
            {
                "id": str(article["id"]),
                "title": article.get("title") or "",
                "body": article.get("body") or "",
                "topics": ",".join(topics) if comma_topics else topics,
            }
        )
    return rows


def text_megabytes(rows: Sequence[Row]) -> float:
    """Characters of every title and body, divided by 1e6."""
    return sum(len(row["title"]) + len(row["body"]) for row in rows) / 1e6


def title_words(title: str) -> list[str]:
    """Distinct lower-case alphabetic words of a title, without stop words and short words."""
    return query_words(title)


def make_queries(rows: Sequence[Row], count: int, seed: int) -> list[str]:
    """Draw ``count`` queries of two to four words, each from one random title."""
    return draw_queries([row["title"] for row in rows], count, seed)


# --------------------------------------------------------------------------- judged collections


@dataclass(frozen=True)
class Collection:
    """A relevance collection: documents, judged queries and graded judgements."""

    name: str
    docs: list[tuple[str, str]]
    """(document id, title and text joined) pairs, in corpus order."""
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    """query id -> document id -> relevance grade."""


def beir_paths(folder: Path) -> list[Path]:
    """The three files of a BEIR-layout collection."""
    return [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / "test.tsv"]


def load_beir(folder: Path) -> Collection:
    """Read a BEIR-layout collection; each document's title and text become one text."""
    corpus_file, queries_file, qrels_file = beir_paths(folder)
    docs = [
        (str(doc["_id"]), " ".join(part for part in (doc.get("title"), doc.get("text")) if part))
        for doc in read_jsonl(corpus_file)
    ]
    queries = {str(query["_id"]): query["text"] for query in read_jsonl(queries_file)}
    qrels: dict[str, dict[str, int]] = {}
    with qrels_file.open(encoding="utf-8") as lines:
        next(lines)  # header: query-id, corpus-id, score
        for line in lines:
            if line.strip():
                query_id, doc_id, score = line.split("\t")
                qrels.setdefault(query_id, {})[doc_id] = int(score)
    judged = {query_id: text for query_id, text in queries.items() if query_id in qrels}
    return Collection(folder.name, docs, judged, qrels)


def bag_of_words(text: str) -> str:
    """Reduce free text to lower-case words joined by spaces, free of query syntax."""
    return " ".join(_WORD.findall(text)).lower()


def ndcg_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with graded gains, a log2 discount and the ideal from all judged-relevant docs."""
    dcg = sum(
        max(judged.get(doc, 0), 0) / math.log2(rank + 2) for rank, doc in enumerate(ranking[:k])
    )
    ideal = sorted((grade for grade in judged.values() if grade > 0), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    """Fraction of the judged-relevant documents found in the first k results."""
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    return len(relevant.intersection(ranking[:k])) / len(relevant) if relevant else 0.0
