"""tantivy (tantivy-py) as a benchmark engine (imported only inside the methods)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import attrs

from heron.bench._engine import SearchFn
from heron.bench._fields import Doc, Field, id_field, text_fields


@attrs.frozen
class TantivyEngine:
    """tantivy: ``en_stem`` text, ``raw`` ids and tags, ``threads`` writer threads and a
    heap of ``heap_bytes``."""

    threads: int = 1
    heap_bytes: int = 1_000_000_000
    package: str = "tantivy"
    keywords_as_list: bool = True

    @property
    def settings(self) -> str:
        """The writer's threads and heap."""
        return f"num_threads={self.threads}, heap {self.heap_bytes / 1e9:g} GB"

    def load(self) -> None:
        """Import tantivy."""
        import tantivy

        del tantivy

    def build(self, path: Path, docs: Sequence[Doc], fields: Sequence[Field]) -> None:
        """Create the index, add the documents, commit and wait for the merges."""
        import tantivy

        builder = tantivy.SchemaBuilder()
        for field in fields:
            tokenizer = "en_stem" if field.kind == "text" else "raw"
            stored = field.stored or field.kind == "id"
            builder.add_text_field(field.name, stored=stored, tokenizer_name=tokenizer)
        index = tantivy.Index(builder.build(), path=str(path), reuse=False)
        writer = index.writer(heap_size=self.heap_bytes, num_threads=self.threads)
        for doc in docs:
            writer.add_document(tantivy.Document(**doc))
        writer.commit()
        writer.wait_merging_threads()

    def count(self, path: Path) -> int:
        """Documents in the index."""
        import tantivy

        return int(tantivy.Index.open(str(path)).searcher().num_docs)

    @contextmanager
    def searcher(self, path: Path, fields: Sequence[Field], top: int) -> Iterator[SearchFn]:
        """Search the text fields with tantivy's query parser (it ORs the words; BM25)."""
        import tantivy

        index = tantivy.Index.open(str(path))
        searcher = index.searcher()
        names, key = text_fields(fields), id_field(fields)

        def search(text: str) -> list[str]:
            hits = searcher.search(index.parse_query(text, names), top).hits
            if key is None:
                return [str(address.doc) for _score, address in hits]
            return [str(searcher.doc(address).get_first(key)) for _score, address in hits]

        yield search
