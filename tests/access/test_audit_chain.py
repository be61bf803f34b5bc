import hashlib
import json
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from joinedup.access.audit import list_events, record
from joinedup.access.chain import GENESIS_HASH, head, row_hash, verify
from joinedup.pole import AuditCategory
from joinedup.store import write_transaction
from joinedup.store.tables import audit_event
from tests.access.helpers import T0


def fill(engine: Engine, n: int = 8) -> None:
    with write_transaction(engine) as conn:
        for i in range(1, n + 1):
            record(
                conn,
                actor=f"user{i % 3}",
                category=list(AuditCategory)[i % 6],
                action="test_action",
                object_type="record",
                object_id=i,
                purpose="case TEST-1",
                recipient="Test Disclosure Unit",
                detail={"i": i, "z": [1, "two"], "a": None},
                now=T0 + timedelta(minutes=i),
            )


def check(engine: Engine, **kwargs):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return verify(conn, **kwargs)


def tamper(engine: Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def test_rows_are_consecutive_and_hashed_exactly_as_documented(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        seqs = [
            record(conn, actor="ana.test", category="consultation", action="profile_viewed",
                   object_type="entity", object_id=7, purpose="case TEST-1",
                   detail={"b": 2, "a": "é"}, now=T0 + timedelta(seconds=i))
            for i in range(3)
        ]  # fmt: skip
    assert seqs == [1, 2, 3]
    with engine.connect() as conn:
        events = list_events(conn, limit=None)
    # Recompute the first hash from the spec, independently of the code under test.
    body = json.dumps(
        [1, "2025-03-01T09:00:00.000000", "ana.test", "consultation", "profile_viewed",
         "entity", "7", "case TEST-1", None, '{"a":"é","b":2}'],
        separators=(",", ":"), ensure_ascii=False,
    )  # fmt: skip
    assert events[0].prev_hash == GENESIS_HASH
    assert events[0].hash == hashlib.sha256((GENESIS_HASH + body).encode()).hexdigest()
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[0].detail == {"a": "é", "b": 2}


def test_an_intact_log_verifies(engine: Engine) -> None:
    empty = check(engine)
    assert (empty.ok, empty.rows_checked, empty.head_seq, empty.head_hash) == (
        True,
        0,
        0,
        GENESIS_HASH,
    )
    fill(engine)
    result = check(engine)
    assert (result.ok, result.rows_checked, result.head_seq) == (True, 8, 8)
    with engine.connect() as conn:
        assert head(conn) == (8, result.head_hash)


@pytest.mark.parametrize(
    ("statements", "bad_seq", "problem"),
    [
        (["UPDATE audit_event SET actor = 'mallory' WHERE seq = 4"], 4, "edited"),
        (["UPDATE audit_event SET detail = '{\"i\":99}' WHERE seq = 1"], 1, "edited"),
        (["UPDATE audit_event SET at = '2025-01-01 00:00:00' WHERE seq = 8"], 8, "edited"),
        (["DELETE FROM audit_event WHERE seq = 5"], 5, "deleted"),
        (["DELETE FROM audit_event WHERE seq IN (1, 2)"], 1, "deleted"),
        (  # a pair swapped by exchanging seq numbers
            [
                "UPDATE audit_event SET seq = -1 WHERE seq = 3",
                "UPDATE audit_event SET seq = 3 WHERE seq = 4",
                "UPDATE audit_event SET seq = 4 WHERE seq = -1",
            ],
            3,
            "reordered",
        ),
        (  # a row deleted and the rest renumbered to hide the gap
            [
                "DELETE FROM audit_event WHERE seq = 5",
                "UPDATE audit_event SET seq = seq + 1000 WHERE seq > 5",
                "UPDATE audit_event SET seq = seq - 1001 WHERE seq > 1000",
            ],
            5,
            "deleted",
        ),
    ],
    ids=["actor", "detail", "time", "middle", "oldest", "swapped", "renumbered"],
)
def test_tampering_is_found_at_the_first_bad_row(
    engine: Engine, statements: list[str], bad_seq: int, problem: str
) -> None:
    fill(engine)
    tamper(engine, *statements)
    result = check(engine)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, bad_seq, problem)
    assert result.rows_checked == bad_seq - 1
    assert result.message


def test_a_row_rewritten_with_a_recomputed_hash_is_caught_by_the_next_link(
    engine: Engine,
) -> None:
    fill(engine)
    with engine.begin() as conn:
        row = conn.execute(select(audit_event).where(audit_event.c.seq == 4)).one()
        forged = SimpleNamespace(**(row._asdict() | {"actor": "mallory"}))
        digest = row_hash(row.prev_hash, forged)
        conn.execute(
            text("UPDATE audit_event SET actor = 'mallory', hash = :h WHERE seq = 4"), {"h": digest}
        )
    result = check(engine)
    assert (result.first_bad_seq, result.problem) == (4, "edited")


def test_a_truncated_tail_needs_the_head_kept_elsewhere(engine: Engine) -> None:
    fill(engine)
    anchor = (check(engine).head_seq, check(engine).head_hash)
    tamper(engine, "DELETE FROM audit_event WHERE seq > 6")
    assert check(engine).ok  # the chain alone cannot see that the newest rows went
    result = check(engine, expect_head=anchor)
    assert (result.ok, result.problem, result.head_seq) == (False, "truncated", 6)
    fill(engine, 2)  # new rows re-grow seq 7 and 8 with other hashes
    result = check(engine, expect_head=anchor)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 8, "edited")
    assert check(engine, expect_head=(6, result.head_hash)).ok is False
    with engine.connect() as conn:
        six = conn.execute(text("SELECT hash FROM audit_event WHERE seq = 6")).scalar_one()
    assert check(engine, expect_head=(6, six)).ok


