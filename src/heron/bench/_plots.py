"""PNG charts of benchmark figures through matplotlib (the ``bench`` extra).

matplotlib is imported inside each function, with its non-interactive Agg backend, so that
importing this module costs nothing and a missing matplotlib fails only the plot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

#: one colour per engine, the same in every chart
COLOURS = {
    "heron": "#1f77b4",
    "heron-2p": "#6baed6",
    "whoosh": "#ff7f0e",
    "tantivy": "#2ca02c",
    "bm25s": "#9467bd",
}
OTHER_COLOURS = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


@attrs.frozen
class Panel:
    """One bar panel: a value per engine (None: not measured) under a title and unit."""

    title: str
    unit: str
    values: Mapping[str, float | None]


def colour(engine: str, position: int = 0) -> str:
    """The colour of an engine in every chart."""
    return COLOURS.get(engine, OTHER_COLOURS[position % len(OTHER_COLOURS)])


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def bar_panels(path: Path, title: str, panels: Sequence[Panel]) -> Path:
    """Write side-by-side horizontal bar panels, one bar per engine, to a PNG at ``path``."""
    plt = _pyplot()
    figure, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 0.5 + 0.45 * max(
        len(panel.values) for panel in panels) + 1.2), squeeze=False)
    for axis, panel in zip(axes[0], panels, strict=True):
        names = [name for name, value in panel.values.items() if value is not None]
        values = [float(panel.values[name] or 0.0) for name in names]
        bars = axis.barh(names, values, color=[colour(n, i) for i, n in enumerate(names)])
        axis.bar_label(bars, labels=[f"{value:,.3g}" for value in values], padding=3,
                       fontsize=8)
        axis.invert_yaxis()
        axis.set_title(panel.title, fontsize=10)
        axis.set_xlabel(panel.unit, fontsize=9)
        axis.margins(x=0.25)
        axis.tick_params(labelsize=8)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def grouped_bars(path: Path, title: str, groups: Mapping[str, Mapping[str, float | None]],
                 unit: str, *, log: bool = False) -> Path:
    """Write vertical bars grouped by ``groups``' keys (a query kind, a collection), one bar
    per engine in each group, to a PNG at ``path``; ``log`` for a logarithmic axis."""
    plt = _pyplot()
    engines = list(dict.fromkeys(name for values in groups.values() for name in values))
    figure, axis = plt.subplots(figsize=(1.2 + 1.1 * len(groups) * max(len(engines), 1) / 2,
                                         4.0))
    width = 0.8 / max(len(engines), 1)
    for position, engine in enumerate(engines):
        xs = [group + (position - (len(engines) - 1) / 2) * width for group in range(len(groups))]
        heights = [values.get(engine) or 0.0 for values in groups.values()]
        bars = axis.bar(xs, heights, width, label=engine, color=colour(engine, position))
        axis.bar_label(bars, labels=[f"{h:.3g}" if h else "" for h in heights], fontsize=7,
                       padding=2)
    axis.set_xticks(range(len(groups)), list(groups))
    axis.set_ylabel(unit)
    if log:
        axis.set_yscale("log")
    axis.set_title(title, fontsize=11)
    axis.legend(fontsize=8)
    axis.margins(y=0.15)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def line_chart(path: Path, title: str, series: Mapping[str, Sequence[tuple[float, float]]],
               xlabel: str, ylabel: str, *, log: bool = False) -> Path:
    """Write one line per engine through its (x, y) points to a PNG at ``path``: the
    scaling curves (documents or MB against seconds, MB/s or memory)."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.0, 4.0))
    for position, (engine, points) in enumerate(series.items()):
        ordered = sorted(points)
        axis.plot([x for x, _ in ordered], [y for _, y in ordered], marker="o", label=engine,
                  color=colour(engine, position))
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    if log:
        axis.set_xscale("log")
        axis.set_yscale("log")
    axis.set_title(title, fontsize=11)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
