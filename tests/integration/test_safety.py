"""Crashes, damaged files, concurrent readers and failed writes: nothing committed is lost."""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tests.integration.crash_writer import BATCH, PARALLEL_BATCH, expected

import heron

CHILD = Path(__file__).with_name("crash_writer.py")
REPO = Path(__file__).resolve().parents[2]


def _schema() -> heron.Schema:
    return heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT(stored=True),
                        n=heron.NUMERIC(stored=True))


def _contents(path: Path) -> dict[str, tuple[str, int]]:
    ix = heron.open_index(path)
    ix.check()
    with ix.searcher() as s:
        docs = {d["id"]: (d["body"], d["n"]) for d in s.documents()}
        assert s.doc_count() == len(docs) == ix.doc_count()
        if docs:  # the inverted index agrees with the stored documents
            assert s.search("batch OR updated OR text", limit=None).total == len(docs)
    return docs


def _gone(pid: int) -> bool:
    """Whether a process has exited (a zombie left unreaped counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return "\nState:\tZ" in status or "\nState:\tX" in status


def _kill_when_ready(command: list[str], env: dict[str, str], commits: int,
                     delay: float) -> list[str]:
    """Run a child, SIGKILL it ``delay`` seconds after it has said ``ready`` and then
    reported ``commits`` commits, and return what it printed; the output ends only once
    every process holding its stdout is gone. Waiting for the child's own lines (not for a
    guess of its speed) keeps the test meaningful on a busy machine."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    lines: list[str] = []
    seen = threading.Condition()
    state = {"ready": False, "commits": 0, "ended": False}

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            with seen:
                if line == "ready\n":
                    state["ready"] = True
                else:
                    lines.append(line.rstrip("\n"))
                    if not line.startswith("workers"):
                        state["commits"] += 1
                seen.notify_all()
        with seen:
            state["ended"] = True  # EOF: the child ended (or failed)
            seen.notify_all()

    reader = threading.Thread(target=read)
    reader.start()
    with seen:
        got = seen.wait_for(lambda: state["ended"] or (state["ready"]
                                                        and state["commits"] >= commits),
                            timeout=300)
    if not got:
        child.kill()
        pytest.fail("the writer neither got ready nor committed")
    time.sleep(delay)
    child.kill()
    child.wait()
    reader.join(timeout=120)
    child.stdout.close()
    if reader.is_alive():
        pytest.fail("a worker process outlived its killed writer (it holds the output open)")
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("procs", [1, 2])
def test_killed_writer_leaves_the_last_commit(tmp_path: Path, procs: int) -> None:
    """50 SIGKILLs of a writer at random moments; with procs=2 its worker processes must
    die with it (the child's stdout reaches EOF only when no worker holds it)."""
    path = tmp_path / "ix"
    heron.create_index(path, _schema())
    rng = random.Random(20261125 + procs)
    size = BATCH if procs == 1 else PARALLEL_BATCH
    acked = 0  # batches known to be committed
    kills = 0
    workers_seen: set[int] = set()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    while kills < 50:
        # kill at a random moment of a random commit: after 0, 1 or 2 reported commits
        commits = rng.randint(0, 2)
        delay = rng.uniform(0.0, 0.4) if procs == 1 else rng.uniform(0.0, 1.2)
        lines = _kill_when_ready([sys.executable, str(CHILD), str(path), str(acked), str(procs)],
                                 env, commits, delay)
        kills += 1
        workers = [int(w) for line in lines if line.startswith("workers")
                   for w in line.split()[1:]]
        workers_seen.update(workers)
        assert all(_gone(pid) for pid in workers), "a worker outlived its writer"
        printed = [int(line) for line in lines if not line.startswith("workers")]
        if printed:
            acked = printed[-1] + 1
        docs = _contents(path)
        # the commit in flight when the kill came may or may not have been published
        if docs == expected(acked + 1, size) and docs != expected(acked, size):
            acked += 1
        assert docs == expected(acked, size), f"after kill {kills}: not the last commit"
    assert acked > 25  # the writer made real progress between the kills
    if procs > 1:
        assert workers_seen, "the writer never started a worker"


@pytest.fixture
def built(tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    ix = heron.create_index(path, _schema())
    with ix.writer() as w:
        w.add_documents({"id": f"a{i}", "body": f"alpha text {i}", "n": i} for i in range(50))
    with ix.writer() as w:
        w.add_documents({"id": f"b{i}", "body": f"beta text {i}", "n": i} for i in range(50))
        w.delete_by_term("id", "a3")
    return path


def _read_everything(path: Path) -> list[object]:
    """Everything a reader can see: stored documents and the results of several queries."""
    ix = heron.open_index(path)
    with ix.searcher() as s:
        seen: list[object] = [s.stored_fields(d) for d in range(s.reader.max_doc)]
        for query in ("text alpha beta", '"alpha text"', "n:[0 TO 100]", "id:b*", "alpah~1"):
            res = s.search(query, limit=None, sort_by="n", facets=["n"])
            seen.append([(h.docnum, h.score) for h in res])
            seen.append(res.facets)
        return seen


def _index_files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.name != "write.lock")


