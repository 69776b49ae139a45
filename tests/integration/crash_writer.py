"""A writer that commits batch after batch until it is killed (driven by test_crash.py).

Batch k adds documents ``k-0 .. k-{B-1}``, deletes ``{k-1}-0`` when k % 3 == 0 and
updates ``{k-2}-1`` when k % 4 == 0; after each commit it prints k (and ``ready`` once,
before the first). ``expected(n)`` computes what the index must hold after batches
0..n-1, so the test can check it.

With a third argument ``procs`` > 1 the writer builds segments in worker processes
(small analysis batches, so that every commit hands chunks to the workers), and the
child prints ``workers <pid> ...`` once its first writer has started them.
"""

from __future__ import annotations

import sys

import heron

BATCH = 40
#: documents per commit with worker processes: several chunks of PARALLEL_BATCH_DOCS each
PARALLEL_BATCH = 160
PARALLEL_BATCH_DOCS = 16


def body(k: int, i: int, updated: bool = False) -> str:
    words = " ".join(f"w{(k * 7 + i * 3 + j) % 97}" for j in range(60))
    return f"{'updated' if updated else 'batch'} {k} doc {i} {words}"


def expected(batches: int, size: int = BATCH) -> dict[str, tuple[str, int]]:
    """id -> (body, n) after ``batches`` completed commits of ``size`` documents."""
    docs: dict[str, tuple[str, int]] = {}
    for k in range(batches):
        for i in range(size):
            docs[f"{k}-{i}"] = (body(k, i), k)
        if k % 3 == 0:
            docs.pop(f"{k - 1}-0", None)
        if k % 4 == 0 and k >= 2:
            docs[f"{k - 2}-1"] = (body(k - 2, 1, updated=True), k)
    return docs


def main() -> None:
    path, start = sys.argv[1], int(sys.argv[2])
    procs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    ix = heron.open_index(path)
    size = BATCH if procs == 1 else PARALLEL_BATCH
    print("ready", flush=True)  # the test starts its timer here, not at process start
    k = start
    while True:
        if procs == 1:
            writer = ix.writer(buffer_mb=0.02)
        else:
            writer = ix.writer(procs=procs, batch_docs=PARALLEL_BATCH_DOCS)
            print("workers", *writer.worker_pids, flush=True)
        with writer as w:
            w.add_documents({"id": f"{k}-{i}", "body": body(k, i), "n": k} for i in range(size))
            if k % 3 == 0:
                w.delete_by_term("id", f"{k - 1}-0")
            if k % 4 == 0 and k >= 2:
                w.update_document(id=f"{k - 2}-1", body=body(k - 2, 1, updated=True), n=k)
        print(k, flush=True)
        k += 1


if __name__ == "__main__":
    main()
