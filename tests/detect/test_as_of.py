"""As-of runs use only records received by the date, and the evaluate hook writes nothing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, func, select

from joinedup.detect import detect, leads_as_of
from joinedup.store import tables as t

MID = date(2019, 1, 25)


def test_as_of_uses_only_records_received_by_then(resolved: Engine) -> None:
    with resolved.connect() as conn:
        early, full = detect(conn, MID), detect(conn)
    limit = datetime(2019, 1, 26)
    assert early.facts.events and all(e.received < limit for e in early.facts.events.values())
    assert len(early.facts.events) < len(full.facts.events)
    for r in early.children.values():
        for h in r.hits:
            assert all(early.facts.events[e].received < limit for e in h.events)


def test_leads_as_of_has_the_evaluate_shape_and_writes_nothing(resolved: Engine) -> None:
    def rows() -> tuple[int, int]:
        with resolved.connect() as conn:
            flags = conn.execute(select(func.count()).select_from(t.flag)).scalar_one()
            audit = conn.execute(select(func.count()).select_from(t.audit_event)).scalar_one()
        return flags, audit

    before = rows()
    with resolved.connect() as conn:
        out = leads_as_of(conn, None)
        early = leads_as_of(conn, MID)
    assert rows() == before
    kinds = {f["kind"] for f in out["flags"]}
    assert {"child", "adult"} <= kinds <= {"child", "adult", "vehicle", "location"}
    assert all(f.get("band") for f in out["flags"] if f["kind"] == "child")
    assert out["group_leads"] and all(len(g["members"]) >= 4 for g in out["group_leads"])
    assert len(early["flags"]) <= len(out["flags"])
