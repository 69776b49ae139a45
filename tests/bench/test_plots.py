"""heron bench's charts: each writes a PNG (matplotlib, the bench extra)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from heron.bench import Panel, bar_panels, grouped_bars, line_chart

pytestmark = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                reason='matplotlib is not installed (pip install "heron[bench]")')
PNG = b"\x89PNG\r\n\x1a\n"


def test_bar_panels_skip_unmeasured_engines(tmp_path: Path) -> None:
    path = bar_panels(tmp_path / "bars.png", "indexing", [
        Panel("speed", "MB/s", {"heron": 7.8, "whoosh": 0.9, "tantivy": None}),
        Panel("size", "MB", {"heron": 21.3, "whoosh": 44.5, "tantivy": 18.5}),
    ])
    assert path.read_bytes()[:8] == PNG


def test_grouped_bars_and_log_scale(tmp_path: Path) -> None:
    groups = {"phrase": {"heron": 0.27, "whoosh": 4.6}, "fuzzy": {"heron": 0.08, "whoosh": 4.8},
              "keyword": {"heron": 0.25, "whoosh": 12.0, "tantivy": 0.14}}
    path = grouped_bars(tmp_path / "latency.png", "latency", groups, "ms", log=True)
    assert path.read_bytes()[:8] == PNG


def test_line_chart_of_scaling_curves(tmp_path: Path) -> None:
    series = {"heron": [(16.8, 7.8), (67.3, 7.1), (269.0, 6.9)], "tantivy": [(16.8, 17.6)]}
    path = line_chart(tmp_path / "scaling.png", "scaling", series, "MB", "MB/s", log=True)
    assert path.read_bytes()[:8] == PNG
    assert path.stat().st_size > 5_000
