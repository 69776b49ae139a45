"""Token filters: lower-casing, stop words, stemming, accent folding and n-grams."""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from attrs import field, frozen
from attrs.validators import deep_iterable, instance_of, optional

from heron.analysis._base import Filter
from heron.analysis._stopwords import stop_words
from heron.analysis._tokens import Token
from heron.errors import MissingDependencyError, SchemaError

#: The most words a stemmer remembers before it starts afresh (bounds its memory).
_STEM_MEMO_LIMIT = 500_000


#: the languages of nltk's Snowball stemmers (checked against nltk by a test), so that
#: naming one needs no nltk import: nltk is imported when a stemmer first stems a word
_SNOWBALL_LANGUAGES = (
    "arabic", "danish", "dutch", "english", "finnish", "french", "german", "hungarian",
    "italian", "norwegian", "portuguese", "romanian", "russian", "spanish", "swedish",
)


#: the implementations of the Snowball stemmers a :class:`StemFilter` can use: nltk's, in
#: Python (the default, always installed), and PyStemmer's compiled one (the ``stemmer``
#: extra, about 7x faster: 1.7 against 12 µs a word; its English stems differ from nltk's
#: on a few words, so the choice is part of the analyzer recorded in an index)
STEM_IMPLEMENTATIONS = ("nltk", "pystemmer")
_PYSTEMMER_MISSING = (
    'StemFilter(implementation="pystemmer") needs PyStemmer: pip install "heron[stemmer]"'
)


@functools.cache
def _memo(language: str, implementation: str) -> dict[str, str]:
    """The memo of stems every stem filter of ``language`` and ``implementation`` in the
    process shares."""
    return {}


def _check_pystemmer() -> None:
    """Raise MissingDependencyError unless PyStemmer can be imported."""
    try:
        import Stemmer  # noqa: F401, PLC0415 - an optional extra, checked when asked for
    except ImportError:
        raise MissingDependencyError(_PYSTEMMER_MISSING) from None


@functools.cache
def _stemmer(language: str, implementation: str) -> Any:
    """The stemming function of ``implementation`` for ``language`` (imported on first use)."""
    if implementation == "pystemmer":
        import Stemmer  # noqa: PLC0415 - an optional extra

        stemmer = Stemmer.Stemmer(language)
        stemmer.maxCacheSize = 0  # the filter's memo remembers stems already
        lock = threading.Lock()  # a PyStemmer object is not thread-safe

        def stem(word: str) -> str:
            with lock:
                return str(stemmer.stemWord(word))

        return stem
    from nltk.stem.snowball import SnowballStemmer  # noqa: PLC0415 - 0.5 s, only when used

    return SnowballStemmer(language).stem


def stem_languages() -> tuple[str, ...]:
    """Return the languages the Snowball stemmers cover, sorted."""
    return _SNOWBALL_LANGUAGES


@frozen(slots=True)
class LowercaseFilter(Filter):
    """Lower-case every token.

    >>> LowercaseFilter().map_word("Gaza")
    'gaza'
    """

    name: ClassVar[str] = "lowercase"
    word_map: ClassVar[bool] = True

    def map_word(self, word: str) -> str | None:
        return word.lower()


@frozen(slots=True)
class StopFilter(Filter):
    """Drop stop words and words shorter than ``minsize`` or longer than ``maxsize``.

    The list is the shipped one for ``language`` (``None`` for none) plus ``extra``.
    Dropped words leave a gap in positions, as in Lucene.

    >>> f = StopFilter()
    >>> f.map_word("the"), f.map_word("a"), f.map_word("tunnel")
    (None, None, 'tunnel')
    """

    name: ClassVar[str] = "stop"
    word_map: ClassVar[bool] = True
    language: str | None = field(default="english",
                                 validator=optional(instance_of(str)))  # type: ignore[arg-type]
    extra: frozenset[str] = field(default=frozenset(), converter=frozenset,
                                  validator=deep_iterable(instance_of(str)))
    minsize: int = field(default=2, validator=instance_of(int))
    maxsize: int | None = field(default=None, validator=optional(instance_of(int)))
    _stops: frozenset[str] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        base = stop_words(self.language) if self.language is not None else frozenset()
        object.__setattr__(self, "_stops", base | self.extra)

    def map_word(self, word: str) -> str | None:
        size = len(word)
        if size < self.minsize or (self.maxsize is not None and size > self.maxsize):
            return None
        return None if word in self._stops else word

    def params(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "extra": sorted(self.extra),
            "minsize": self.minsize,
            "maxsize": self.maxsize,
        }


