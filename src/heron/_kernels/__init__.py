"""The inner loops of searching: BM25 over postings, unions of sorted matches, top-k.

Each has two implementations with the same results to the bit: numpy's (always there,
the reference) and a compiled one built with numba (the ``fast`` extra, ``pip install
"heron[fast]"``), which makes one pass where numpy makes several. :func:`active` picks
numba when it is installed; the environment variable ``HERON_KERNELS`` chooses:
``numpy``, ``numba`` (an error if it is absent) or ``auto`` (the default).

numba is imported, and its kernels compiled (or loaded from its cache), the first time
a query needs them, never by ``import heron``.
"""

from __future__ import annotations

import functools
import os

from heron._kernels._numba import build
from heron._kernels._numpy import NUMPY
from heron._kernels._types import Kernels, Postings, Scratch
from heron.errors import MissingDependencyError

__all__ = ["ENV", "NUMPY", "Kernels", "Postings", "Scratch", "active", "load"]

#: the environment variable that chooses the kernels: ``auto``, ``numpy`` or ``numba``
ENV = "HERON_KERNELS"
CHOICES = ("auto", "numpy", "numba")


def active() -> Kernels:
    """The kernels chosen by ``HERON_KERNELS`` (numba's when installed, unless told)."""
    return load(os.environ.get(ENV, "auto").strip().lower() or "auto")


@functools.cache
def load(choice: str) -> Kernels:
    """The kernels of ``choice`` (``auto``, ``numpy`` or ``numba``), built once.

    Raises:
        MissingDependencyError: ``numba`` was asked for and is not installed.
        ValueError: ``choice`` is none of the three.
    """
    if choice not in CHOICES:
        raise ValueError(f"{ENV} must be one of {', '.join(CHOICES)}, not {choice!r}")
    if choice == "numpy":
        return NUMPY
    try:
        import numba  # noqa: PLC0415 - an optional extra, imported when a query first needs it
    except ImportError:
        if choice == "numba":
            raise MissingDependencyError(
                f'{ENV}=numba needs numba: pip install "heron[fast]"') from None
        return NUMPY
    return build(numba)
