"""A writer that commits batch after batch until it is killed (driven by test_crash.py).

Batch k adds documents ``k-0 .. k-{B-1}``, deletes ``{k-1}-0`` when k % 3 == 0 and
updates ``{k-2}-1`` when k % 4 == 0; after each commit it prints k. ``expected(n)``
computes what the index must hold after batches 0..n-1, so the test can check it.
"""

from __future__ import annotations

import sys

BATCH = 40


def body(k: int, i: int, updated: bool = False) -> str:
    words = " ".join(f"w{(k * 7 + i * 3 + j) % 97}" for j in range(60))
    return f"{'updated' if updated else 'batch'} {k} doc {i} {words}"


def expected(batches: int) -> dict[str, tuple[str, int]]:
    """id -> (body, n) after ``batches`` completed commits."""
    docs: dict[str, tuple[str, int]] = {}
    for k in range(batches):
        for i in range(BATCH):
            docs[f"{k}-{i}"] = (body(k, i), k)
        if k % 3 == 0:
            docs.pop(f"{k - 1}-0", None)
        if k % 4 == 0 and k >= 2:
            docs[f"{k - 2}-1"] = (body(k - 2, 1, updated=True), k)
    return docs


def main() -> None:
    import heron  # imported in the child process only

    path, start = sys.argv[1], int(sys.argv[2])
    ix = heron.open_index(path)
    k = start
    while True:
        with ix.writer(buffer_mb=0.02) as w:
            w.add_documents({"id": f"{k}-{i}", "body": body(k, i), "n": k} for i in range(BATCH))
            if k % 3 == 0:
                w.delete_by_term("id", f"{k - 1}-0")
            if k % 4 == 0 and k >= 2:
                w.update_document(id=f"{k - 2}-1", body=body(k - 2, 1, updated=True), n=k)
        print(k, flush=True)
        k += 1


if __name__ == "__main__":
    main()
