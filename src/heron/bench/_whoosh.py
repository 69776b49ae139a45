"""Whoosh 2.7 as a benchmark engine (imported only inside the methods)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from heron.bench._engine import SearchFn
from heron.bench._fields import Doc, Field, id_field, text_fields


@attrs.frozen
class WhooshEngine:
    """Whoosh: ``StemmingAnalyzer`` text, BM25F, one writer of ``limit_mb`` in one process."""

    limit_mb: int = 256
    package: str = "whoosh"
    keywords_as_list: bool = False

    @property
    def settings(self) -> str:
        """The writer's memory limit."""
        return f"writer(limitmb={self.limit_mb})"

    def load(self) -> None:
        """Import the modules of Whoosh that building and searching use."""
        import whoosh.analysis
        import whoosh.fields
        import whoosh.index
        import whoosh.qparser

        del whoosh

    def build(self, path: Path, docs: Sequence[Doc], fields: Sequence[Field]) -> None:
        """Create the index and add the documents one by one, then commit."""
        from whoosh import fields as whoosh_fields
        from whoosh import index
        from whoosh.analysis import StemmingAnalyzer

        types: dict[str, Any] = {}
        for field in fields:
            if field.kind == "id":
                types[field.name] = whoosh_fields.ID(stored=True, unique=True)
            elif field.kind == "text":
                types[field.name] = whoosh_fields.TEXT(stored=field.stored,
                                                       analyzer=StemmingAnalyzer())
            else:
                types[field.name] = whoosh_fields.KEYWORD(stored=field.stored, commas=True)
        schema = whoosh_fields.Schema(**types)
        writer = index.create_in(str(path), schema).writer(limitmb=self.limit_mb)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()

    def count(self, path: Path) -> int:
        """Documents in the index."""
        from whoosh import index

        return int(index.open_dir(str(path)).doc_count())

    @contextmanager
    def searcher(self, path: Path, fields: Sequence[Field], top: int) -> Iterator[SearchFn]:
        """Search the text fields with a ``MultifieldParser`` and its ``OrGroup``."""
        from whoosh import index, qparser

        ix = index.open_dir(str(path))
        parser = qparser.MultifieldParser(text_fields(fields), ix.schema, group=qparser.OrGroup)
        key = id_field(fields)
        with ix.searcher() as searcher:

            def search(text: str) -> list[str]:
                hits = searcher.search(parser.parse(text), limit=top)
                if key is None:
                    return [str(hit.docnum) for hit in hits]
                return [hit[key] for hit in hits]

            yield search
