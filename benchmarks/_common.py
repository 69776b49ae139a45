"""The names benchmark scripts imported from here before the split, re-exported.

The pieces now live in ``heron.bench`` (engine adapters, the child-process harness, run
records, charts), ``corpora`` (the data), ``_scenario`` (command line, child phases) and
``_report`` (tables, targets, records). New scenarios import from those; this module keeps
older scripts working, with the helpers below for engines set up by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _checkout import REPO_ROOT, use_checkout_heron
from _report import (
    Check,
    finish,
    milliseconds,
    print_checks,
    print_header,
    print_table,
    ratio,
    run_info,
    write_json,
)
from _scenario import (
    EngineRuns,
    Timer,
    add_common_arguments,
    engine_list,
    require_paths,
    run_child_phase,
    run_child_script,
)
from corpora import (
    DATA_README,
    DEFAULT_DATA,
    Collection,
    bag_of_words,
    beir_paths,
    load_beir,
    ndcg_at,
    recall_at,
)
from heron.bench import (
    SearchFn,
    dir_size,
    package_version,
    peak_rss_mb,
    percentile,
    read_jsonl,
)

__all__ = [
    "DATA_README",
    "DEFAULT_DATA",
    "REPO_ROOT",
    "Check",
    "Collection",
    "EngineRuns",
    "SearchFn",
    "TantivyField",
    "Timer",
    "add_common_arguments",
    "bag_of_words",
    "beir_paths",
    "dir_size",
    "engine_list",
    "finish",
    "heron_build",
    "heron_search",
    "load_beir",
    "milliseconds",
    "ndcg_at",
    "package_version",
    "peak_rss_mb",
    "percentile",
    "print_checks",
    "print_header",
    "print_table",
    "ratio",
    "read_jsonl",
    "recall_at",
    "require_paths",
    "run_child_phase",
    "run_child_script",
    "run_info",
    "tantivy_build",
    "tantivy_search",
    "use_checkout_heron",
    "write_json",
]


def heron_build(path: Path, schema: Any, rows: Iterable[Mapping[str, Any]], procs: int = 1
                ) -> None:
    """Create a heron index at path with ``schema`` and add rows in one commit."""
    import heron

    index = heron.create_index(path, schema, overwrite=True)
    with index.writer(procs=procs) as writer:
        writer.add_documents(rows)


@contextmanager
def heron_search(path: Path, fields: Sequence[str], limit: int) -> Iterator[SearchFn]:
    """Open a heron index and yield a function returning the stored ids of the top hits."""
    import heron

    with heron.open_index(path).searcher() as searcher:

        def search(text: str) -> list[str]:
            return [hit["id"] for hit in searcher.search(text, limit=limit, fields=list(fields))]

        yield search


@dataclass(frozen=True)
class TantivyField:
    """A tantivy text field: its tokenizer and whether it is stored."""

    tokenizer: str
    stored: bool


def tantivy_build(
    path: Path,
    fields: Mapping[str, TantivyField],
    rows: Iterable[Mapping[str, str | list[str]]],
    heap_bytes: int = 1_000_000_000,
) -> None:
    """Index rows with tantivy, one writer thread, and wait until the index is on disk."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    for name, spec in fields.items():
        builder.add_text_field(name, stored=spec.stored, tokenizer_name=spec.tokenizer)
    index = tantivy.Index(builder.build(), path=str(path), reuse=False)
    writer = index.writer(heap_size=heap_bytes, num_threads=1)
    for row in rows:
        writer.add_document(tantivy.Document(**row))
    writer.commit()
    writer.wait_merging_threads()


@contextmanager
def tantivy_search(path: Path, fields: Sequence[str], limit: int) -> Iterator[SearchFn]:
    """Open a tantivy index and yield a function returning the stored ids of the top hits."""
    import tantivy

    index = tantivy.Index.open(str(path))
    searcher = index.searcher()
    default_fields = list(fields)

    def search(text: str) -> list[str]:
        query = index.parse_query(text, default_fields)
        hits = searcher.search(query, limit).hits
        return [str(searcher.doc(address).get_first("id")) for _score, address in hits]

    yield search