def test_every_file_is_checked(built: Path) -> None:
    files = _index_files(built)
    assert {p.suffix for p in files} == {".json", ".hsg", ".hdl"}
    heron.open_index(built).check()
    assert len(_read_everything(built)) == 100 + 10  # max_doc counts the deleted a3


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_damaged_files_raise_corrupt_index_error(built: Path, damage: str) -> None:
    """check() always notices; reading either raises or returns exactly the true contents
    (a flipped padding byte between arrays harms no data, and only check() sees it)."""
    rng = random.Random(7)
    truth = _read_everything(built)
    for target in _index_files(built):
        original = target.read_bytes()
        for _ in range(8 if damage == "flip" else 3):
            data = bytearray(original)
            if damage == "flip":
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            else:
                del data[rng.randrange(1, len(data)) :]
            target.write_bytes(bytes(data))
            with pytest.raises(heron.CorruptIndexError, match=target.name.split(".")[0]):
                heron.open_index(built).check()
            try:
                seen = _read_everything(built)
            except heron.CorruptIndexError:
                continue
            assert seen == truth, f"{target.name} damaged, yet read without an error"
        target.write_bytes(original)
    heron.open_index(built).check()


def test_missing_files_raise_missing_file_error(built: Path) -> None:
    """A file the commit names but the directory lacks: MissingFileError (a
    CorruptIndexError, what it was before) from check() and from opening a searcher."""
    for target in _index_files(built):
        if target.suffix == ".json":
            continue
        original = target.read_bytes()
        target.unlink()
        with pytest.raises(heron.MissingFileError, match=f"{target.name}: file is missing"):
            heron.open_index(built).check()
        with pytest.raises(heron.MissingFileError) as info:
            _read_everything(built)  # the reader's retries find no newer commit
        assert isinstance(info.value, heron.CorruptIndexError)
        target.write_bytes(original)
    heron.open_index(built).check()


def test_searching_threads_while_committing(built: Path) -> None:
    ix = heron.open_index(built)
    errors: list[BaseException] = []
    stop = threading.Event()

    def search() -> None:
        try:
            while not stop.is_set():
                with ix.searcher() as s:
                    total = s.doc_count()
                    res = s.search("text", limit=None)
                    # one snapshot: every count agrees within it
                    assert res.total == total
                    assert len({h["id"] for h in res}) == total
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=search) for _ in range(3)]
    for t in threads:
        t.start()
    for k in range(15):
        with ix.writer() as w:
            w.add_documents({"id": f"c{k}-{i}", "body": f"gamma text {i}", "n": i}
                            for i in range(20))
            w.delete_by_term("id", f"a{k}")
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert ix.doc_count() == 99 + 15 * 20 - 14  # a3 was already gone


FULL_DISK_CHILD = """
import resource, signal, sys, heron
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
ix = heron.open_index(sys.argv[1])
try:
    with ix.writer() as w:
        w.add_documents({"id": f"z{i}", "body": "zeta " * 200 + str(i), "n": i}
                        for i in range(3000))
except heron.StorageError as exc:
    print("StorageError:", exc)
"""


def test_failed_write_keeps_the_previous_commit(built: Path) -> None:
    before = _contents(built)
    files = _index_files(built)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-c", FULL_DISK_CHILD, str(built)],
                          capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.startswith("StorageError:"), proc.stdout + proc.stderr
    assert "File too large" in proc.stdout
    assert _contents(built) == before
    assert _index_files(built) == files  # no stray files


def test_file_size_limit_is_restored() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    assert soft == resource.RLIM_INFINITY or soft > 10**9


def test_searching_while_another_process_commits(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    heron.create_index(path, _schema())
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.Popen([sys.executable, str(CHILD), str(path), "0"],
                             stdout=subprocess.PIPE, text=True, env=env)
    commits = threading.Semaphore(0)

    def count_commits() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip().isdigit():
                commits.release()

    reader = threading.Thread(target=count_commits, daemon=True)
    reader.start()
    try:
        snapshots = 0
        observed: set[int] = set()
        # search while the child commits batch after batch: until it reports its sixth
        # commit (a wait on its output, not a guess of its speed), and 6 snapshots at least
        seen = 0
        while seen < 6 or snapshots <= 5:
            if seen < 6 and commits.acquire(blocking=False):
                seen += 1
            assert child.poll() is None, "the writer stopped"
            ix = heron.open_index(path)
            with ix.searcher() as s:
                docs = {d["id"]: (d["body"], d["n"]) for d in s.documents()}
                # every snapshot is one whole commit: some prefix of the writer's batches
                batches = 1 + max((n for _, n in docs.values()), default=-1)
                assert docs == expected(batches), "not a whole commit"
                assert s.search("batch OR updated", limit=None).total == len(docs)
                snapshots += 1
                observed.add(batches)
    finally:
        child.kill()
        child.wait()
        reader.join(timeout=60)
        assert child.stdout is not None
        child.stdout.close()
    assert snapshots > 5
    assert len(observed) > 1  # the snapshots saw commits being made


def test_one_searcher_shared_by_threads(built: Path) -> None:
    searcher = heron.open_index(built).searcher()
    queries = ["alpha", "beta text", '"alpha text"', "n:[5 TO 30]", "alpah~1", "b*"]

    def answers() -> list[object]:
        return [[(h["id"], h.score, h.highlights("body")) for h in searcher.search(q, limit=20)]
                for q in queries]

    expected_answers = answers()
    errors: list[BaseException] = []
    seen: list[list[object]] = []

    def work() -> None:
        try:
            for _ in range(20):
                seen.append(answers())
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(seen) == 80
    assert all(answer == expected_answers for answer in seen)
