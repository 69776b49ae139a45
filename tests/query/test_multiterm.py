"""Wildcard patterns: runs of stars collapse, matching stays linear, results equal a brute force."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron.analysis import LowercaseFilter, RegexTokenizer
from heron.query import Fuzzy, Prefix, Wildcard
from heron.query._multiterm import collapse_stars, wildcard_regex

SCHEMA = heron.Schema(id=heron.ID(stored=True),
                      body=heron.TEXT(analyzer=RegexTokenizer() | LowercaseFilter()),
                      n=heron.NUMERIC())


def _glob(pattern: str, text: str) -> bool:
    """The textbook dynamic programme: ``*`` any run, ``?`` one character."""
    ok = [[False] * (len(text) + 1) for _ in range(len(pattern) + 1)]
    ok[0][0] = True
    for i, p in enumerate(pattern, 1):
        ok[i][0] = ok[i - 1][0] and p == "*"
        for j, c in enumerate(text, 1):
            if p == "*":
                ok[i][j] = ok[i - 1][j] or ok[i][j - 1]
            else:
                ok[i][j] = ok[i - 1][j - 1] and (p in ("?", c))
    return ok[-1][-1]


def _index(path: Path, bodies: list[str]) -> heron.Index:
    ix = heron.create_index(path, SCHEMA)
    with ix.writer() as w:
        w.add_documents({"id": f"d{i}", "body": b} for i, b in enumerate(bodies))
    return ix


def _ids(ix: heron.Index, query: heron.query.Query) -> set[str]:
    with ix.searcher() as s:
        return {h["id"] for h in s.search(query, limit=None)}


@pytest.mark.parametrize(("pattern", "collapsed"), [
    ("a**************b", "a*b"),
    ("*?*", "?*"),
    ("**a?**?*b*", "*a??*b*"),
    ("a?b", "a?b"),
    ("***", "*"),
])
def test_runs_of_stars_collapse(pattern: str, collapsed: str) -> None:
    assert collapse_stars(pattern) == collapsed
    assert wildcard_regex(pattern).pattern == wildcard_regex(collapsed).pattern


def test_regex_has_no_nested_or_repeated_runs() -> None:
    """Between two fixed parts there is one lazy run in an atomic group: no backtracking."""
    regex = wildcard_regex("*a*b*c*d*e*").pattern
    assert ".*.*" not in regex
    assert regex.count("(?>") == 5


def test_many_stars_against_a_long_term(tmp_path: Path) -> None:
    """Backtracking regexes took exponential time here (14 stars: 17 s on news)."""
    long_term = "a" + "x" * 5000
    ix = _index(tmp_path / "ix", [long_term, "ab", "axxb", "ba", "axbx"])
    assert _ids(ix, Wildcard("body", "a" + "*" * 14 + "b")) == {"d1", "d2"}
    assert _ids(ix, Wildcard("body", "a" + "*x" * 12 + "*y")) == set()
    assert _ids(ix, Wildcard("body", "a" + "*x" * 12 + "*")) == {"d0"}
    assert _ids(ix, Wildcard("body", "*a*b*c*d*e*")) == set()
    assert _ids(ix, Wildcard("body", "*x?b*")) == {"d2"}


WORDS = st.text(alphabet="abé", min_size=1, max_size=8)
PATTERNS = st.text(alphabet="ab*?", min_size=1, max_size=9).filter(lambda p: p.strip("*?"))


@cache
def _shared(words: tuple[str, ...]) -> heron.Index:
    return _index(Path(tempfile.mkdtemp()) / "ix", list(words))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(WORDS, min_size=1, max_size=20), pattern=PATTERNS)
def test_wildcard_matches_brute_force(words: list[str], pattern: str) -> None:
    ix = _shared(tuple(words))
    expected = {f"d{i}" for i, w in enumerate(words) if _glob(pattern, w)}
    assert _ids(ix, Wildcard("body", pattern)) == expected


def test_patterns_need_text(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix", ["sugar"])
    with ix.searcher() as s:
        for query in (Wildcard("n", "1*2"), Prefix("n", "12"), Fuzzy("n", "12", 1)):
            with pytest.raises(heron.QueryError, match="'n'"):
                s.search(query)
    for make in (Wildcard, Prefix):
        with pytest.raises(heron.QueryError, match="text"):
            make("body", 12)  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "cap"), [
    (Prefix("body", "t", max_expansions=2), 2),
    (heron.query.TermRange("body", "a", "u", max_expansions=3), 3),
    (heron.query.TermRange("body", None, None, max_expansions=4), 4),
])
def test_a_run_of_terms_over_the_cap_fails_without_reading_them(
        tmp_path: Path, query: heron.query.MultiTerm, cap: int) -> None:
    ix = _index(tmp_path / "ix", ["tunnel tunnels tent tap", "toll oil apex"])
    words = {"tunnel", "tunnels", "tent", "tap", "toll", "oil", "apex"}
    context = heron.query.Context(ix.reader())
    terms = type(ix.reader().segments[0].terms)
    with mock.patch.object(terms, "iter_range", side_effect=AssertionError("read")), \
            pytest.raises(heron.QueryError, match=f"expands to more than {cap} terms"):
        query.bind(context)
    for segment in ix.reader().segments:  # the same terms as read one by one
        start, stop = query.segment_span(segment)
        assert [t for _, t in query.segment_terms(segment)] == [
            t for _, t in segment.terms.iter_range("body", start, stop)]
        assert stop - start > cap
    assert query.expanded_terms(context) <= words
