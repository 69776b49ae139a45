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
                 unit: str = "docs") -> None:
        self.description = description
        self.total = total
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

            self._bar = RichProgress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console(sys.stderr),
                transient=True,
            )
            self._task = self._bar.add_task(description, total=total, rate="")

    @property
    def seconds(self) -> float:
        """Seconds since the progress began."""
        return time.perf_counter() - self._start

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more units done."""
        self.done += count
        if self._bar is not None:
            rate = self.done / max(self.seconds, 1e-9)
            self._bar.update(self._task, advance=count, rate=f"{rate:,.0f} {self.unit}/s")

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
             unit: str = "docs") -> Iterator[Progress]:
    """Show a progress bar on stderr for the block, when stderr is a terminal and not quiet."""
    bar = Progress(description, total, enabled=not quiet and is_terminal(sys.stderr),
                   unit=unit)
    bar.start()
    try:
        yield bar
    finally:
        bar.stop()
