"""``heron bench`` and the pieces heron's benchmarks are made of.

Engine adapters (heron, Whoosh, tantivy; peers imported only inside them), the harness that
builds and searches each engine in a child process of its own (timing, peak RSS, index
size), the JSON record of a run and PNG charts (matplotlib). ``import heron`` never loads
this package; ``python -m heron.bench data.jsonl`` runs the command.
"""

from heron.bench._command import add_arguments, main, run
from heron.bench._engine import Engine, SearchFn, installed
from heron.bench._engines import ENGINE_NAMES, engine
from heron.bench._fields import (
    Doc,
    Field,
    id_field,
    infer_fields,
    normalize,
    read_jsonl,
    text_fields,
    text_megabytes,
)
from heron.bench._harness import (
    child_main,
    dir_size,
    measure_build,
    measure_search,
    peak_rss_mb,
    percentile,
    run_child,
)
from heron.bench._heron import HeronEngine
from heron.bench._plots import Panel, bar_panels, grouped_bars, line_chart
from heron.bench._queries import STOP_WORDS, draw_queries, query_words
from heron.bench._records import git_commit, package_version, run_info, write_record
from heron.bench._tantivy import TantivyEngine
from heron.bench._whoosh import WhooshEngine

__all__ = [
    "ENGINE_NAMES",
    "STOP_WORDS",
    "Doc",
    "Engine",
    "Field",
    "HeronEngine",
    "Panel",
    "SearchFn",
    "TantivyEngine",
    "WhooshEngine",
    "add_arguments",
    "bar_panels",
    "child_main",
    "dir_size",
    "draw_queries",
    "engine",
    "git_commit",
    "grouped_bars",
    "id_field",
    "infer_fields",
    "installed",
    "line_chart",
    "main",
    "measure_build",
    "measure_search",
    "normalize",
    "package_version",
    "peak_rss_mb",
    "percentile",
    "query_words",
    "read_jsonl",
    "run",
    "run_child",
    "run_info",
    "text_fields",
    "text_megabytes",
    "write_record",
]
