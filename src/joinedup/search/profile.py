"""An entity's profile: every source record it appears in (agency, date, grading, role),
its names and aliases, its flags with evidence, and how its members were joined.

Only records the reader's unit may see are read; protected characteristics are never
shown here (they are counted in statistics, never used to describe a lead).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, inspect, select

from joinedup.resolve.explain import explain_entity
from joinedup.search.visibility import NotFound, hidden_records
from joinedup.store import tables as t

# The normalised fields shown for a mention of each kind (never `raw` record JSON, which
# may hold protected characteristics).
FIELDS = {
    "person": ("raw_name", "nickname", "dob", "sex", "address", "postcode"),
    "vehicle": ("raw", "vrm", "pattern", "make", "model", "colour"),
    "phone": ("raw", "e164", "valid"),
    "location": ("raw", "name", "address", "postcode", "place_type"),
}


def entity_row(conn: Connection, entity_id: int) -> Any:
    row = conn.execute(select(t.entity).where(t.entity.c.id == entity_id)).first()
    if row is None:
        raise NotFound(f"there is no entity E{entity_id}")
    return row


def member_rows(conn: Connection, entity_id: int, kind: str, unit: str | None) -> list[Any]:
    """The entity's mentions with their record, source and event, visible ones only."""
    em, r, s, ev = t.entity_member, t.record, t.source, t.event
    m = t.MENTION_TABLES[kind]
    query = (
        select(m, em.c.how, em.c.match_probability, r.c.source_ref, r.c.received_at,
               r.c.grading_source, r.c.grading_intelligence, r.c.grading_handling,
               r.c.event_type.label("record_type"), s.c.code.label("source"),
               s.c.agency, ev.c.id.label("event_id"), ev.c.start_at)
        .join_from(em, m, (em.c.mention_kind == kind) & (m.c.id == em.c.mention_id))
        .join(r, r.c.id == m.c.record_id)
        .join(s, s.c.id == r.c.source_id)
        .outerjoin(ev, ev.c.record_id == r.c.id)
        .where(em.c.entity_id == entity_id)
        .order_by(ev.c.start_at, r.c.received_at, m.c.id)
    )  # fmt: skip
    rows = conn.execute(query).all()
    hidden = hidden_records(conn, (row.record_id for row in rows), unit)
    return [row for row in rows if row.record_id not in hidden]


def _grading(row: Any) -> str | None:
    parts = (row.grading_source, row.grading_intelligence, row.grading_handling)
    return "/".join(p or "-" for p in parts) if any(parts) else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def entity_profile(conn: Connection, entity_id: int, *, unit: str | None = None) -> dict[str, Any]:
    """Everything the reader may see about one entity; NotFound when they may see none."""
    entity = entity_row(conn, entity_id)
    rows = member_rows(conn, entity_id, entity.kind, unit)
    if not rows:
        raise NotFound(f"there is no entity E{entity_id}")
    fields = FIELDS[entity.kind]
    records = [
        {
            "mention": f"{entity.kind}:{row.id}",
            "record_id": row.record_id,
            "source": row.source,
            "agency": row.agency,
            "source_ref": row.source_ref,
            "date": _iso(row.start_at or row.received_at),
            "received": _iso(row.received_at),
            "event_type": row.record_type,
            "event_id": row.event_id,
            "grading": _grading(row),
            "role": row.role,
            "extracted_from_text": bool(row.extracted),
            "as_written": {f: _iso(getattr(row, f)) if f == "dob" else getattr(row, f)
                           for f in fields if getattr(row, f) is not None},
        }
        for row in rows
    ]  # fmt: skip
    visible = {r["mention"] for r in records}
    explanation = explain_entity(conn, entity_id)
    explanation["members"] = [m for m in explanation["members"] if m["mention"] in visible]
    explanation["candidate_links"] = [
        c for c in explanation["candidate_links"] if c["mention"] in visible
    ]
    explanation["decisions"] = [
        d for d in explanation["decisions"] if d["a"] in visible or d["b"] in visible
    ]
    return {
        "entity": f"E{entity_id}",
        "entity_id": entity_id,
        "kind": entity.kind,
        "label": entity.label,
        "current": entity.retired_run_id is None,
        "size": len(records),
        "names": _names(entity.kind, rows),
        "agencies": sorted({r["agency"] for r in records}),
        "first_seen": min((r["date"] for r in records if r["date"]), default=None),
        "last_seen": max((r["date"] for r in records if r["date"]), default=None),
        "records": records,
        "flags": entity_flags(conn, entity_id, unit),
        "explanation": explanation,
    }


def _names(kind: str, rows: list[Any]) -> dict[str, list[str]]:
    """Aliases as written: every distinct name, nickname and date of birth (persons), or
    every way a plate, number or place was written."""
    if kind != "person":
        return {"as_written": sorted({row.raw for row in rows if row.raw})}
    return {
        "names": sorted({row.raw_name for row in rows if row.raw_name}),
        "nicknames": sorted({row.nickname for row in rows if row.nickname}),
        "dates_of_birth": sorted({row.dob.isoformat() for row in rows if row.dob}),
    }


def flags_available(conn: Connection) -> bool:
    return inspect(conn).has_table("flag")


def entity_flags(conn: Connection, entity_id: int, unit: str | None) -> list[dict[str, Any]]:
    """The entity's flags (its own, and groups it belongs to) with visible evidence."""
    if not flags_available(conn):
        return []
    f, fm = t.flag, t.flag_member
    own = select(f).where(f.c.entity_id == entity_id)
    groups = select(f).join(fm, fm.c.flag_id == f.c.id).where(fm.c.entity_id == entity_id)
    flags = list(conn.execute(own).all()) + list(conn.execute(groups).all())
    return [flag_summary(conn, row, unit) for row in flags]


def flag_summary(conn: Connection, row: Any, unit: str | None) -> dict[str, Any]:
    """One flag with the evidence the reader may see (events and records traced back)."""
    fe, ev = t.flag_evidence, t.event
    items = conn.execute(
        select(fe.c.rule_id, fe.c.item_kind, fe.c.item_id, fe.c.why).where(fe.c.flag_id == row.id)
    ).all()
    record_of = {i.item_id: i.item_id for i in items if i.item_kind == "record"}
    event_ids = [i.item_id for i in items if i.item_kind == "event"]
    if event_ids:
        for eid, rid in conn.execute(
            select(ev.c.id, ev.c.record_id).where(ev.c.id.in_(event_ids[:900]))
        ):
            record_of[eid] = rid
    hidden = hidden_records(conn, record_of.values(), unit)
    evidence = [
        {"rule": i.rule_id, "item": f"{i.item_kind}:{i.item_id}", "why": i.why}
        for i in items
        if i.item_kind == "entity" or record_of.get(i.item_id) not in hidden
    ]
    return {
        "flag_id": row.id,
        "kind": row.kind,
        "subject": row.subject_key,
        "rule": row.rule_id,
        "rule_version": row.rule_version,
        "band": row.band,
        "score": row.score,
        "reason": row.reason,
        "status": row.status,
        "active": bool(row.active),
        "evidence": evidence,
    }
