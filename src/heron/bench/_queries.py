"""Queries drawn from the documents themselves: two to four words of one text."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

# NLTK's English stop words of three letters or more; query words are picked without them.
_STOP_WORDS_TEXT = """
    about above after again against all and any are because been before being below between
    both but can did does doing don down during each few for from further had has have
    having her here hers herself him himself his how into its itself just more most myself
    nor not now off once only other our ours ourselves out over own same she should some
    such than that the their theirs them themselves then there these they this those
    through too under until very was were what when where which while who whom why will
    with you your yours yourself yourselves
    ain aren couldn didn doesn hadn hasn haven isn mightn mustn needn shan shouldn wasn weren
    won wouldn
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"\w+")


def query_words(text: str) -> list[str]:
    """Distinct lower-case alphabetic words of a text, without stop words and short words.

    >>> query_words("The Dollar and the dollar fell 3%")
    ['dollar', 'fell']
    """
    words = _WORD.findall(text.lower())
    kept = (w for w in words if w.isalpha() and len(w) >= 3 and w not in STOP_WORDS)
    return list(dict.fromkeys(kept))


def draw_queries(texts: Sequence[str], count: int, seed: int) -> list[str]:
    """Draw ``count`` queries of two to four words, each from one random text.

    Raises:
        ValueError: when no text has two usable words.
    """
    rng = random.Random(seed)
    candidates = [words for text in texts if len(words := query_words(text)) >= 2]
    if not candidates:
        raise ValueError("no text has two usable words to build queries from")
    queries = []
    for _ in range(count):
        words = rng.choice(candidates)
        queries.append(" ".join(rng.sample(words, rng.randint(2, min(4, len(words))))))
    return queries
