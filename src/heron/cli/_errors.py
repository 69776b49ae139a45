"""What the commands print when something goes wrong: one line saying what happened and
what to do (a query error adds the query and a caret under the place it went wrong)."""

from __future__ import annotations

import argparse

import heron
from heron import _terminal as terminal

#: exit status of a failed command, and of one interrupted by Ctrl-C (128 + SIGINT)
FAILED = 1
INTERRUPTED = 130


def report_query(exc: heron.QueryError, label: str, text: str, *, debug: bool = False) -> int:
    """Print a query error with the query and a caret under ``exc.position``."""
    if debug:
        raise exc
    lines = [f"bad {label}: {exc.message}"]
    position = exc.position
    if position is not None and 0 <= position <= len(text):
        shown = terminal.plain(text).replace("\t", " ").replace("\n", " ")
        lines[0] += f" (at character {position + 1})"
        lines += [f"  {shown}", "  " + " " * position + "^"]
    terminal.print_error(lines)
    return FAILED


def describe(exc: BaseException, args: argparse.Namespace) -> str:  # noqa: PLR0911
    """The one-line message for an error a command raised (one case per kind of error)."""
    path = getattr(args, "path", None)
    detail = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, heron.IndexNotFoundError):
        return (f"no index at {path}; create one with `heron index {path} FILE...` "
                f"({detail})")
    if isinstance(exc, heron.LockError):
        return (f"the index at {path} is being written by another process ({detail}); "
                "wait for it to finish and try again")
    if isinstance(exc, heron.CorruptIndexError):
        return (f"the index at {path} is damaged: {detail}; `heron check {path}` lists the "
                f"damaged files, `heron index {path} FILE... --overwrite` rebuilds it")
    if isinstance(exc, heron.StorageError):
        return (f"could not write the index at {path}: {detail}; its last commit is intact "
                "(free some space or fix the permissions, then try again)")
    if isinstance(exc, heron.InputError | heron.SchemaError):
        where = "; nothing of this run was committed" if args.command_name == "index" else ""
        return detail + where
    if isinstance(exc, heron.ArgumentError):
        return f"{detail} (see `heron {args.command_name} --help`)"
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return detail


def interrupted(args: argparse.Namespace) -> str:
    """The message for Ctrl-C."""
    if args.command_name in {"index", "optimize"}:
        return (f"interrupted; the index at {args.path} is as its last commit left it "
                "(nothing of this run was committed)")
    return "interrupted"
