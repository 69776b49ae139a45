"""The public API type-checks under ``mypy --strict`` as users write it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

USES = textwrap.dedent('''
    from pathlib import Path

    import heron


    def load(path: Path) -> int:
        ix = heron.open_index(path)
        with ix.writer() as w:
            w.add_document(id="a1", body="smuggling tunnels")
            count: int = w.add_documents([{"id": "a2", "body": "a tunnel"}])
            count += w.delete_by_query("tunnels")
            count += w.delete_by_query(heron.query.Term("body", "tunnel"), fields=["body"])
            count += w.delete_by_term("id", "a1")
            count += w.update_document(id="a2", body="replaced")
            w.add_field("summary", heron.TEXT(stored=True))
            w.remove_field("summary")
            pids: list[int] = w.worker_pids
            w.flush()
        other: heron.IndexWriter = ix.writer(buffer_mb=8.0, batch_docs=100, procs=1)
        other.commit(optimize=True)
        return count + len(pids)
''')

#: a typo that mypy --strict must catch, so that a clean run above means something
TYPO = USES.replace("w.delete_by_query(\"tunnels\")", "w.delete_by_qurey(\"tunnels\")")


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "uses.py"
    script.write_text(source)
    # heron from this checkout, type-checked as an installed package is: silently followed
    env = {**os.environ, "MYPYPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
         "--cache-dir", str(tmp_path / "cache"), "--config-file", "", str(script)],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=False, timeout=600)


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed "
                    "(pip install -e '.[lint]')")
def test_writer_calls_type_check_strictly(tmp_path: Path) -> None:
    clean = _mypy(tmp_path, USES)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    typo = _mypy(tmp_path, TYPO)
    assert typo.returncode == 1
    assert '"IndexWriter" has no attribute "delete_by_qurey"' in typo.stdout
