"""The store reads behind a problem profile: who is in scope, all their mentions, and their
protected characteristics (read here to be counted, never to select anyone).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Text, and_, cast, inspect, select

from joinedup.stats.people import Mention
from joinedup.store import tables as t

CHUNK = 5000  # ids per IN (...) list: well under SQLite's and PostgreSQL's limits


@dataclass(frozen=True)
class Scope:
    """Which events count: in a period (inclusive days) and an area (postcode district)."""

    area: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def has_event_filter(self) -> bool:
        return bool(self.area or self.date_from or self.date_to)

    def contains(self, m: Mention) -> bool:
        if self.date_from or self.date_to:
            if m.start_at is None:
                return False
            day = m.start_at.date()
            if self.date_from and day < self.date_from:
                return False
            if self.date_to and day > self.date_to:
                return False
        return not self.area or in_area(m.postcode, self.area)

    def as_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }


def in_area(postcode: str | None, area: str) -> bool:
    """Whether a postcode lies in an area: a district ("NV3") or a postcode area ("NV")."""
    if not postcode:
        return False
    outward = postcode.strip().upper().split(" ")[0]
    area = area.strip().upper()
    if any(ch.isdigit() for ch in area):
        return outward == area
    return outward.startswith(area) and outward[len(area) : len(area) + 1].isdigit()


def resolution_state(conn: Connection) -> dict[str, Any]:
    run = conn.execute(
        select(t.resolution_run.c.id, t.resolution_run.c.finished_at)
        .where(t.resolution_run.c.status == "done")
        .order_by(t.resolution_run.c.id.desc())
        .limit(1)
    ).first()
    return {"run": run.id if run else None, "finished_at": run.finished_at if run else None}


def superseded_ids(conn: Connection) -> set[int]:
    r = t.record
    rows = conn.execute(select(r.c.supersedes_id).where(r.c.supersedes_id.is_not(None)))
    return {x for (x,) in rows}


# Person attributes are fetched as text and decoded only when they hold a key a profile
# reads (most mentions carry none, or an officer's collar number): JSON decoding was the
# largest cost of a profile.
ATTRIBUTE_KEYS = (
    "legal_status",
    "sen_status",
    "disability",
    "missing",
    "learning_disability",
    "substance_use",
    "mental_health",
    "previous_abuse",
)
_COLUMNS = (
    t.person_mention.c.id,
    t.person_mention.c.role,
    t.person_mention.c.dob,
    t.person_mention.c.age,
    t.person_mention.c.sex,
    cast(t.person_mention.c.attributes, Text).label("attributes"),
    t.person_mention.c.record_id,
    t.event.c.id.label("event_id"),
    t.event.c.event_type,
    t.event.c.start_at,
    t.event.c.attributes["category"].as_string().label("category"),
    t.event.c.attributes["incident_class"].as_string().label("incident_class"),
    t.location_mention.c.place_type,
    t.location_mention.c.postcode,
)


def _joined(extra: Any = None) -> Any:
    # No join to `record`: the mention carries its record id, and record rows (with their
    # raw fields) are the widest in the store, so reading them was a third of the time.
    pm, e, lm = t.person_mention, t.event, t.location_mention
    base = pm if extra is None else extra.join(pm, extra.c.mention_id == pm.c.id)
    return base.outerjoin(e, e.c.record_id == pm.c.record_id).outerjoin(
        lm, lm.c.id == e.c.location_mention_id
    )


_WANTED = re.compile("|".join(ATTRIBUTE_KEYS))


def _attributes(raw: Any) -> dict[str, Any] | None:
    if raw is None or isinstance(raw, dict):
        return raw
    if _WANTED.search(raw) is None:
        return None
    value = json.loads(raw)
    return value if isinstance(value, dict) else None


def _mention(row: Any) -> Mention:
    # Positional unpacking: attribute access on a Row costs more than the rest together.
    (
        mid,
        role,
        dob,
        age,
        sex,
        attributes,
        record_id,
        event_id,
        event_type,
        start_at,
        category,
        incident_class,
        place_type,
        postcode,
    ) = row[-14:]
    event_attributes = None
    if category is not None or incident_class is not None:
        event_attributes = {"category": category, "incident_class": incident_class}
    if start_at is not None and not isinstance(start_at, datetime):
        start_at = _dt(start_at)
    return Mention(
        mid,
        role,
        dob,
        age,
        sex,
        _attributes(attributes),
        None,
        event_id,
        event_type,
        start_at,
        event_attributes,
        place_type,
        postcode,
        record_id,
    )


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def role_mentions(conn: Connection, roles: Iterable[str]) -> Iterator[tuple[int | None, Mention]]:
    """(entity id or None, mention) for every mention in one of `roles`."""
    em = t.entity_member
    query = (
        select(em.c.entity_id, *_COLUMNS)
        .select_from(
            _joined().outerjoin(
                em, and_(em.c.mention_kind == "person", em.c.mention_id == t.person_mention.c.id)
            )
        )
        .where(t.person_mention.c.role.in_(sorted(roles)))
    )
    for row in conn.execute(query).all():
        yield row[0], _mention(row)


def entity_mentions(conn: Connection, entity_ids: Iterable[int]) -> Iterator[tuple[int, Mention]]:
    """(entity id, mention) for every person mention of the given entities."""
    em = t.entity_member
    ids = sorted(set(entity_ids))
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        query = (
            select(em.c.entity_id, *_COLUMNS)
            .select_from(_joined(em))
            # By entity id alone: a person entity's members are all person mentions, and a
            # mention_kind test here makes SQLite scan every member instead of the index.
            .where(em.c.entity_id.in_(chunk))
        )
        for row in conn.execute(query).all():
            yield row[0], _mention(row)


def entity_protected(
    conn: Connection, entity_ids: Iterable[int]
) -> dict[int, list[tuple[str, str]]]:
    """Every protected characteristic recorded on any mention of each entity."""
    em, pc = t.entity_member, t.protected_characteristic
    ids = sorted(set(entity_ids))
    out: dict[int, list[tuple[str, str]]] = {e: [] for e in ids}
    for i in range(0, len(ids), CHUNK):
        query = (
            select(em.c.entity_id, pc.c.kind, pc.c.value)
            .select_from(em.join(pc, pc.c.person_mention_id == em.c.mention_id))
            .where(em.c.entity_id.in_(ids[i : i + CHUNK]))
        )
        for entity_id, kind, value in conn.execute(query).all():
            out[entity_id].append((kind, value))
    return out


def attach_protected(conn: Connection, mentions: Iterable[Mention]) -> None:
    """Fill each mention's protected characteristics (kind, value)."""
    pc = t.protected_characteristic
    by_id: dict[int, list[Mention]] = {}
    for m in mentions:
        by_id.setdefault(m.id, []).append(m)
    ids = sorted(by_id)
    for i in range(0, len(ids), CHUNK):
        query = select(pc.c.person_mention_id, pc.c.kind, pc.c.value).where(
            pc.c.person_mention_id.in_(ids[i : i + CHUNK])
        )
        for mention_id, kind, value in conn.execute(query):
            for m in by_id[mention_id]:
                m.protected.append((kind, value))


