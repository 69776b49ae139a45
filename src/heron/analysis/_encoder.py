"""The batch path of analysis: many texts to flat arrays of term numbers and positions."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from attrs import define, field, frozen

from heron._kernels import Kernels, WordTable
from heron.analysis._base import Analyzer

_DROPPED = -1


class _WordMemo(dict[str, int]):
    """Raw word to word number; a missing word is analysed on first use.

    ``word_terms[n]`` is the term number of word ``n`` (or -1 for dropped).

    It holds the encoder's analyzer, terms and ids, not the encoder: no reference cycle,
    so a finished encoder's vocabulary is freed at once rather than by a later full
    garbage collection (a writer flushing many segments would otherwise pile them up).
    """

    __slots__ = ("_analyzer", "_ids", "_terms", "word_terms")

    def __init__(self, analyzer: Analyzer, terms: list[str], ids: dict[str, int]) -> None:
        super().__init__()
        self._analyzer = analyzer
        self._terms = terms
        self._ids = ids
        self.word_terms: list[int] = []

    def __missing__(self, word: str) -> int:
        term = self._analyzer.map_word(word)
        if term is None:
            number = _DROPPED
        else:
            number = self._ids.get(term, -1)
            if number < 0:
                number = self._ids[term] = len(self._terms)
                self._terms.append(term)
        self.word_terms.append(number)
        self[word] = len(self.word_terms) - 1
        return self[word]


@frozen
class EncodedBatch:
    """The terms of a batch of texts as arrays, one entry per kept token.

    ``text_index[i]`` is the text the i-th token came from, ``term_ids[i]`` its term
    number in the encoder's vocabulary and ``positions[i]`` its position in that
    text. ``lengths[j]`` is how many tokens text ``j`` kept (its field length).
    """

    text_index: npt.NDArray[np.int64]
    term_ids: npt.NDArray[np.int32]
    positions: npt.NDArray[np.int32]
    lengths: npt.NDArray[np.int32]


@frozen
class SurfaceForms:
    """Distinct (term, word) pairs of an encoder's vocabulary and how often each word occurred."""

    terms: npt.NDArray[np.int64]
    words: list[str]
    counts: npt.NDArray[np.int64]


