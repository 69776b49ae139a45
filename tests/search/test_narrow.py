"""Narrowing: required n-grams inside longer ones are left out; other queries stay."""

from __future__ import annotations

import heron
from heron.query import And, AndMaybe, Not, Or, Term
from heron.search._narrow import narrow

SCHEMA = heron.Schema(ng=heron.NGRAMWORDS(2, 4), body=heron.TEXT())


def test_narrow_keeps_the_longest_ngrams() -> None:
    query = heron.parse("ng:petr", SCHEMA)
    assert narrow(query, SCHEMA) == Term("ng", "petr")
    both = narrow(heron.parse("ng:petr AND body:oil", SCHEMA), SCHEMA)
    assert both == And((Term("ng", "petr"), Term("body", "oil")))


def test_narrow_goes_through_or_not_and_maybe() -> None:
    grams = And((Term("ng", "pe"), Term("ng", "pet")))
    assert narrow(Or((grams, Term("body", "x"))), SCHEMA) == Or((Term("ng", "pet"),
                                                                  Term("body", "x")))
    assert narrow(Not(grams), SCHEMA) == Not(Term("ng", "pet"))
    assert narrow(AndMaybe(grams, grams), SCHEMA) == AndMaybe(Term("ng", "pet"),
                                                              Term("ng", "pet"))


def test_other_fields_are_left_alone() -> None:
    query = And((Term("body", "tunnel"), Term("body", "tunnel"), Term("body", "gaza")))
    assert narrow(query, SCHEMA) is query
    assert narrow(Term("ng", "pe"), SCHEMA) == Term("ng", "pe")
