"""Time limits: a deadline that a search checks between segments and blocks of work."""

from __future__ import annotations

import time
from collections.abc import Callable

from attrs import define, field

from heron.errors import ArgumentError, ArgumentTypeError


def _check_limit(_inst: object, _attribute: object, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"time_limit is a number of seconds, got {value!r}")
    if not value >= 0:  # also refuses NaN
        raise ArgumentError(f"time_limit must not be negative, got {value!r}")


@define
class Deadline:
    """When a search must stop: ``limit`` seconds after it was made (None: never).

    ``clock`` gives the time in seconds (``time.perf_counter`` unless a test injects one).
    Once expired, a deadline stays expired.

    >>> Deadline(None).expired()
    False
    >>> Deadline(0).expired()
    True
    """

    limit: float | None = field(validator=_check_limit)
    clock: Callable[[], float] = field(default=time.perf_counter, repr=False)
    _end: float = field(init=False, repr=False)
    _passed: bool = field(init=False, default=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._end = float("inf") if self.limit is None else self.clock() + self.limit

    @property
    def passed(self) -> bool:
        """Whether a check has found the time up (so the work it guarded was cut short)."""
        return self._passed

    def expired(self) -> bool:
        """Whether the time is up (checked against the clock)."""
        if not self._passed and self.limit is not None:
            self._passed = self.clock() >= self._end
        return self._passed
