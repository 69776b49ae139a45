"""heron itself as a benchmark engine, through its public API."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

import heron
from heron.bench._engine import SearchFn
from heron.bench._fields import Doc, Field, id_field, text_fields


@attrs.frozen
class HeronEngine:
    """heron's bulk path: one ``add_documents`` in one commit; ``procs`` writer processes;
    TEXT's default analyzer (English stemming)."""

    procs: int = 1
    package: str = "heron"
    keywords_as_list: bool = False

    @property
    def settings(self) -> str:
        """The writer's processes."""
        return f"writer(procs={self.procs})"

    def load(self) -> None:
        """Load heron's modules (a child of heron bench imports heron when first used)."""
        _ = heron.Schema

    def build(self, path: Path, docs: Sequence[Doc], fields: Sequence[Field]) -> None:
        """Create the index and add every document through the writer in one commit."""
        types: dict[str, Any] = {}
        for field in fields:
            if field.kind == "id":
                types[field.name] = heron.ID(stored=True, unique=True)
            elif field.kind == "text":
                types[field.name] = heron.TEXT(stored=field.stored)
            else:
                types[field.name] = heron.KEYWORD(stored=field.stored, commas=True)
        index = heron.create_index(path, heron.Schema(**types), overwrite=True)
        with index.writer(procs=self.procs) as writer:
            writer.add_documents(docs)

    def count(self, path: Path) -> int:
        """Documents in the index."""
        return int(heron.open_index(path).doc_count())

    @contextmanager
    def searcher(self, path: Path, fields: Sequence[Field], top: int) -> Iterator[SearchFn]:
        """Search the text fields with ``Searcher.search`` (OR, BM25)."""
        names, key = text_fields(fields), id_field(fields)
        with heron.open_index(path).searcher() as searcher:

            def search(text: str) -> list[str]:
                hits = searcher.search(text, limit=top, fields=names)
                if key is None:
                    return [str(hit.docnum) for hit in hits]
                return [hit[key] for hit in hits]

            yield search