def detection_state(conn: Connection) -> dict[str, Any] | None:
    """The latest finished detection run, or None when detection has not run."""
    if "detection_run" not in inspect(conn).get_table_names():
        return None
    dr = t.metadata.tables["detection_run"]
    run = conn.execute(
        select(dr.c.id, dr.c.finished_at, dr.c.rule_set_version)
        .where(dr.c.status == "done")
        .order_by(dr.c.id.desc())
        .limit(1)
    ).first()
    return None if run is None else dict(run._mapping)


def flagged_entities(conn: Connection, kind: str) -> set[int]:
    """Entities with a live lead of `kind` (child or adult): active and not dismissed."""
    f, en = t.metadata.tables["flag"], t.entity
    query = (
        select(f.c.entity_id)
        .join(en, en.c.id == f.c.entity_id)
        .where(
            f.c.kind == kind,
            f.c.active.is_(True),
            f.c.status != "dismissed",
            en.c.retired_run_id.is_(None),  # a retired entity's lead follows its person
        )
    )
    return {x for (x,) in conn.execute(query)}


def group_sizes(conn: Connection) -> list[tuple[int, list[int]]]:
    """For each live group lead: (flag id, the person entities in it)."""
    f, fm = t.metadata.tables["flag"], t.metadata.tables["flag_member"]
    query = (
        select(f.c.id, fm.c.entity_id)
        .select_from(
            f.outerjoin(fm, and_(fm.c.flag_id == f.c.id, fm.c.member_kind.in_(("adult", "child"))))
        )
        .where(f.c.kind == "group", f.c.active.is_(True), f.c.status != "dismissed")
    )
    groups: dict[int, list[int]] = {}
    for flag_id, entity_id in conn.execute(query):
        groups.setdefault(flag_id, [])
        if entity_id is not None:
            groups[flag_id].append(entity_id)
    return sorted(groups.items())


def day_after(d: date) -> datetime:
    return datetime.combine(d + timedelta(days=1), datetime.min.time())
