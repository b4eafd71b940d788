"""Concurrent batches that share statement ids, sent by real threads to the live server.

Equal content under one id is idempotent, so every request must get 200 and each statement must be stored once,
whichever batch wins the insert. On PostgreSQL this covers unique violations between open transactions and lock
order deadlocks; on SQLite it covers the single writer lock.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections import Counter

from statements_support import statement

THREADS = 24
ROUNDS = 6
POOL_SIZE = 48
BATCH_SIZE = 8


def test_overlapping_concurrent_batches_all_accepted(make_client):
    reader = make_client("all")
    writers = [make_client("statements/write") for _ in range(THREADS)]
    email = f"race-{uuid.uuid4().hex[:8]}@example.com"
    pool = {statement_id: statement(email=email, id=statement_id)
            for statement_id in (str(uuid.uuid4()) for _ in range(POOL_SIZE))}
    responses: list[tuple[int, str]] = []
    start = threading.Barrier(THREADS)

    def send_batches(writer, seed: int) -> None:
        chooser = random.Random(seed)
        start.wait()
        for _ in range(ROUNDS):
            ids = chooser.sample(sorted(pool), BATCH_SIZE)
            response = writer.post("/xapi/statements", json=[pool[statement_id] for statement_id in ids])
            responses.append((response.status_code, response.text[:200]))

    threads = [threading.Thread(target=send_batches, args=(writer, seed)) for seed, writer in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    stored = reader.get("/xapi/statements", params={"agent": json.dumps({"mbox": f"mailto:{email}"}),
                                                    "limit": "0"}).json()["statements"]
    stored_ids = [s["id"] for s in stored]
    failures = [text for status, text in responses if status != 200]

    assert Counter(status for status, _ in responses) == Counter({200: THREADS * ROUNDS}), failures[:3]
    assert len(stored_ids) == len(set(stored_ids))
    assert set(stored_ids) <= set(pool)
