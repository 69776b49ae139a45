"""Fixtures for every test pytest collects: those under tests/ and the doctests under src/."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _temporary_directories_under_pytest(tmp_path_factory: pytest.TempPathFactory
                                        ) -> Iterator[None]:
    """``tempfile``'s directories (indexes built inside Hypothesis examples, which cannot
    take ``tmp_path``, and the doctests' examples) go under pytest's own temporary
    directory, which pytest prunes (it keeps the last three runs): a run leaves no
    directories behind in /tmp."""
    before = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("tempfile"))
    try:
        yield
    finally:
        tempfile.tempdir = before
