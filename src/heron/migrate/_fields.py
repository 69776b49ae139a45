"""Whoosh field types and analyzers to their nearest heron equivalents.

Each mapping returns the heron field type and notes (one line each) on what heron does
differently or cannot keep. Whoosh objects are read by their attributes only, so this
module does not import Whoosh itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from attrs import frozen

import heron

#: Whoosh's default word pattern (``whoosh.analysis.tokenizers.default_pattern``)
_WHOOSH_WORDS = r"\w+(\.?\w+)*"
#: the patterns of Whoosh's CommaSeparatedTokenizer and SpaceSeparatedTokenizer
_COMMAS = "[^,]+"
_SPACES = r"[^ \t\r\n]+"
#: Whoosh's language codes (``whoosh.lang.languages``) to Snowball's names
_LANGUAGES = MappingProxyType({
    "ar": "arabic", "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish",
    "fr": "french", "de": "german", "hu": "hungarian", "it": "italian", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "es": "spanish", "sv": "swedish",
    "tr": "turkish"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def field_name(name: str) -> str:
    """A heron field name for a Whoosh one (heron's start with a letter: ``_id`` is ``f_id``)."""
    if _NAME.match(name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return cleaned if _NAME.match(cleaned) else "f" + cleaned


def _kind(ftype: Any) -> str:
    """The Whoosh field class a field type is (the most specific one heron knows)."""
    known = ("NGRAMWORDS", "NGRAM", "DATETIME", "NUMERIC", "BOOLEAN", "KEYWORD", "TEXT", "ID",
             "STORED", "SpellField")
    for cls in type(ftype).__mro__:
        if cls.__module__ == "whoosh.fields" and cls.__name__ in known:
            return str(cls.__name__)
    return type(ftype).__name__


def _boost(ftype: Any) -> float:
    fmt = getattr(ftype, "format", None)
    return float(getattr(fmt, "field_boost", 1.0) or 1.0)


def _sortable(ftype: Any) -> bool:
    return getattr(ftype, "column_type", None) is not None


def _stages(analyzer: Any) -> list[Any]:
    items = getattr(analyzer, "items", None)
    return list(items) if items is not None else [analyzer]


def _pattern(expression: Any) -> str:
    return str(getattr(expression, "pattern", expression))


def _tokenizer(stage: Any, where: str, notes: list[str]) -> Any:
    name = type(stage).__name__
    if name == "IDTokenizer":
        return heron.analysis.WholeTokenizer()
    if name != "RegexTokenizer":
        notes.append(f"{where}: tokenizer {name} has no equivalent; heron's word pattern used")
        return heron.analysis.RegexTokenizer()
    pattern = _pattern(stage.expression)
    if stage.gaps and pattern != r"\s+":
        notes.append(f"{where}: RegexTokenizer({pattern!r}, gaps=True) read as heron's "
                     "word pattern")
        return heron.analysis.RegexTokenizer()
    if stage.gaps:
        return heron.analysis.RegexTokenizer(r"\S+")
    known = {
        _COMMAS: heron.analysis.SeparatorTokenizer(commas=True),  # it strips the spaces too
        _SPACES: heron.analysis.SeparatorTokenizer(commas=False),
        _WHOOSH_WORDS: heron.analysis.RegexTokenizer(),  # also keeps 1,000.50 and U.S. whole
    }
    return known.get(pattern) or heron.analysis.RegexTokenizer(pattern)


def _stop(stage: Any, where: str, notes: list[str]) -> Any:
    return heron.analysis.StopFilter(language=None, extra=frozenset(stage.stops),
                                     minsize=int(stage.min), maxsize=stage.max)


def _stem(stage: Any, where: str, notes: list[str]) -> Any:
    lang = getattr(stage, "lang", None)
    if getattr(stage, "ignore", None):
        notes.append(f"{where}: StemFilter(ignore=...) has no equivalent: every word "
                     "is stemmed")
    if not lang:
        notes.append(f"{where}: Whoosh's Porter stemmer becomes Snowball english "
                     "(Porter2); a few words stem differently")
        lang = "english"
    language = _LANGUAGES.get(str(lang).lower(), str(lang).lower())
    if language not in heron.analysis.stem_languages():
        notes.append(f"{where}: no Snowball stemmer for {lang!r}: words are not stemmed")
        return None
    return heron.analysis.StemFilter(language)


def _charset(stage: Any, where: str, notes: list[str]) -> Any:
    notes.append(f"{where}: CharsetFilter becomes AccentFoldFilter (accents folded)")
    return heron.analysis.AccentFoldFilter()


#: Whoosh filters by class name, to their heron filter (None: left out)
_FILTERS: dict[str, Callable[[Any, str, list[str]], Any]] = {
    "LowercaseFilter": lambda stage, where, notes: heron.analysis.LowercaseFilter(),
    "StopFilter": _stop,
    "StemFilter": _stem,
    "PyStemmerFilter": _stem,
    "StripFilter": lambda stage, where, notes: None,  # heron's separator strips
    "CharsetFilter": _charset,
}


def _filter(stage: Any, where: str, notes: list[str]) -> Any:
    name = type(stage).__name__
    if name in _FILTERS:
        return _FILTERS[name](stage, where, notes)
    notes.append(f"{where}: filter {name} has no equivalent: left out")
    return None


def analyzer(whoosh_analyzer: Any, where: str, notes: list[str]) -> Any:
    """The heron analyzer nearest to a Whoosh one, stage by stage."""
    stages = _stages(whoosh_analyzer)
    result = heron.analysis.Analyzer((_tokenizer(stages[0], where, notes),))
    for stage in stages[1:]:
        mapped = _filter(stage, where, notes)
        if mapped is not None:
            result = result | mapped
    return result


def _lowercases(whoosh_analyzer: Any) -> bool:
    return any(type(s).__name__ == "LowercaseFilter" for s in _stages(whoosh_analyzer))


def _commas(whoosh_analyzer: Any) -> bool:
    first = _stages(whoosh_analyzer)[0]
    return _pattern(getattr(first, "expression", "")) == _COMMAS


@frozen
class _Options:
    """What every Whoosh field type may have."""

    stored: bool
    unique: bool
    boost: float
    sortable: bool


def _text(name: str, ftype: Any, o: _Options, notes: list[str]) -> heron.FieldType:
    if getattr(ftype, "spelling", False):
        notes.append(f"{name}: spelling=True is not needed: heron records the words "
                     "behind each term (s.suggest, s.correct)")
    if o.sortable:
        notes.append(f"{name}: sortable TEXT has no equivalent (sort by an ID or KEYWORD "
                     "copy of the field)")
    if getattr(ftype, "multitoken_query", "default") != "default":
        notes.append(f"{name}: multitoken_query={ftype.multitoken_query!r} has no "
                     "equivalent: a word of several tokens is a phrase")
    phrase = ftype.format.__class__.__name__ in ("Positions", "Characters")
    return heron.TEXT(analyzer=analyzer(ftype.analyzer, name, notes), stored=o.stored,
                      boost=o.boost, phrase=phrase)


def _keyword(name: str, ftype: Any, o: _Options, notes: list[str]) -> heron.FieldType:
    ana = ftype.analyzer
    return heron.KEYWORD(stored=o.stored, commas=_commas(ana), lowercase=_lowercases(ana),
                         scorable=bool(getattr(ftype, "scorable", False)), unique=o.unique,
                         boost=o.boost, sortable=o.sortable)


def _id(name: str, ftype: Any, o: _Options, notes: list[str]) -> heron.FieldType:
    return heron.ID(stored=o.stored, unique=o.unique, lowercase=_lowercases(ftype.analyzer),
                    boost=o.boost, sortable=o.sortable)


def _datetime(name: str, ftype: Any, o: _Options, notes: list[str]) -> heron.FieldType:
    if o.unique:
        notes.append(f"{name}: unique DATETIME has no equivalent: not unique")
    return heron.DATETIME(stored=o.stored, sortable=o.sortable, boost=o.boost)


def heron_field(name: str, ftype: Any, notes: list[str]) -> heron.FieldType | None:
    """The heron field type for a Whoosh one (None: nothing to keep), noting differences."""
    kind = _kind(ftype)
    if kind == "SpellField":
        return None  # heron records the words behind each term itself
    options = _Options(bool(getattr(ftype, "stored", False)),
                       bool(getattr(ftype, "unique", False)), _boost(ftype), _sortable(ftype))
    if getattr(ftype, "vector", None):
        notes.append(f"{name}: vector (term vectors) has no equivalent; heron keeps a term "
                     "list per document for unstored fields")
    kinds: dict[str, Callable[[str, Any, _Options, list[str]], heron.FieldType]] = {
        "TEXT": _text, "KEYWORD": _keyword, "ID": _id, "DATETIME": _datetime,
        "NUMERIC": _numeric, "NGRAM": _ngram, "NGRAMWORDS": _ngram,
        "BOOLEAN": lambda name, ftype, o, notes: heron.BOOLEAN(stored=o.stored, boost=o.boost),
        "STORED": lambda name, ftype, o, notes: heron.STORED(),
    }
    if kind in kinds:
        return kinds[kind](name, ftype, options, notes)
    if options.stored:
        notes.append(f"{name}: field type {kind} has no equivalent: its stored values are "
                     "kept in a STORED field")
        return heron.STORED()
    notes.append(f"{name}: field type {kind} has no equivalent: left out")
    return None


def _numeric(name: str, ftype: Any, o: _Options, notes: list[str]) -> heron.FieldType:
    numtype = "float" if ftype.numtype is float else "int"
    if getattr(ftype, "decimal_places", 0):
        notes.append(f"{name}: decimal_places={ftype.decimal_places}: Decimal values become "
                     "floats (NUMERIC float)")
        numtype = "float"
    if numtype == "int" and ftype.bits == 64 and not getattr(ftype, "signed", True):
        notes.append(f"{name}: unsigned 64-bit ints: heron's ints are signed 64-bit "
                     "(values from 2**63 do not fit)")
    return heron.NUMERIC(numtype=numtype, stored=o.stored, unique=o.unique, boost=o.boost,
                         sortable=o.sortable)


def _ngram(name: str, ftype: Any, o: _Options, notes: list[str]) -> heron.FieldType:
    ana = ftype.analyzer
    sizes = [s for s in _stages(ana) if hasattr(s, "min") and hasattr(s, "max")]
    minsize, maxsize = (int(sizes[-1].min), int(sizes[-1].max)) if sizes else (2, 4)
    if getattr(ftype, "queryor", False):
        notes.append(f"{name}: queryor=True has no equivalent: the longest n-grams of a word "
                     "must all match")
    if sizes and getattr(sizes[-1], "at", 0) == 1:
        notes.append(f'{name}: at="end" has no equivalent: n-grams from anywhere in a word')
    if _kind(ftype) == "NGRAM":
        return heron.NGRAM(minsize=minsize, maxsize=maxsize, stored=o.stored, boost=o.boost)
    at = "start" if sizes and getattr(sizes[-1], "at", 0) == -1 else None
    return heron.NGRAMWORDS(minsize=minsize, maxsize=maxsize, stored=o.stored, at=at,
                            boost=o.boost)
