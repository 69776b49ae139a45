"""The exception tree: one root, drawn in the module docstring, defined in one module."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import heron
from heron import errors

SRC = Path(errors.__file__).resolve().parent

EXCEPTIONS = [
    obj for _, obj in inspect.getmembers(errors, inspect.isclass)
    if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
]


def test_every_exception_is_a_heron_error() -> None:
    assert len(EXCEPTIONS) == 15
    for exc in EXCEPTIONS:
        assert issubclass(exc, errors.HeronError)
    assert errors.HeronError.__bases__ == (Exception,)
    assert issubclass(errors.CorruptIndexError, errors.IndexError_)
    assert not issubclass(errors.IndexError_, IndexError)  # does not shadow the builtin


def test_every_exception_is_public() -> None:
    for exc in EXCEPTIONS:
        assert exc.__name__ in heron.__all__
        assert getattr(heron, exc.__name__) is exc


def test_docstring_draws_the_tree() -> None:
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        m = re.match(r"\s*((?:[│ ]   )*)(?:[├└]── )?(\w+Error_?)\b", line)
        if not m:
            continue
        depth = len(m.group(1)) // 4 + (1 if "──" in line else 0)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[m.group(2)] = stack[-1][1]
        stack.append((depth, m.group(2)))
    actual = {e.__name__: e.__bases__[0].__name__ for e in EXCEPTIONS if e is not errors.HeronError}
    assert parents == actual


def test_query_error_position() -> None:
    err = errors.QueryError("unbalanced parenthesis", position=7)
    assert err.position == 7
    assert err.message == "unbalanced parenthesis"
    assert str(err) == "unbalanced parenthesis at 7"
    assert str(errors.QueryError("empty", 0)) == "empty at 0"
    plain = errors.QueryError("no such field")
    assert plain.position is None
    assert str(plain) == "no such field"
    with pytest.raises(heron.HeronError, match="at 3"):
        raise errors.QueryError("bad", 3)


def test_parser_errors_carry_positions() -> None:
    with pytest.raises(errors.QueryError) as info:
        heron.parse("(tunnels AND", heron.Schema(body=heron.TEXT()))
    assert info.value.position == len("(tunnels AND")  # the query ends where one was expected
    assert str(info.value).endswith(" at 12")


def test_no_other_module_defines_exceptions() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "errors.py" and path.parent == SRC:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases}
                if any(n.endswith(("Error", "Exception", "Error_")) for n in names):
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}")
    assert offenders == []
