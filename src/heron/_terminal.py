"""The terminal side of heron's commands: colour, progress bars and tables through ``rich``.

Only the command-line tools (``heron.cli`` and ``heron bench``) use this module; ``import
heron`` never loads it, and rich itself is imported when a console is first built. Colour and
progress appear on a terminal only: nothing when the stream is piped or ``--quiet`` is given,
and no colour when the ``NO_COLOR`` environment variable is set (https://no-color.org).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal(stream: TextIO) -> bool:
    """Return whether ``stream`` is a terminal (not a pipe or a file)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def wants_colour(stream: TextIO) -> bool:
    """Return whether ``stream`` should get colour: a terminal, and ``NO_COLOR`` unset."""
    return not os.environ.get("NO_COLOR") and is_terminal(stream)


def console(stream: TextIO | None = None) -> Console:
    """Return a rich console on ``stream`` (default stdout) that colours a terminal only."""
    from rich.console import Console  # noqa: PLC0415 - rich loads with the first console

    out = sys.stdout if stream is None else stream
    colour = wants_colour(out)
    return Console(
        file=out,
        no_color=not colour,
        color_system="auto" if colour else None,
        highlight=False,
        soft_wrap=True,
        force_terminal=is_terminal(out),
    )


class Progress:
    """A progress bar of documents (or any unit) with rate and time left, or nothing at all.

    ``advance(n)`` counts work done; the bar shows itself only when ``enabled`` (a terminal on
    stderr and no ``--quiet``). ``done`` and ``seconds`` serve the one-line summary either way.
    """

    def __init__(self, description: str, total: int | None, *, enabled: bool,
                 unit: str = "docs", work_total: int | None = None) -> None:
        self.description = description
        self.total = total
        self.work_total = work_total
        self.unit = unit
        self.done = 0
        self._start = time.perf_counter()
        self._bar: Any = None
        self._task: Any = None
        if enabled:
            from rich.progress import (  # noqa: PLC0415 - rich loads only for a visible bar
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress  # noqa: PLC0415

            counted = (TextColumn("{task.fields[done]}") if work_total is not None
                       else MofNCompleteColumn())
            self._bar = RichProgress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                counted,
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console(sys.stderr),
                transient=True,
            )
            self._task = self._bar.add_task(
                description, total=total if work_total is None else work_total, rate="",
                done="")

    @property
    def seconds(self) -> float:
        """Seconds since the progress began."""
        return time.perf_counter() - self._start

    def advance(self, count: int = 1, *, work_done: int | None = None) -> None:
        """Count ``count`` more units done (and, with a ``work_total``, the work done so far:
        bytes read, say, which the bar and the time left follow)."""
        self.done += count
        if self._bar is not None:
            rate = self.done / max(self.seconds, 1e-9)
            if self.work_total is None:
                self._bar.update(self._task, advance=count, rate=f"{rate:,.0f} {self.unit}/s")
            else:
                self._bar.update(self._task, completed=work_done, rate=f"{rate:,.0f} "
                                 f"{self.unit}/s", done=f"{self.done:,} {self.unit}")

    def set_total(self, total: int) -> None:
        """Give the bar its length once it is known (a count of ``unit``)."""
        self.total = total
        if self._bar is not None and self.work_total is None:
            self._bar.update(self._task, total=total)

    def start(self) -> None:
        """Show the bar (when enabled)."""
        if self._bar is not None:
            self._bar.start()

    def stop(self) -> None:
        """Remove the bar (when shown)."""
        if self._bar is not None:
            self._bar.stop()


@contextmanager
def progress(description: str, total: int | None = None, *, quiet: bool = False,
             unit: str = "docs", work_total: int | None = None) -> Iterator[Progress]:
    """Show a progress bar on stderr for the block, when stderr is a terminal and not quiet.

    ``total`` counts units (documents); when it is not known in advance, ``work_total``
    (bytes to read, say) drives the bar and the time left instead, with
    ``advance(n, work_done=...)``.
    """
    bar = Progress(description, total, enabled=not quiet and is_terminal(sys.stderr),
                   unit=unit, work_total=work_total)
    bar.start()
    try:
        yield bar
    finally:
        bar.stop()


#: the characters that open and close a match in :class:`MarkFormatter` output
MARK_OPEN = "\x02"
MARK_CLOSE = "\x03"
_CONTROL = {c: None for c in [*range(32), *range(0x7F, 0xA0)] if chr(c) not in "\t\n"}


def plain(text: str) -> str:
    """``text`` without control characters (escape sequences, the match marks) but tabs
    and newlines: what a document may show on a terminal."""
    return text.translate(_CONTROL)


class MarkFormatter:
    r"""A snippet formatter (``(text, spans) -> str``) for :func:`marked`: each match between
    :data:`MARK_OPEN` and :data:`MARK_CLOSE`, control characters of the text removed.

    >>> MarkFormatter()("a \x1btunnel", [type("S", (), {"start": 3, "end": 9})()])
    'a \x02tunnel\x03'
    """

    between = " … "

    def __call__(self, text: str, spans: Any) -> str:
        out, pos = [], 0
        for span in spans:
            if span.start < pos:
                continue
            out += [plain(text[pos:span.start]), MARK_OPEN, plain(text[span.start:span.end]),
                    MARK_CLOSE]
            pos = span.end
        out.append(plain(text[pos:]))
        return "".join(out)


def marked(text: str, style: str = "bold yellow", base: str = "") -> Any:
    """A rich ``Text`` of a :class:`MarkFormatter` string, the matches in ``style``."""
    from rich.text import Text  # noqa: PLC0415 - rich loads with the first console

    out = Text(style=base)
    for i, part in enumerate(text.split(MARK_OPEN)):
        if i == 0:
            out.append(part)
            continue
        match, _, rest = part.partition(MARK_CLOSE)
        out.append(match, style=style)
        out.append(rest)
    return out


def print_error(lines: list[str], stream: TextIO | None = None) -> None:
    """Print an error: ``heron: error: `` and the first line (red on a terminal), then the
    other lines as they are (a query and a caret under the place it went wrong)."""
    out = sys.stderr if stream is None else stream
    first = " ".join(lines[0].split())
    if wants_colour(out):
        out.write(f"\x1b[1;31mheron: error:\x1b[0m {first}\n")
    else:
        out.write(f"heron: error: {first}\n")
    for line in lines[1:]:
        out.write(line + "\n")
    out.flush()