@frozen(slots=True)
class StemFilter(Filter):
    """Reduce words to their stems with a Snowball stemmer for ``language``.

    ``implementation`` is ``"nltk"`` (the default: nltk's stemmers, in Python) or
    ``"pystemmer"`` (PyStemmer's compiled ones, the ``stemmer`` extra, much faster). Their
    stems differ on a few words (English ``added``: nltk ``ad``, PyStemmer ``add``), so the
    implementation is part of the analyzer an index records (the JSON form names it unless
    it is nltk's); opening an index recorded with PyStemmer where it is not installed
    raises :class:`~heron.errors.MissingDependencyError`.

    Each distinct word is stemmed once and remembered (one memo per language and
    implementation, shared by every such filter in the process, and bounded in size).
    Tokens holding a full stop or a comma (``3.14``, ``1,000``, ``u.s``, ``reuters.com``)
    are kept as they are.

    >>> StemFilter("english").map_word("tunnels")
    'tunnel'
    >>> StemFilter("german").map_word("häuser")
    'haus'
    >>> StemFilter("english").map_word("u.s")
    'u.s'
    """

    name: ClassVar[str] = "stem"
    word_map: ClassVar[bool] = True
    language: str = field(default="english", validator=instance_of(str))
    implementation: str = field(default="nltk", kw_only=True, validator=instance_of(str))
    _memo: dict[str, str] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.language not in stem_languages():
            raise SchemaError(
                f"no stemmer for language {self.language!r}; "
                f"supported: {', '.join(stem_languages())}"
            )
        if self.implementation not in STEM_IMPLEMENTATIONS:
            raise SchemaError(
                f"no stemmer implementation {self.implementation!r}; "
                f"supported: {', '.join(STEM_IMPLEMENTATIONS)}"
            )
        if self.implementation == "pystemmer":
            _check_pystemmer()
        object.__setattr__(self, "_memo", _memo(self.language, self.implementation))

    def map_word(self, word: str) -> str | None:
        memo = self._memo
        stem = memo.get(word)
        if stem is None:
            if len(memo) >= _STEM_MEMO_LIMIT:
                memo.clear()
            # a number with separators, a dotted acronym or a host name is no inflected word
            plain = "." not in word and "," not in word
            stem = memo[word] = (
                _stemmer(self.language, self.implementation)(word) if plain else word)
        return stem

    def params(self) -> dict[str, Any]:
        if self.implementation == "nltk":  # indexes written before the choice read the same
            return {"language": self.language}
        return {"language": self.language, "implementation": self.implementation}


@frozen(slots=True)
class AccentFoldFilter(Filter):
    """Remove diacritics: decompose each character and drop the combining marks.

    >>> AccentFoldFilter().map_word("Café Zürich")
    'Cafe Zurich'
    """

    name: ClassVar[str] = "accentfold"
    word_map: ClassVar[bool] = True

    def map_word(self, word: str) -> str | None:
        if word.isascii():
            return word
        decomposed = unicodedata.normalize("NFKD", word)
        return "".join(c for c in decomposed if not unicodedata.combining(c))


@frozen(slots=True)
class _SizedNgrams(Filter):
    """What the n-gram filters share: their sizes, checked, and their parameters."""

    minsize: int = 2
    maxsize: int = 4

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.minsize <= self.maxsize:
            raise SchemaError(f"n-gram sizes need 1 <= minsize <= maxsize, got {self!r}")

    def params(self) -> dict[str, Any]:
        return {"minsize": self.minsize, "maxsize": self.maxsize}


@frozen(slots=True)
class NgramFilter(_SizedNgrams):
    """Replace each token by its character n-grams of ``minsize`` to ``maxsize`` letters.

    Every n-gram keeps its token's position and offsets of the letters it covers.

    >>> [t.text for t in NgramFilter(2, 3)([Token("gaza", 0, 0, 4)])]
    ['ga', 'gaz', 'az', 'aza', 'za']
    """

    name: ClassVar[str] = "ngram"

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for tok in tokens:
            text = tok.text
            exact = tok.end - tok.start == len(text)
            for i in range(len(text)):
                for size in range(self.minsize, self.maxsize + 1):
                    if i + size > len(text):
                        break
                    start, end = (tok.start + i, tok.start + i + size) if exact else (
                        tok.start, tok.end)
                    yield Token(text[i : i + size], tok.position, start, end)



@frozen(slots=True)
class EdgeNgramFilter(_SizedNgrams):
    """Replace each token by its leading n-grams of ``minsize`` to ``maxsize`` letters.

    Edge n-grams index the beginnings of words, for matching as the user types.

    >>> [t.text for t in EdgeNgramFilter(2, 4)([Token("gaza", 0, 0, 4)])]
    ['ga', 'gaz', 'gaza']
    """

    name: ClassVar[str] = "edgengram"

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for tok in tokens:
            text = tok.text
            exact = tok.end - tok.start == len(text)
            for size in range(self.minsize, min(self.maxsize, len(text)) + 1):
                end = tok.start + size if exact else tok.end
                yield Token(text[:size], tok.position, tok.start, end)
