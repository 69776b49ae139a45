"""Stages of analysis and their composition: tokenizers, filters and analyzers.

An :class:`Analyzer` is a frozen tuple of stages, a tokenizer followed by filters,
built with ``|`` as in Whoosh. It offers two paths that yield the same terms:
:meth:`Analyzer.tokens` (token objects with offsets) and :meth:`Analyzer.words`
plus :meth:`Analyzer.map_word` (the batch path: when every filter maps one word
to at most one term, the work is done once per distinct word and memoised).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar

from attrs import field, frozen

from heron.analysis._tokens import Token
from heron.errors import SchemaError


class Stage:
    """Common base of tokenizers and filters: a named, parameterised value."""

    name: ClassVar[str] = ""

    def params(self) -> dict[str, Any]:
        """Return the parameters that rebuild this stage (see :meth:`to_json`)."""
        return {}

    def to_json(self) -> dict[str, Any]:
        """Describe this stage as a JSON object: its name and parameters."""
        return {"name": self.name, **self.params()}

    def __or__(self, other: Filter) -> Analyzer:
        return Analyzer((self,)) | other


class Tokenizer(Stage):
    """Base of tokenizers: split a text into tokens."""

    def tokenize(self, text: str) -> Iterator[Token]:
        """Yield the tokens of ``text`` with positions and offsets."""
        raise NotImplementedError

    def words(self, text: str) -> list[str]:
        """Return the words of ``text`` in order, without offsets (the fast path)."""
        return [t.text for t in self.tokenize(text)]

    @property
    def word_rule(self) -> str | None:
        """The compiled word rule (``heron._kernels.RULES``) that finds exactly the words
        of :meth:`words` in ASCII text, if one does (the batch path of indexing then
        splits ASCII texts with it when compiled kernels are in use)."""
        return None

    def spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield (word, start, end) lazily; the n-th tuple is the word at position n."""
        for tok in self.tokenize(text):
            yield tok.text, tok.start, tok.end

    def offsets(self, text: str, positions: Sequence[int]) -> list[tuple[int, int]]:
        """Character offsets (start, end) of the words at the given ascending positions
        (positions past the text's last word are left out)."""
        wanted = iter(positions)
        target = next(wanted, None)
        out: list[tuple[int, int]] = []
        for position, (_, start, end) in enumerate(self.spans(text)):
            if position == target:
                out.append((start, end))
                target = next(wanted, None)
                if target is None:
                    break
        return out


class Filter(Stage):
    """Base of token filters.

    A filter that turns each word into at most one term overrides :meth:`map_word`
    and sets ``word_map = True``; the writer then analyses each distinct word
    once. Any other filter (n-grams, a user's own) overrides :meth:`__call__` and
    runs on the token-by-token path.
    """

    word_map: ClassVar[bool] = False

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        """Filter a stream of tokens."""
        for tok in tokens:
            text = self.map_word(tok.text)
            if text is not None:
                yield Token(text, tok.position, tok.start, tok.end)

    def map_word(self, word: str) -> str | None:
        """Return the word as this filter transforms it, or ``None`` to drop it."""
        raise NotImplementedError


class TermMemo(dict[str, "str | None"]):
    """Word to term (or None when dropped) for a word-map analyzer, filled on first use."""

    __slots__ = ("_map_word",)

    def __init__(self, analyzer: Analyzer) -> None:
        super().__init__()
        self._map_word = analyzer.map_word

    def __missing__(self, word: str) -> str | None:
        term = self[word] = self._map_word(word)
        return term


@frozen
class Analyzer:
    """A tokenizer followed by filters, composed with ``|``.

    >>> from heron.analysis import LowercaseFilter, RegexTokenizer
    >>> ana = RegexTokenizer() | LowercaseFilter()
    >>> ana.terms("Smuggling Tunnels")
    ['smuggling', 'tunnels']
    """

    stages: tuple[Stage, ...]
    _filters: tuple[Filter, ...] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.stages or not isinstance(self.stages[0], Tokenizer):
            raise SchemaError("an analyzer starts with a tokenizer")
        filters = []
        for stage in self.stages[1:]:
            if not isinstance(stage, Filter):
                raise SchemaError(f"{stage!r} is not a filter; only filters follow the tokenizer")
            filters.append(stage)
        object.__setattr__(self, "_filters", tuple(filters))

    def __or__(self, other: Filter) -> Analyzer:
        if not isinstance(other, Filter):
            return NotImplemented
        return Analyzer((*self.stages, other))

    @property
    def tokenizer(self) -> Tokenizer:
        """The first stage."""
        stage = self.stages[0]
        assert isinstance(stage, Tokenizer)
        return stage

    @property
    def filters(self) -> tuple[Filter, ...]:
        """The stages after the tokenizer."""
        return self._filters

    @property
    def word_map(self) -> bool:
        """Whether every filter maps one word to at most one term (the batch path applies)."""
        return all(f.word_map for f in self.filters)

    def tokens(self, text: str) -> Iterator[Token]:
        """Yield the analysed tokens of ``text``, with positions and offsets."""
        stream: Iterable[Token] = self.tokenizer.tokenize(text)
        for filt in self.filters:
            stream = filt(stream)
        yield from stream

    def terms(self, text: str) -> list[str]:
        """Return the analysed terms of ``text`` in order."""
        if self.word_map:
            mapped = (self.map_word(w) for w in self.tokenizer.words(text))
            return [t for t in mapped if t is not None]
        return [t.text for t in self.tokens(text)]

    def map_word(self, word: str) -> str | None:
        """Run one word through every filter (only for word-map analyzers)."""
        term = word
        for filt in self._filters:
            mapped = filt.map_word(term)
            if mapped is None:
                return None
            term = mapped
        return term

    def to_json(self) -> list[dict[str, Any]]:
        """Describe the stages as JSON objects, in order."""
        return [stage.to_json() for stage in self.stages]
