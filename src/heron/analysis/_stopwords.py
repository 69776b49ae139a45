"""Stop-word lists shipped with heron (see ``STOPWORDS.md`` for their provenance)."""

from __future__ import annotations

import functools
import json
from importlib import resources

from heron.errors import SchemaError


@functools.cache
def _lists() -> dict[str, frozenset[str]]:
    source = resources.files("heron.analysis").joinpath("stopwords.json")
    raw = json.loads(source.read_text("utf-8"))
    return {lang: frozenset(words) for lang, words in raw.items()}


def stop_languages() -> tuple[str, ...]:
    """Return the languages that have a shipped stop-word list, sorted."""
    return tuple(sorted(_lists()))


def stop_words(language: str) -> frozenset[str]:
    """Return the stop words of ``language``.

    >>> "the" in stop_words("english")
    True

    Raises:
        SchemaError: no list ships for that language; the message lists those that do.
    """
    try:
        return _lists()[language]
    except KeyError:
        raise SchemaError(
            f"no stop-word list for language {language!r}; "
            f"supported: {', '.join(stop_languages())}"
        ) from None