@define
class TermEncoder:
    """Encodes texts with an analyzer into term numbers, growing a vocabulary.

    For a word-map analyzer (every filter maps a word to at most one term) each
    distinct word is analysed once and remembered; any other analyzer runs token
    by token. Both paths give the same terms and positions.

    >>> from heron.analysis import StandardAnalyzer
    >>> enc = TermEncoder(StandardAnalyzer())
    >>> batch = enc.encode(["Tunnels and long tunnels", "a tunnel"])
    >>> [enc.terms[i] for i in batch.term_ids], batch.positions.tolist(), batch.lengths.tolist()
    (['tunnel', 'long', 'tunnel', 'tunnel'], [0, 2, 3, 1], [3, 1])
    """

    analyzer: Analyzer
    terms: list[str] = field(factory=list)
    _ids: dict[str, int] = field(factory=dict)
    _memo: _WordMemo = field(init=False)
    #: term number of each word number, and occurrences of each word, as arrays
    _word_terms: npt.NDArray[np.int32] = field(init=False)
    _word_counts: npt.NDArray[np.int64] = field(init=False)
    #: the compiled word table that splits ASCII texts (see :meth:`use`), and the word
    #: number of each of its entries looked up so far
    _table: WordTable | None = field(init=False, default=None)
    _entry_words: npt.NDArray[np.int32] = field(init=False)
    #: whether each term has capitals (a term the analyzer left as written), as far as known
    _capitals: npt.NDArray[np.bool_] = field(init=False)
    #: whether each word is its own term (no filters, as an ID field's analyzer): words are
    #: then numbered as terms at once, without the memo (a unique value is seen only once)
    _identity: bool = field(init=False)
    #: words encoded since the segment began, and how many of them were new to the encoder
    _seen: int = field(init=False, default=0)
    _new: int = field(init=False, default=0)

    def __attrs_post_init__(self) -> None:
        self._memo = _WordMemo(self.analyzer, self.terms, self._ids)
        self._identity = self.analyzer.word_map and not self.analyzer.filters
        self._word_terms = np.zeros(0, dtype=np.int32)
        self._word_counts = np.zeros(0, dtype=np.int64)
        self._entry_words = np.zeros(0, dtype=np.int32)
        self._capitals = np.zeros(0, dtype=np.bool_)

    def next_segment(self) -> None:
        """Count words afresh for the next segment; the words and terms seen stay, with
        their numbers, so that they are not analysed again.

        >>> from heron.analysis import StandardAnalyzer
        >>> enc = TermEncoder(StandardAnalyzer())
        >>> _ = enc.encode(["Tunnels and tunnels"])
        >>> enc.next_segment()
        >>> [enc.terms[i] for i in enc.encode(["wheat tunnels"]).term_ids]
        ['wheat', 'tunnel']
        >>> enc.surface_forms().words  # of this segment only
        ['tunnels', 'wheat']
        """
        self._word_counts[:] = 0
        self._seen = self._new = 0

    def pruned(self) -> TermEncoder:
        """A new encoder that knows only the words this segment used, with their terms
        (numbered afresh): what a vocabulary too large to carry whole keeps for the next
        segment. An encoder whose words are its terms keeps nothing.

        >>> from heron.analysis import StandardAnalyzer
        >>> enc = TermEncoder(StandardAnalyzer())
        >>> _ = enc.encode(["wheat and oil"])
        >>> enc.next_segment()
        >>> _ = enc.encode(["Oil and gas"])
        >>> kept = enc.pruned()
        >>> sorted(kept._memo), kept.terms
        (['Oil', 'and', 'gas'], ['oil', 'gas'])
        """
        fresh = TermEncoder(self.analyzer)
        if self._identity:
            return fresh
        words = list(self._memo)  # in word-number order
        keep = np.flatnonzero(self._word_counts[: len(words)] > 0)
        old = np.asarray(self._memo.word_terms, dtype=np.int64)[keep]
        used = old >= 0  # dropped words (stop words) stay known as dropped
        unique, numbers = np.unique(old[used], return_inverse=True)
        fresh.terms.extend(self.terms[i] for i in unique.tolist())
        fresh._ids.update(zip(fresh.terms, range(len(fresh.terms)), strict=True))
        word_terms = np.full(len(keep), _DROPPED, dtype=np.int64)
        word_terms[used] = numbers.reshape(-1)
        fresh._memo.update(zip([words[i] for i in keep.tolist()], range(len(keep)),
                               strict=True))
        fresh._memo.word_terms.extend(word_terms.tolist())
        return fresh

    @property
    def worth_carrying(self) -> bool:
        """Whether most words of this segment were known before it (or repeated within it):
        a vocabulary of unique values (ids) is not worth keeping for the next segment."""
        return 2 * self._new <= self._seen

    @property
    def nbytes(self) -> int:
        """A rough size of the vocabulary (for the writer's memory bound): per term a
        string, a list slot and a dict entry; per distinct raw word a string and an
        entry; and the compiled word table's arrays."""
        table = 0 if self._table is None else self._table.nbytes + self._entry_words.nbytes
        return 160 * len(self.terms) + 120 * len(self._memo) + table

    def use(self, kernels: Kernels) -> None:
        """Split ASCII texts with ``kernels``' word table from now on, when they have one
        and the tokenizer's words follow a rule it knows (the terms are the same)."""
        rule = self.analyzer.tokenizer.word_rule
        if (self._table is None and kernels.word_table is not None and rule is not None
                and self.analyzer.word_map):
            self._table = kernels.word_table(rule)

    def term_id(self, term: str) -> int:
        """Return the number of ``term``, adding it to the vocabulary if new."""
        tid = self._ids.get(term)
        if tid is None:
            tid = self._ids[term] = len(self.terms)
            self.terms.append(term)
        return tid

    def surface_forms(self) -> SurfaceForms:
        """Each distinct (term, word) the batch path saw, with the word's occurrences.

        A word with capitals whose term has none is counted as its lower case (``Oil``
        with ``oil``): the analyzer ignores case, so forms come out as a user types them.
        Empty for the token-by-token path (custom analyzers). Vectorised but for one
        lower-casing and one dictionary look-up per distinct word.

        >>> from heron.analysis import StandardAnalyzer
        >>> enc = TermEncoder(StandardAnalyzer())
        >>> _ = enc.encode(["Tunnels and tunnels", "a tunnel"])
        >>> forms = enc.surface_forms()
        >>> sorted(zip(forms.terms.tolist(), forms.words, forms.counts.tolist()))
        [(0, 'tunnel', 1), (0, 'tunnels', 2)]
        """
        words = list(self._memo)  # in word-number order: each was added as it was numbered
        word_terms = self._word_terms[: len(words)].astype(np.int64)
        counts = self._word_counts[: len(words)]
        kept = np.flatnonzero((word_terms >= 0) & (counts > 0))  # this segment's words
        if not len(kept):
            return SurfaceForms(np.zeros(0, np.int64), [], np.zeros(0, np.int64))
        lowered = [words[i].lower() for i in kept.tolist()]
        if len(self._capitals) < len(self.terms):
            new = self.terms[len(self._capitals) :]
            self._capitals = np.concatenate([self._capitals, np.fromiter(
                (t != t.lower() for t in new), dtype=bool, count=len(new))])
        capitals = self._capitals
        if capitals.any():  # the analyzer minds case: those terms keep their words as written
            for j in np.flatnonzero(capitals[word_terms[kept]]).tolist():
                lowered[j] = words[int(kept[j])]
        numbers: dict[str, int] = {}
        form_ids = np.fromiter((numbers.setdefault(f, len(numbers)) for f in lowered),
                               dtype=np.int64, count=len(lowered))
        keys = word_terms[kept] * len(numbers) + form_ids
        unique, inverse = np.unique(keys, return_inverse=True)
        summed = np.bincount(inverse, weights=counts[kept], minlength=len(unique))
        forms = list(numbers)
        return SurfaceForms(unique // len(numbers), [forms[i] for i in (unique % len(numbers))
                                                     .tolist()], summed.astype(np.int64))

    def encode(self, texts: Sequence[str]) -> EncodedBatch:
        """Analyse ``texts`` and return their tokens as arrays."""
        if self.analyzer.word_map:
            return self._encode_words(texts)
        return self._encode_tokens(texts)

    def _encode_words(self, texts: Sequence[str]) -> EncodedBatch:
        if self._identity and self._table is None:
            ids, counts = self._split_terms(texts)
        else:
            ids, counts = self._word_ids(texts)
        text_index = np.repeat(np.arange(len(texts), dtype=np.int64), counts)
        starts = np.cumsum(counts) - counts
        positions = (np.arange(len(ids), dtype=np.int64) - np.repeat(starts, counts)
                     ).astype(np.int32)
        keep = ids != _DROPPED
        if not keep.all():
            ids, positions, text_index = ids[keep], positions[keep], text_index[keep]
        lengths = np.bincount(text_index, minlength=len(texts)).astype(np.int32)
        return EncodedBatch(text_index, ids, positions, lengths)

    def _word_ids(self, texts: Sequence[str]
                  ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """The term numbers (-1: dropped) of the words of ``texts``, through the memo, and
        each text's word count; counts each word's occurrences for the surface forms."""
        known = len(self._memo)
        numbers, counts = (self._split(texts) if self._table is None
                           else self._split_compiled(texts))
        self._seen += len(numbers)
        self._new += len(self._memo) - known
        known_terms = self._memo.word_terms
        if len(self._word_terms) < len(known_terms):
            grown = np.asarray(known_terms[len(self._word_terms) :], dtype=np.int32)
            self._word_terms = np.concatenate([self._word_terms, grown])
            self._word_counts = np.concatenate(
                [self._word_counts, np.zeros(len(grown), dtype=np.int64)])
        self._word_counts += np.bincount(numbers, minlength=len(known_terms))
        return self._word_terms[numbers], counts

    def _split_terms(self, texts: Sequence[str]
                     ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """For an analyzer whose words are its terms: the term numbers of the words of
        ``texts``, numbering new ones, and each text's word count."""
        words, counts = self._words(texts)
        ids, known = self._ids, len(self._ids)
        # len(ids) is read before setdefault adds a new word: the next number, in one loop
        numbers = np.fromiter([ids.setdefault(w, len(ids)) for w in words], dtype=np.int32,
                              count=len(words))
        self.terms.extend(itertools.islice(ids, known, None))  # new keys come last, in order
        self._seen += len(words)
        self._new += len(ids) - known
        return numbers, counts

    def _words(self, texts: Sequence[str]) -> tuple[list[str], npt.NDArray[np.int64]]:
        """The words of ``texts`` (split by the tokenizer), one text after another, and
        each text's word count."""
        split = self.analyzer.tokenizer.words
        words: list[str] = []
        counts = np.empty(len(texts), dtype=np.int64)
        for j, text in enumerate(texts):
            found = split(text)
            words.extend(found)
            counts[j] = len(found)
        return words, counts

    def _split(self, texts: Sequence[str]
               ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """The word numbers of the words of ``texts`` (split by the tokenizer), one text
        after another, and each text's word count."""
        words, counts = self._words(texts)
        return self._numbers(words), counts

    def _numbers(self, words: list[str]) -> npt.NDArray[np.int32]:
        """The word numbers of ``words`` (a new one analysed by the memo)."""
        # itemgetter looks every word up in one C loop (a missing one is analysed by the
        # memo's __missing__), a third quicker than a map; it returns a lone item bare
        found = (operator.itemgetter(*words)(self._memo) if len(words) > 1
                 else [self._memo[w] for w in words])
        return np.fromiter(found, dtype=np.int32, count=len(words))

    def _split_compiled(self, texts: Sequence[str]
                        ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """As :meth:`_split`, ASCII texts split by the word table (the others by the
        tokenizer): the table numbers its entries, the memo words, the table's new
        entries are looked up in the memo."""
        table = self._table
        assert table is not None
        plain = [text.isascii() for text in texts]
        if all(plain):
            entries, counts = table.split(list(texts))
            return self._entry_numbers(table, entries), counts
        chosen = np.flatnonzero(plain)
        others = np.flatnonzero(np.logical_not(plain))
        entries, chosen_counts = table.split([texts[i] for i in chosen.tolist()])
        chosen_numbers = self._entry_numbers(table, entries)
        other_numbers, other_counts = self._split([texts[i] for i in others.tolist()])
        counts = np.zeros(len(texts), dtype=np.int64)
        counts[chosen], counts[others] = chosen_counts, other_counts
        starts = np.cumsum(counts) - counts
        numbers = np.empty(int(counts.sum()), dtype=np.int32)
        for where, found, part in ((chosen, chosen_numbers, chosen_counts),
                                   (others, other_numbers, other_counts)):
            firsts = np.cumsum(part) - part  # each text's first word within ``found``
            numbers[np.repeat(starts[where] - firsts, part) + np.arange(len(found))] = found
        return numbers, counts

    def _entry_numbers(self, table: WordTable, entries: npt.NDArray[np.int64]
                       ) -> npt.NDArray[np.int32]:
        """The word numbers of table entries, the table's new entries looked up first."""
        if len(table) > len(self._entry_words):
            new = self._numbers(table.words(len(self._entry_words)))
            self._entry_words = np.concatenate([self._entry_words, new])
        numbers: npt.NDArray[np.int32] = self._entry_words[entries]
        return numbers

    def _encode_tokens(self, texts: Sequence[str]) -> EncodedBatch:
        index: list[int] = []
        ids: list[int] = []
        positions: list[int] = []
        for j, text in enumerate(texts):
            for tok in self.analyzer.tokens(text):
                index.append(j)
                ids.append(self.term_id(tok.text))
                positions.append(tok.position)
        text_index = np.asarray(index, dtype=np.int64)
        lengths = np.bincount(text_index, minlength=len(texts)).astype(np.int32)
        return EncodedBatch(
            text_index, np.asarray(ids, dtype=np.int32), np.asarray(positions, dtype=np.int32),
            lengths,
        )
