"""Two real processes append to the audit at once; the chain must not fork or skip."""

import multiprocessing
import time
from collections import Counter

import pytest
from sqlalchemy.engine import Engine

from joinedup.access.audit import list_events, record
from joinedup.access.chain import verify
from joinedup.store import make_engine, write_transaction

ROWS_EACH = 200


def append_rows(url: str, worker: int, mode: str, start) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with engine.connect():  # connect before the start line, so both start writing at once
        pass
    start.wait(120)
    for i in range(ROWS_EACH):
        if mode == "write_transaction":
            transaction = write_transaction(engine, lock="audit")
        else:  # a caller that forgot write_transaction: record must still be safe
            transaction = engine.begin()
        with transaction as conn:
            record(conn, actor=f"worker{worker}", category="collection", action="race", object_id=i)
        # Other work between appends: SQLite's busy handler is not fair, so a writer in a
        # tight loop could otherwise finish before the other wakes and prove nothing.
        time.sleep(0.002)
    engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["write_transaction", "engine_begin"])
def test_concurrent_appends_keep_one_unbroken_chain(
    store_url: str, engine: Engine, mode: str
) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [
        context.Process(target=append_rows, args=(store_url, n, mode, start)) for n in (1, 2)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=300)
    assert [p.exitcode for p in workers] == [0, 0]
    with engine.connect() as conn:
        result = verify(conn)
        events = list_events(conn, limit=None)
    assert (result.ok, result.rows_checked) == (True, 2 * ROWS_EACH), result.message
    assert [e.seq for e in events] == list(range(1, 2 * ROWS_EACH + 1))
    assert Counter(e.actor for e in events) == {"worker1": ROWS_EACH, "worker2": ROWS_EACH}
    # The two writers really did interleave (otherwise this test proves nothing).
    switches = sum(a.actor != b.actor for a, b in zip(events, events[1:], strict=False))
    assert switches > 1
