"""Routing by a stable hash of the unique value, and heron without Dask."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import heron
import heron.distributed as hd

SCHEMA = heron.Schema(id=heron.ID(stored=True, unique=True), body=heron.TEXT())
SRC = str(Path(heron.__file__).resolve().parents[1])


def test_routing_is_blake2b_of_the_term() -> None:
    for value in ["17", "a1", "Ünïcödé"]:
        digest = hashlib.blake2b(value.encode(), digest_size=8).digest()
        assert hd.shard_of(SCHEMA, value, 8) == int.from_bytes(digest, "big") % 8


def test_routing_spreads_documents() -> None:
    counts = [0] * 4
    for i in range(4000):
        counts[hd.shard_of(SCHEMA, str(i), 4)] += 1
    assert min(counts) > 800


def test_routing_does_not_depend_on_the_process() -> None:
    """Python's hash() is salted per process; the routing is not."""
    code = ("import heron, heron.distributed as hd\n"
            "s = heron.Schema(id=heron.ID(unique=True))\n"
            "print([hd.shard_of(s, str(i), 7) for i in range(50)])")
    outputs = set()
    for seed in ["1", "2", "random"]:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": SRC}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs.pop().strip() == str([hd.shard_of(SCHEMA, str(i), 7) for i in range(50)])


def test_values_route_by_their_term() -> None:
    numeric = heron.Schema(n=heron.NUMERIC(unique=True, stored=True))
    assert hd.shard_of(numeric, 17, 5) == hd.shard_of(numeric, "17", 5)


def test_importing_heron_does_not_import_dask() -> None:
    code = ("import sys, heron, heron.distributed\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'dask', 'distributed'}))")
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_unique_field_is_needed_to_write(tmp_path: Path) -> None:
    sx = hd.create_sharded(tmp_path / "s", SCHEMA, shards=2)
    with sx.writer() as w, pytest.raises(heron.SchemaError, match="unique field"):
        w.update_document(body="no id")
    with sx.writer() as w:
        w.delete_by_term("body", "word")  # any field: every shard looks
        with pytest.raises(heron.UnknownFieldError):
            w.delete_by_term("nope", "x")
    w = sx.writer()
    w.cancel()
    with pytest.raises(heron.WriterClosedError):
        w.update_document(id="1", body="late")
