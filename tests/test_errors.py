"""The exception tree: one root, drawn in the module docstring, defined in one module."""

from __future__ import annotations

import ast
import inspect
import pickle
import re
from pathlib import Path
from types import ModuleType

import pytest

import heron
from heron import errors

SRC = Path(errors.__file__).resolve().parent

EXCEPTIONS = [
    obj for _, obj in inspect.getmembers(errors, inspect.isclass)
    if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
]


def test_every_exception_is_a_heron_error() -> None:
    assert len(EXCEPTIONS) == 19
    for exc in EXCEPTIONS:
        assert issubclass(exc, errors.HeronError)
    assert errors.HeronError.__bases__ == (Exception,)
    assert issubclass(errors.CorruptIndexError, errors.IndexAccessError)
    assert issubclass(errors.MissingFileError, errors.CorruptIndexError)
    assert not issubclass(errors.IndexAccessError, IndexError)
    # wrong arguments are also the builtin errors callers already catch
    assert issubclass(errors.ArgumentError, ValueError)
    assert issubclass(errors.ArgumentTypeError, TypeError)
    assert issubclass(errors.UnknownFieldError, errors.SchemaError)
    assert issubclass(errors.UnknownFieldError, KeyError)
    assert issubclass(errors.UnknownQueryFieldError, errors.UnknownFieldError)
    assert issubclass(errors.UnknownQueryFieldError, errors.QueryError)


@pytest.mark.parametrize("module", [heron, errors])
def test_former_name_warns(module: ModuleType) -> None:
    renamed = r"IndexError_ is deprecated; use .*IndexAccessError"
    with pytest.warns(DeprecationWarning, match=renamed):
        former = module.IndexError_
    assert former is errors.IndexAccessError
    with pytest.warns(DeprecationWarning, match=renamed):
        from heron import IndexError_  # noqa: PLC0415 - the import statement users wrote
    assert IndexError_ is errors.IndexAccessError
    with pytest.raises(AttributeError, match=f"module '{module.__name__}' has no attribute 'Nope'"):
        module.Nope  # noqa: B018
    assert "IndexError_" not in heron.__all__
    assert "IndexError_" not in dir(module)


def test_unknown_field_error() -> None:
    err = errors.UnknownFieldError("titel", ["id", "title", "body"])
    assert (err.name, err.hint, err.fields) == ("titel", "title", ("id", "title", "body"))
    assert str(err) == "unknown field 'titel' (did you mean 'title'?); fields: id, title, body"
    assert err.message == str(err)
    far = errors.UnknownFieldError("zzz", ["id"])
    assert far.hint is None
    assert str(far) == "unknown field 'zzz'; fields: id"
    for original in (err, errors.UnknownQueryFieldError("titel", ["title"], 4)):
        copied = pickle.loads(pickle.dumps(original))  # as a worker process sends it back
        assert type(copied) is type(original)
        assert (copied.name, copied.hint, str(copied)) == (
            original.name, original.hint, str(original))


def test_unknown_query_field_error() -> None:
    err = errors.UnknownQueryFieldError("titel", ["title"], 6)
    assert (err.name, err.hint, err.position) == ("titel", "title", 6)
    assert err.message == "unknown field 'titel' (did you mean 'title'?); fields: title"
    assert str(err) == f"{err.message} at 6"
    assert str(errors.UnknownQueryFieldError("x", ["title"])) == "unknown field 'x'; fields: title"


def test_within_keeps_the_class() -> None:
    err = errors.UnknownQueryFieldError("titel", ["title"], 6).within("in filter")
    assert isinstance(err, errors.UnknownQueryFieldError)
    assert (err.name, err.position) == ("titel", 6)
    assert str(err).startswith("in filter: unknown field 'titel'")
    plain = errors.QueryError("bad", 2).within("in filter")
    assert type(plain) is errors.QueryError
    assert (plain.message, plain.position) == ("in filter: bad", 2)
    assert str(plain) == "in filter: bad at 2"


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


def _sources() -> list[tuple[str, ast.Module]]:
    return [(str(path.relative_to(SRC)), ast.parse(path.read_text("utf-8")))
            for path in sorted(SRC.rglob("*.py"))]


def test_no_bare_root_error_is_raised() -> None:
    """Every error raised is a specific subclass, never the root itself."""
    offenders = [
        f"{name}:{node.lineno}" for name, tree in _sources() for node in ast.walk(tree)
        if isinstance(node, ast.Raise) and node.exc is not None
        and ast.unparse(node.exc).split("(")[0].rsplit(".", 1)[-1] == "HeronError"
    ]
    assert offenders == []


def _reads_message(node: ast.expr) -> bool:
    """Whether an expression is an exception's text: ``str(exc)``, ``exc.args``, ``exc.message``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in {"str", "repr", "format"} and bool(node.args)
    if isinstance(node, ast.Attribute):
        return node.attr in {"args", "message"}
    return isinstance(node, ast.Subscript) and _reads_message(node.value)


def test_nothing_matches_on_message_text() -> None:
    """``"..." in str(exc)`` breaks silently when a message is reworded."""
    offenders = []
    for name, tree in _sources():
        handlers = [h for h in ast.walk(tree) if isinstance(h, ast.ExceptHandler) and h.name]
        for handler in handlers:
            for node in ast.walk(handler):
                if not isinstance(node, ast.Compare):
                    continue
                texts = [n for n in (node.left, *node.comparators) if _reads_message(n)]
                mentions = {n.id for t in texts for n in ast.walk(t) if isinstance(n, ast.Name)}
                if handler.name in mentions or any(
                        isinstance(n, ast.Name) and n.id in _bound_to_text(handler)
                        for n in (node.left, *node.comparators)):
                    offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def _bound_to_text(handler: ast.ExceptHandler) -> set[str]:
    """Names an except block binds to the caught exception's text (``message = str(exc)``)."""
    return {
        target.id for node in ast.walk(handler) if isinstance(node, ast.Assign)
        and _reads_message(node.value)
        and handler.name in {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
        for target in node.targets if isinstance(target, ast.Name)
    }


def _tree(text: str) -> list[str]:
    """The lines of the exception tree drawn in a text, from ``HeronError`` on."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "HeronError")
    tree = []
    for line in lines[start:]:
        if not line.strip() or line.strip().startswith("```"):
            break
        tree.append(line.strip())
    return tree


def test_readme_draws_the_same_tree() -> None:
    readme = SRC.parent.parent / "README.md"
    if not readme.exists():
        pytest.skip(f"no README.md at {readme} (an installed copy of heron)")
    assert _tree(readme.read_text("utf-8")) == _tree(errors.__doc__ or "")
