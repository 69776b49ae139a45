"""The token: one word of a text with its position and character offsets."""

from __future__ import annotations

from attrs import frozen


@frozen(slots=True)
class Token:
    """A word produced by a tokenizer and passed through filters.

    ``position`` counts tokens from 0 as the tokenizer produced them (filters that
    drop tokens leave gaps, as Lucene does); ``start`` and ``end`` are character
    offsets into the original text, so ``text[start:end]`` is the source of the word.

    >>> Token("tunnel", 3, 17, 24)
    Token(text='tunnel', position=3, start=17, end=24)
    """

    text: str
    position: int
    start: int
    end: int
