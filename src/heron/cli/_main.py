"""The command table, the argument parser and the error handling every command shares.

Each command is a module with ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int`` (the exit status); adding a command is adding its module to
:data:`COMMANDS`, showing progress with ``heron._terminal.progress`` and reading documents
with :mod:`._inputs`. Errors heron raises on purpose print one line
on stderr (see :mod:`._errors`) and exit with status 1, Ctrl-C with 130; ``--debug`` shows
the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

import heron
from heron import _terminal as terminal
from heron.cli import _bench, _check, _demo, _index, _info, _migrate, _optimize, _search
from heron.cli._errors import FAILED, INTERRUPTED, describe, interrupted

#: the commands, in the order ``heron --help`` lists them
COMMANDS: tuple[ModuleType, ...] = (_index, _search, _info, _check, _optimize, _bench,
                                     _migrate, _demo)


def build_parser(commands: Sequence[ModuleType] = COMMANDS) -> argparse.ArgumentParser:
    """The parser: one subcommand per module, each with ``--quiet`` and ``--debug``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true",
                        help="print no progress and no figures (errors still)")
    common.add_argument("--debug", action="store_true",
                        help="show the traceback of an error")
    parser = argparse.ArgumentParser(
        prog="heron", description="Full-text search for Python: build, search and check "
        "indexes.", epilog="`heron COMMAND --help` describes each command.")
    parser.add_argument("--version", action="version", version=f"heron {heron.__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for module in commands:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP,
                                 parents=[common])
        module.add_arguments(command)
        command.set_defaults(command_module=module, command_name=module.NAME)
    return parser


#: options whose value may start with "-" (``--sort -date``)
_DASHED_VALUES = frozenset({"--sort"})


def _attach_values(argv: Sequence[str]) -> list[str]:
    """``--sort -date`` as ``--sort=-date``, which argparse would otherwise read as an option."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] in _DASHED_VALUES and arg.startswith("-") and arg != "--":
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``heron`` command with ``argv`` (default: the process arguments)."""
    args = build_parser().parse_args(_attach_values(sys.argv[1:] if argv is None else argv))
    try:
        status: int = args.command_module.run(args)
    except KeyboardInterrupt:
        if args.debug:
            raise
        terminal.print_error([interrupted(args)])
        return INTERRUPTED
    except BrokenPipeError:  # output piped into a reader that stopped (`| head`): end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return FAILED
    except (heron.HeronError, OSError) as exc:
        if args.debug:
            raise
        terminal.print_error([describe(exc, args)])
        return FAILED
    return status
