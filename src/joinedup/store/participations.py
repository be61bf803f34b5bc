"""Participations: which mentions take part in which event, and in what role.

They are not stored as rows of their own. Ingest gives every mention of a record a part
in that record's one event, with the role its mention row holds (`role`), so a
participation is the join mention -> record -> event. Storing it again cost a third of
every ingest's rows and three indexes' upkeep (docs/ingest.md); deriving it costs a look-up
on indexes the store keeps anyway (`event.record_id` is unique, each mention table has an
index on `record_id`).

Readers that know the kind of mention they want join its table directly (`of_kind`); a
reader of every participation takes `every_kind`, one query per kind in UNION ALL at
the top level (as a subquery in a join, SQLite would build the whole union first).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Table, func, literal, select, union_all

from joinedup.store import tables as t

# The mention tables by kind, in the order ingest lays a record's mentions out.
MENTION_TABLES: dict[str, Table] = {
    "person": t.person_mention,
    "location": t.location_mention,
    "vehicle": t.vehicle_mention,
    "phone": t.phone_mention,
}
KINDS = tuple(MENTION_TABLES)


def of_kind(kind: str, *extra: Any) -> Select[Any]:
    """(event_id, mention_kind, mention_id, role, *extra) for every mention of `kind`
    that takes part in an event. `extra` may name columns of `t.event`, of the mention
    table (`MENTION_TABLES[kind]`) or of `t.record` (the mention's record); callers join
    more (`entity_member`, `source`...) onto the query."""
    m, ev = MENTION_TABLES[kind], t.event
    return (
        select(
            ev.c.id.label("event_id"),
            literal(kind).label("mention_kind"),
            m.c.id.label("mention_id"),
            m.c.role.label("role"),
            *extra,
        )
        .join_from(m, ev, ev.c.record_id == m.c.record_id)
        .join(t.record, t.record.c.id == m.c.record_id)
    )


def every_kind(*extra: Any) -> Any:
    """Every participation (see `of_kind`): one query per kind, in UNION ALL."""
    return union_all(*(of_kind(kind, *extra) for kind in KINDS))


def count(conn: Any) -> int:
    """How many participations the store holds."""
    total = 0
    for kind in KINDS:
        m = MENTION_TABLES[kind]
        total += conn.execute(
            select(func.count()).select_from(m).join(t.event, t.event.c.record_id == m.c.record_id)
        ).scalar_one()
    return int(total)
