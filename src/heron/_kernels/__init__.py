"""The inner loops of searching and indexing: BM25 over postings, unions of sorted
matches, top-k, distinct documents (prefix and wildcard matches), two-word phrases; and
for indexing, ASCII texts split into numbered words (:class:`WordTable`).

Each has two implementations with the same results to the bit: numpy's (always there,
the reference) and a compiled one built with numba (the ``fast`` extra, ``pip install
"heron[fast]"``), which makes one pass where numpy makes several (splitting words has
no numpy kernel: the tokenizer's regular expression is its reference). :func:`active` picks
numba when it is installed and the segment is large enough to gain; the environment
variable ``HERON_KERNELS`` chooses: ``numpy``, ``numba`` (an error if it is absent) or
``auto`` (the default).

numba is imported, and its kernels compiled (or loaded from its cache), the first time
a query or a writer needs them, never by ``import heron``.
"""

from __future__ import annotations

import functools
import os

from heron._kernels._numba import build
from heron._kernels._numpy import NUMPY
from heron._kernels._types import Kernels, PairTerm, Postings, Scratch
from heron._kernels._words import RULES, WordTable
from heron.errors import MissingDependencyError

__all__ = ["AUTO_FROM", "ENV", "NUMPY", "RULES", "WRITER_BUFFER_FROM", "WRITER_FROM", "Kernels",
           "PairTerm", "Postings", "Scratch", "WordTable", "active", "for_writer", "load"]

#: the environment variable that chooses the kernels: ``auto``, ``numpy`` or ``numba``
ENV = "HERON_KERNELS"
CHOICES = ("auto", "numpy", "numba")


#: under ``auto``, work over fewer documents than this (a segment's) is done in numpy:
#: importing numba and loading its kernels, about half a second in a new process, costs
#: more than they save on small indexes (the results are the same either way)
AUTO_FROM = 16_384


def active(size: int) -> Kernels:
    """The kernels for work over ``size`` documents (a segment's), as ``HERON_KERNELS``
    chooses: under ``auto``, numba's when installed and ``size`` is :data:`AUTO_FROM` or
    more, else numpy's."""
    choice = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if choice == "auto" and size < AUTO_FROM:
        return NUMPY
    return load(choice)


#: under ``auto``, a writer indexes with numba once it has taken this many documents
#: (loading numba costs about half a second and 115 MB once in a process: the news, 21,578
#: documents, index as fast without it and in 90 MB less)
WRITER_FROM = 32_768
#: under ``auto``, a writer whose buffer is smaller than this (in MB) indexes with numpy:
#: numba's compiler would take more than a small buffer's worth of memory
WRITER_BUFFER_FROM = 128


def for_writer(documents: int, buffer_mb: float) -> Kernels:
    """The kernels a writer indexes with once it has taken ``documents``: as :func:`active`
    chooses, but under ``auto`` numba's only from :data:`WRITER_FROM` documents and a
    buffer of :data:`WRITER_BUFFER_FROM` MB."""
    large = documents >= WRITER_FROM and buffer_mb >= WRITER_BUFFER_FROM
    return active(AUTO_FROM if large else 0)


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
