"""A user's own filter: indexed on the token path, refused on reopen unless given again."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from attrs import frozen

import heron
from heron.analysis import Filter, LowercaseFilter, RegexTokenizer, Token


@frozen
class Reverse(Filter):
    """Spell every word backwards (not a word map: runs token by token)."""

    name: ClassVar[str] = "reverse"

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for tok in tokens:
            yield Token(tok.text[::-1], tok.position, tok.start, tok.end)


def test_custom_filter_round_trip(tmp_path: Path) -> None:
    analyzer = RegexTokenizer() | LowercaseFilter() | Reverse()
    schema = heron.Schema(id=heron.ID(stored=True), body=heron.TEXT(analyzer=analyzer,
                                                                    stored=True))
    ix = heron.create_index(tmp_path / "ix", schema)
    with ix.writer() as w:
        w.add_documents([{"id": "1", "body": "Hello World"}, {"id": "2", "body": "other words"}])
    with pytest.raises(heron.SchemaError, match="open_index"):
        heron.open_index(tmp_path / "ix")
    again = heron.open_index(tmp_path / "ix", schema=schema)
    with again.searcher() as s:
        res = s.search("world")
        assert [h["id"] for h in res] == ["1"]
        assert res.query == heron.query.Term("body", "dlrow")
        assert res[0].highlights("body") == 'Hello <b class="match term0">World</b>'
        assert s.search('"hello world"').total == 1