def test_rows_written_in_a_rolled_back_transaction_vanish(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        record(conn, actor="ana.test", category="collection", action="ingested")
    with pytest.raises(RuntimeError, match="ingest failed"), write_transaction(engine) as conn:
        record(conn, actor="ana.test", category="collection", action="ingested")
        raise RuntimeError("ingest failed half-way")
    with engine.begin() as conn:
        assert record(conn, actor="ana.test", category="collection", action="ingested") == 2
    assert check(engine).rows_checked == 2


def test_record_needs_the_callers_transaction(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(RuntimeError, match="inside the caller"):
        record(conn, actor="ana.test", category="collection", action="ingested")
    with engine.connect() as conn:
        autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
        with pytest.raises(RuntimeError, match="inside the caller"), autocommit.begin():
            record(autocommit, actor="ana.test", category="collection", action="ingested")
    assert check(engine).rows_checked == 0


@pytest.mark.parametrize(
    ("category", "kwargs", "complaint"),
    [
        ("alteration", {"detail": {"password": "x"}}, "secrets"),
        ("alteration", {"detail": {"nested": [{"Token": "x"}]}}, "secrets"),
        ("disclosure", {}, "recipient"),
        ("erasure", {"detail": {"raw": "the erased row"}}, "metadata"),
        ("erasure", {"detail": {"records": [{"name": "x"}]}}, "nested"),
        ("consultation", {"action": ""}, "an actor and an action"),
        ("consultation", {"object_type": "x" * 33}, "longer than 32"),
        ("nonsense", {}, "nonsense"),
    ],
)
def test_record_refuses_rows_the_law_or_prudence_forbids(
    engine: Engine, category: str, kwargs: dict, complaint: str
) -> None:
    arguments = {"actor": "ana.test", "action": "x"} | kwargs
    with pytest.raises(ValueError, match=complaint), write_transaction(engine) as conn:
        record(conn, category=category, **arguments)


def test_erasure_keeps_metadata(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        record(
            conn,
            actor="ada.admin",
            category=AuditCategory.erasure,
            action="records_erased",
            object_type="ingest_batch",
            object_id=12,
            purpose="MoPI review TEST-3",
            detail={"records": 40, "record_ids": [1, 2, 3], "rule": "retention-6y"},
        )
    assert check(engine).ok


def test_list_events_filters_and_returns_the_newest_oldest_first(engine: Engine) -> None:
    fill(engine)
    with engine.connect() as conn:
        assert [e.seq for e in list_events(conn, limit=3)] == [6, 7, 8]
        assert [e.seq for e in list_events(conn, actor="user1", limit=None)] == [1, 4, 7]
        assert [e.seq for e in list_events(conn, category="combination")] == [4]
        window = list_events(conn, since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4))
        assert [e.seq for e in window] == [2, 3]
        aware = datetime(2025, 3, 1, 10, 7, tzinfo=ZoneInfo("Europe/Paris"))
        assert [e.seq for e in list_events(conn, since=aware)] == [7, 8]


def test_verify_reports_its_progress(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from joinedup.access import chain

    monkeypatch.setattr(chain, "PROGRESS_ROWS", 3)
    fill(engine)
    seen: list[int] = []
    assert check(engine, progress=seen.append).ok
    assert seen == [3, 6, 8]  # every PROGRESS_ROWS rows, then the total
