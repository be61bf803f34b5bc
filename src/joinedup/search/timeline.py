"""Timelines: the dated events of an entity, or of every member of a group, oldest first,
each traced to its record; only records the reader's unit may see.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from joinedup.search.profile import entity_row, flags_available
from joinedup.search.visibility import NotFound, hidden_records
from joinedup.store import tables as t
from joinedup.store.participations import MENTION_TABLES, of_kind


def _events(conn: Connection, members: list[tuple[int, str]], unit: str | None) -> list[Any]:
    """Events in which any of (entity id, kind) take part, with role, source and place."""
    em, ev, r, s = t.entity_member, t.event, t.record, t.source
    lm = t.location_mention.alias("place")  # a location entity's own mentions are joined too
    out = []
    for entity_id, kind in members:
        # A mention takes part in its record's event (store/participations.py).
        m = MENTION_TABLES[kind]
        query = (
            of_kind(kind, em.c.entity_id,
                    ev.c.event_type, ev.c.start_at, ev.c.start_precision, ev.c.description,
                    r.c.id.label("record_id"), r.c.source_ref, s.c.code.label("source"),
                    s.c.agency, lm.c.name.label("place"), lm.c.address.label("place_address"),
                    lm.c.postcode.label("place_postcode"))
            .join(em, (em.c.mention_kind == kind) & (em.c.mention_id == m.c.id))
            .join(s, s.c.id == r.c.source_id)
            .outerjoin(lm, lm.c.id == ev.c.location_mention_id)
            .where(em.c.entity_id == entity_id, em.c.mention_kind == kind)
        )  # fmt: skip
        out.extend(conn.execute(query).all())
    hidden = hidden_records(conn, (row.record_id for row in out), unit)
    return [row for row in out if row.record_id not in hidden]


def _items(rows: list[Any], labels: dict[int, str | None]) -> list[dict[str, Any]]:
    items: dict[int, dict[str, Any]] = {}
    for row in rows:
        item = items.setdefault(row.event_id, {
            "event_id": row.event_id,
            "date": row.start_at.isoformat() if row.start_at else None,
            "precision": row.start_precision,
            "event_type": row.event_type,
            "source": row.source,
            "agency": row.agency,
            "record_id": row.record_id,
            "source_ref": row.source_ref,
            "place": row.place or row.place_address,
            "postcode": row.place_postcode,
            "description": row.description,
            "who": [],
        })  # fmt: skip
        who = {"entity": f"E{row.entity_id}", "label": labels.get(row.entity_id), "role": row.role}
        if who not in item["who"]:
            item["who"].append(who)
    return sorted(items.values(), key=lambda i: (i["date"] is None, i["date"] or "", i["event_id"]))


def entity_timeline(conn: Connection, entity_id: int, *, unit: str | None = None) -> dict[str, Any]:
    entity = entity_row(conn, entity_id)
    rows = _events(conn, [(entity_id, entity.kind)], unit)
    if not rows:
        # An entity with no visible event: NotFound only if nothing of it is visible at all.
        from joinedup.search.profile import member_rows

        if not member_rows(conn, entity_id, entity.kind, unit):
            raise NotFound(f"there is no entity E{entity_id}")
    events = _items(rows, {entity_id: entity.label})
    return {"entity": f"E{entity_id}", "kind": entity.kind, "label": entity.label,
            "events": events}  # fmt: skip


def group_timeline(conn: Connection, flag_id: int, *, unit: str | None = None) -> dict[str, Any]:
    """The events of every member of a group flag (detection's groups)."""
    if not flags_available(conn):
        raise NotFound("there are no groups yet: run detection first")
    f, fm, e = t.flag, t.flag_member, t.entity
    group = conn.execute(select(f).where(f.c.id == flag_id, f.c.kind == "group")).first()
    if group is None:
        raise NotFound(f"there is no group G{flag_id}")
    members = conn.execute(
        select(fm.c.entity_id, e.c.kind, e.c.label, fm.c.member_kind, fm.c.role)
        .join(e, e.c.id == fm.c.entity_id)
        .where(fm.c.flag_id == flag_id)
    ).all()
    rows = _events(conn, [(m.entity_id, m.kind) for m in members], unit)
    labels = {m.entity_id: m.label for m in members}
    return {
        "group": f"G{flag_id}",
        "reason": group.reason,
        "members": [{"entity": f"E{m.entity_id}", "label": m.label, "kind": m.member_kind,
                     "role": m.role} for m in members],
        "events": _items(rows, labels),
    }  # fmt: skip
