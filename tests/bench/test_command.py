"""``python -m heron.bench``: run for real in a child process on a JSONL file written here."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import heron

SRC = Path(heron.__file__).resolve().parents[1]
WORDS = ["cocoa", "harvest", "rains", "bahia", "exporters", "shipment", "dollar", "markets",
         "coffee", "sugar", "grain", "wheat", "tonnes", "prices", "traders", "brazil",
         "tunnels", "border", "officials"]
RESULT_KEYS = {"engine", "documents", "mb", "seconds", "mb_per_s", "docs_per_s", "index_mb",
               "peak_rss_mb", "query_median_ms", "query_p95_ms", "queries"}
WHOOSH = pytest.param("whoosh", marks=pytest.mark.skipif(
    importlib.util.find_spec("whoosh") is None,
    reason='Whoosh is not installed (pip install "heron[bench]")'))


def write_docs(path: Path, count: int = 60) -> Path:
    """Write ``count`` small articles as JSON lines: id, title, body, tags and a number."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            title = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(4))
            body = " ".join(WORDS[(n * 3 + k) % len(WORDS)] for k in range(30))
            out.write(json.dumps({"id": f"d{n}", "title": title, "body": body,
                                  "tags": [WORDS[n % 5]], "year": 1980 + n}) + "\n")
    return path


def bench(*args: str | Path, cwd: Path, command: tuple[str, ...] = ("heron.bench",)
          ) -> subprocess.CompletedProcess[str]:
    """Run ``python -m heron.bench ARGS`` (or ``python -m heron bench ARGS``: ``command``
    ``("heron", "bench")``) with stdout and stderr piped."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", *command, *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize("engine", ["heron", WHOOSH])
def test_json_has_the_documented_figures(tmp_path: Path, engine: str) -> None:
    data = write_docs(tmp_path / "docs.jsonl")
    done = bench(data, "--engines", engine, "--queries", "20", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    payload: dict[str, Any] = json.loads(done.stdout)
    [entry] = payload["results"]
    assert set(entry) >= RESULT_KEYS
    assert entry["engine"] == engine
    assert entry["documents"] == 60
    assert entry["queries"] == 20
    assert entry["seconds"] > 0
    assert entry["mb_per_s"] == pytest.approx(entry["mb"] / entry["seconds"])
    assert entry["docs_per_s"] == pytest.approx(60 / entry["seconds"])
    assert entry["index_mb"] > 0
    assert entry["peak_rss_mb"] > 0
    assert 0 < entry["query_median_ms"] <= entry["query_p95_ms"]
    assert entry["hits_per_query"] > 0
    assert {field["name"]: field["kind"] for field in payload["fields"]} == {
        "id": "id", "title": "text", "body": "text", "tags": "keyword"}
    assert payload["run"]["packages"]["heron"] == heron.__version__


HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


@pytest.mark.parametrize("command", [("heron.bench",), ("heron", "bench")])
def test_table_and_no_escape_codes_when_piped(tmp_path: Path, command: tuple[str, ...]
                                              ) -> None:
    data = write_docs(tmp_path / "docs.jsonl")
    done = bench(data, "--engines", "heron", "--queries", "10", cwd=tmp_path, command=command)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any("MB/s" in line and "docs/s" in line for line in lines)
    assert any(line.strip("| ").startswith("heron ") for line in lines)
    assert lines[-1].startswith("heron ")
    assert "MB/s" in lines[-1]


@pytest.mark.skipif(not HAS_MATPLOTLIB,
                    reason='matplotlib is not installed (pip install "heron[bench]")')
def test_plot_writes_a_png(tmp_path: Path) -> None:
    data = write_docs(tmp_path / "docs.jsonl")
    png = tmp_path / "bench.png"
    done = bench(data, "--engines", "heron", "--queries", "10", "--plot", png, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 5_000


@pytest.mark.skipif(HAS_MATPLOTLIB, reason="matplotlib is installed: the chart is drawn")
def test_plot_without_matplotlib_says_what_to_install(tmp_path: Path) -> None:
    data = write_docs(tmp_path / "docs.jsonl")
    done = bench(data, "--engines", "heron", "--plot", tmp_path / "b.png", cwd=tmp_path)
    assert done.returncode == 1
    assert 'pip install "heron[bench]"' in done.stderr
    assert not (tmp_path / "b.png").exists()


def test_gzipped_input_and_limit(tmp_path: Path) -> None:
    plain = write_docs(tmp_path / "docs.jsonl").read_bytes()
    data = tmp_path / "docs.jsonl.gz"
    data.write_bytes(gzip.compress(plain))
    done = bench(data, "--engines", "heron", "--limit", "25", "--queries", "5", "--json",
                 cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["documents"] == 25


def test_bad_input_fails_with_a_message(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"title": "fine words here"}\nnot json\n', encoding="utf-8")
    done = bench(data, "--engines", "heron", cwd=tmp_path)
    assert done.returncode == 1
    assert "bad.jsonl:2" in done.stderr
    assert "Traceback" not in done.stderr
    missing = bench(tmp_path / "missing.jsonl", cwd=tmp_path)
    assert missing.returncode == 1
    assert "cannot read" in missing.stderr


def test_unknown_engine_is_a_usage_error(tmp_path: Path) -> None:
    data = write_docs(tmp_path / "docs.jsonl")
    done = bench(data, "--engines", "heron,lucene", cwd=tmp_path)
    assert done.returncode == 2
    assert "lucene" in done.stderr


def test_import_heron_does_not_load_bench() -> None:
    code = "import sys, heron; print('heron.bench' in sys.modules, 'matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(SRC)},
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
