"""Flags across runs: never duplicated, decisions kept, a dismissed flag back only with new
evidence (saying what is new), status changes by role, with history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from joinedup.access.actor import load_actor
from joinedup.access.roles import NotAuthorised
from joinedup.detect.lifecycle import FlagError, run_detection, set_status
from joinedup.detect.reading import list_flags, show_flag
from joinedup.store import tables as t
from joinedup.store import write_transaction

MID = date(2019, 1, 25)  # the tiny city runs from 2019-01-01 for two months


def actor(engine: Engine, name: str):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return load_actor(conn, name)


def count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_rerunning_never_duplicates_a_flag(resolved: Engine) -> None:
    ana = actor(resolved, "ana")
    first = run_detection(resolved, ana)
    flags = count(resolved, t.flag)
    evidence = count(resolved, t.flag_evidence)
    assert first.counts["raised"] == flags > 0
    second = run_detection(resolved, ana)
    assert count(resolved, t.flag) == flags
    assert count(resolved, t.flag_evidence) == evidence
    assert second.counts.get("raised", 0) == 0 and second.counts["unchanged"] == flags
    with resolved.connect() as conn:
        kinds = {r["kind"] for r in list_flags(conn, limit=10_000)}
    assert {"child", "adult", "group"} <= kinds


def test_triage_and_approval_are_separated_by_role(resolved: Engine) -> None:
    ana, sue = actor(resolved, "ana"), actor(resolved, "sue")
    run_detection(resolved, ana)
    with resolved.connect() as conn:
        fid = int(list_flags(conn, kind="adult")[0]["flag"][1:])
    with write_transaction(resolved) as conn:
        with pytest.raises(NotAuthorised, match="approve_flags"):
            set_status(conn, ana, fid, "dismissed", "looks like family")
    with write_transaction(resolved) as conn:
        with pytest.raises(FlagError, match="reason"):
            set_status(conn, ana, fid, "under_review", "  ")
        set_status(conn, ana, fid, "under_review", "checking the stop record")
    with write_transaction(resolved) as conn:
        set_status(conn, sue, fid, "actioned", "referred to the CSE team")
    with resolved.connect() as conn:
        shown = show_flag(conn, fid)
    assert shown["status"] == "actioned"
    steps = [(h["from"], h["to"], h["by"]) for h in shown["history"]]
    assert steps[-2:] == [("new", "under_review", "ana"), ("under_review", "actioned", "sue")]
    run_detection(resolved, ana)  # people decide: a re-run keeps the decision
    with resolved.connect() as conn:
        assert show_flag(conn, fid)["status"] == "actioned"


def test_a_dismissed_flag_returns_only_with_new_evidence(resolved: Engine) -> None:
    ana, sue = actor(resolved, "ana"), actor(resolved, "sue")
    run_detection(resolved, ana, as_of=MID)
    with resolved.connect() as conn:
        early = {r["flag"]: r for r in list_flags(conn, limit=10_000)}
    for ref in early:
        with write_transaction(resolved) as conn:
            set_status(conn, sue, int(ref[1:]), "dismissed", "seen, no concern")
    run_detection(resolved, ana, as_of=MID)  # the same evidence: all stay dismissed
    with resolved.connect() as conn:
        assert {r["status"] for r in list_flags(conn, limit=10_000)} == {"dismissed"}
    summary = run_detection(resolved, ana)  # everything received since brings new evidence
    assert summary.counts.get("reopened", 0) >= 1
    with resolved.connect() as conn:
        now = {r["flag"]: r["status"] for r in list_flags(conn, limit=10_000, active_only=False)}
        reopened = [f for f in early if now[f] == "new"]
        assert reopened
        last = show_flag(conn, int(reopened[0][1:]))["history"][-1]
    assert last["from"] == "dismissed" and last["to"] == "new"
    assert "new evidence" in last["reason"] and last["detail"]["new_events"]
    assert any(now[f] == "dismissed" for f in early) or len(reopened) == len(early)


def test_every_run_is_recorded_and_audited(resolved: Engine) -> None:
    run = run_detection(resolved, actor(resolved, "ana"), as_of=MID)
    with resolved.connect() as conn:
        row = conn.execute(select(t.detection_run).where(t.detection_run.c.id == run.run_id))
        stored = row.mappings().one()
        audit = conn.execute(
            select(t.audit_event.c.category, t.audit_event.c.object_id).where(
                t.audit_event.c.action == "detect"
            )
        ).all()
    assert stored["status"] == "done" and stored["as_of"] == MID
    assert stored["rule_set_version"] and len(stored["rules_hash"]) == 64
    assert ("combination", str(run.run_id)) in [tuple(a) for a in audit]


def test_a_researcher_cannot_run_detection(resolved: Engine) -> None:
    with pytest.raises(NotAuthorised):
        run_detection(resolved, actor(resolved, "rex"))


def test_detection_before_resolution_says_what_to_do(engine: Engine) -> None:
    from joinedup.access.actor import Actor
    from joinedup.access.roles import permissions_for
    from joinedup.pole import UserRole

    ana = Actor("ana", UserRole.analyst, permissions_for(UserRole.analyst))
    with pytest.raises(FlagError, match="run `joinedup resolve` first"):
        run_detection(engine, ana)
