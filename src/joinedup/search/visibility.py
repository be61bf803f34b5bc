"""Restricted records: a record marked restricted to a unit is seen only by that unit's users.

Every reader of records in this package filters through here, so a profile, a timeline
or a search hit never shows a record another unit restricted; an entity whose records are
all hidden is reported exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, exists, insert, select

from joinedup.access import audit
from joinedup.pole import AuditCategory
from joinedup.store import tables as t

CHUNK = 900  # bound parameters per IN list (SQLite allows 999 in old builds)


class NotFound(LookupError):
    """No such entity, or none of its records is visible to the reader: the same answer."""


def hidden_clause(record_id: Any, unit: str | None) -> ColumnElement[bool]:
    """True for a record restricted to a unit other than `unit`."""
    rr = t.record_restriction
    conditions = [rr.c.record_id == record_id]
    if unit:
        conditions.append(rr.c.unit != unit)
    return exists().where(*conditions)


def visible_clause(record_id: Any, unit: str | None) -> ColumnElement[bool]:
    return ~hidden_clause(record_id, unit)


def any_hidden(conn: Connection, unit: str | None) -> bool:
    """Whether any record at all is restricted from this reader (usually none is)."""
    rr = t.record_restriction
    query = select(rr.c.id).limit(1)
    if unit:
        query = query.where(rr.c.unit != unit)
    return conn.execute(query).first() is not None


def hidden_records(conn: Connection, record_ids: Iterable[int], unit: str | None) -> set[int]:
    """Which of these records the reader's unit may not see."""
    rr = t.record_restriction
    if not any_hidden(conn, unit):  # one cheap query instead of long IN lists
        return set()
    ids = sorted(set(record_ids))
    hidden: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        query = select(rr.c.record_id).where(rr.c.record_id.in_(ids[i : i + CHUNK]))
        if unit:
            query = query.where(rr.c.unit != unit)
        hidden.update(int(r) for r in conn.execute(query).scalars())
    return hidden


def visible_mentions(
    conn: Connection, kind: str, mention_ids: Iterable[int], unit: str | None
) -> set[int]:
    """The mentions (of one kind) whose record the reader may see."""
    table = t.MENTION_TABLES[kind]
    ids = sorted(set(mention_ids))
    if not any_hidden(conn, unit):
        return set(ids)
    record_of: dict[int, int] = {}
    for i in range(0, len(ids), CHUNK):
        rows = conn.execute(
            select(table.c.id, table.c.record_id).where(table.c.id.in_(ids[i : i + CHUNK]))
        )
        record_of.update({int(m): int(r) for m, r in rows})
    hidden = hidden_records(conn, record_of.values(), unit)
    return {m for m, r in record_of.items() if r not in hidden}


def restrict_record(
    conn: Connection, record_id: int, unit: str, reason: str, *, actor: Any
) -> dict[str, Any]:
    """Mark a record as restricted to `unit` (audited as an alteration); returns the row."""
    if not unit.strip() or not reason.strip():
        raise ValueError("a restriction needs a unit and a reason")
    if conn.execute(select(t.record.c.id).where(t.record.c.id == record_id)).first() is None:
        raise NotFound(f"there is no record {record_id}")
    rr = t.record_restriction
    already = conn.execute(select(rr.c.unit).where(rr.c.record_id == record_id)).scalar()
    if already is not None:
        raise ValueError(f"record {record_id} is already restricted to unit {already}")
    row = {
        "record_id": record_id,
        "unit": unit.strip(),
        "reason": reason.strip(),
        "restricted_by": actor if isinstance(actor, str) else actor.name,
        "restricted_at": datetime.now(UTC).replace(tzinfo=None),
    }
    conn.execute(insert(t.record_restriction).values(**row))
    audit.record(
        conn, actor=actor, category=AuditCategory.alteration, action="record_restricted",
        object_type="record", object_id=record_id,
        detail={"unit": row["unit"], "reason": row["reason"]},
    )  # fmt: skip
    return row


def hidden_events(conn: Connection, event_ids: Iterable[int], unit: str | None) -> set[int]:
    """Which of these events come from a record the reader's unit may not see."""
    ev = t.event
    ids = sorted(set(event_ids))
    record_of: dict[int, int] = {}
    for i in range(0, len(ids), CHUNK):
        rows = conn.execute(select(ev.c.id, ev.c.record_id).where(ev.c.id.in_(ids[i : i + CHUNK])))
        record_of.update({int(e): int(r) for e, r in rows})
    hidden = hidden_records(conn, record_of.values(), unit)
    return {e for e, r in record_of.items() if r in hidden}


def entity_visible(conn: Connection, entity_id: int, unit: str | None) -> bool:
    """Whether any member of the entity comes from a record the reader may see."""
    em = t.entity_member
    for kind, table in t.MENTION_TABLES.items():
        query = (
            select(table.c.id)
            .join(em, (em.c.mention_kind == kind) & (em.c.mention_id == table.c.id))
            .where(em.c.entity_id == entity_id, visible_clause(table.c.record_id, unit))
            .limit(1)
        )
        if conn.execute(query).first() is not None:
            return True
    return False
