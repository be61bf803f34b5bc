"""What detection reads from the store, as of a date: events, who took part in what role,
the mention details rules need (dates of birth, relationships, codes, free text).

Reads mentions, events and entities only; never `protected_characteristic`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, select

from joinedup.store import tables as t


@dataclass(slots=True)
class Part:
    """One mention taking part in one event."""

    kind: str  # person | vehicle | phone | location
    entity: int
    role: str
    mention: int
    attrs: dict[str, Any]
    owner: int | None = None  # the person mention this object belongs to (same record)


@dataclass(slots=True)
class Event:
    id: int
    record: int
    type: str
    start: datetime | None
    received: datetime
    attrs: dict[str, Any]
    location: int | None  # location entity of the event's own place
    parts: list[Part] = field(default_factory=list)
    text: str = ""  # the record's free-text fields, joined

    @property
    def day(self) -> date:
        return (self.start or self.received).date()


@dataclass(slots=True)
class Person:
    entity: int
    label: str | None
    dobs: list[date] = field(default_factory=list)
    surnames: set[str] = field(default_factory=set)
    roles: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    homes: set[int] = field(default_factory=set)  # location entities of home addresses
    phones: set[int] = field(default_factory=set)
    vehicles: set[int] = field(default_factory=set)  # driven, kept, licensed, booked with
    relationships: set[str] = field(default_factory=set)  # as recorded on its mentions
    events: list[int] = field(default_factory=list)
    anchor: int = 0  # its lowest mention id, so a flag can follow it across re-resolution
    school_contract: bool = False  # holds a licence recorded as on a council school contract
    has_name: bool = False  # some mention gives a forename and a surname

    def dob(self) -> date | None:
        return sorted(self.dobs)[len(self.dobs) // 2] if self.dobs else None

    def age_on(self, day: date) -> float | None:
        d = self.dob()
        return None if d is None else (day - d).days / 365.25


@dataclass
class Facts:
    as_of: date | None
    events: dict[int, Event]
    persons: dict[int, Person]
    location_labels: dict[int, str | None]
    location_types: dict[int, set[str]]
    vehicle_labels: dict[int, str | None]
    phone_labels: dict[int, str | None]
    resolution_run: int | None
    anchors: dict[tuple[str, int], int]  # (kind, entity) -> lowest mention id

    def label(self, kind: str, entity: int) -> str:
        if kind == "person":
            p = self.persons.get(entity)
            return (p.label if p else None) or f"E{entity}"
        table = {
            "vehicle": self.vehicle_labels,
            "phone": self.phone_labels,
            "location": self.location_labels,
        }[kind]
        return table.get(entity) or f"E{entity}"


def _json(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    try:
        out = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return out if isinstance(out, dict) else {}


def cutoff(as_of: date | None) -> datetime | None:
    """Records received on or before `as_of`: before the following midnight."""
    return None if as_of is None else datetime.combine(as_of + timedelta(days=1), time())


def load_facts(conn: Connection, as_of: date | None = None) -> Facts:
    """Everything detection needs, from records received on or before `as_of` (None: all)."""
    end = cutoff(as_of)
    rec, ev, p, em = t.record, t.event, t.participation, t.entity_member
    visible = rec.c.received_at < end if end is not None else rec.c.id.isnot(None)
    run = conn.execute(select(func.max(t.resolution_run.c.id))).scalar()

    free_text = _free_text_columns(conn)
    events: dict[int, Event] = {}
    by_record: dict[int, int] = {}
    query = (
        select(
            ev.c.id,
            ev.c.record_id,
            ev.c.event_type,
            ev.c.start_at,
            rec.c.received_at,
            ev.c.attributes,
            ev.c.location_mention_id,
            rec.c.batch_id,
            rec.c.raw,
        )
        .join(rec, rec.c.id == ev.c.record_id)
        .where(visible)
    )
    loc_mentions: dict[int, int] = {}
    for eid, rid, etype, start, received, attrs, loc_m, batch, raw in conn.execute(query):
        cols = free_text.get(batch, ())
        text = ""
        if cols:
            fields = _json(raw)
            text = " ".join(str(fields[c]) for c in cols if fields.get(c))
        events[eid] = Event(eid, rid, etype, start, received, _json(attrs), None, text=text)
        by_record[rid] = eid
        if loc_m is not None:
            loc_mentions[loc_m] = eid

    members: dict[tuple[str, int], int] = {}
    for kind, mid, entity in conn.execute(
        select(em.c.mention_kind, em.c.mention_id, em.c.entity_id)
    ):
        members[(kind, mid)] = entity
    anchors: dict[tuple[str, int], int] = {}
    for (kind, mid), entity in members.items():
        key = (kind, entity)
        if key not in anchors or mid < anchors[key]:
            anchors[key] = mid

    persons: dict[int, Person] = {}
    pm = t.person_mention
    person_rows: dict[int, dict[str, Any]] = {}
    query = (
        select(
            pm.c.id,
            pm.c.record_id,
            pm.c.role,
            pm.c.forename,
            pm.c.surname,
            pm.c.dob,
            pm.c.age,
            pm.c.attributes,
        )
        .join(rec, rec.c.id == pm.c.record_id)
        .where(visible)
    )
    for mid, rid, role, forename, surname, dob, age, attrs in conn.execute(query):
        entity = members.get(("person", mid))
        if entity is None:
            continue
        a = _json(attrs)
        person_rows[mid] = {"record": rid, "attrs": a, "entity": entity}
        person = persons.get(entity)
        if person is None:
            person = persons[entity] = Person(entity, None, anchor=anchors[("person", entity)])
        if dob is not None:
            person.dobs.append(dob)
        elif age is not None and rid in by_record:
            day = events[by_record[rid]].day
            person.dobs.append(date(day.year - int(age), day.month, 1))
        if surname:
            person.surnames.add(surname.upper())
        if forename and surname:
            person.has_name = True
        person.roles[role] += 1
        if a.get("relationship"):
            person.relationships.add(str(a["relationship"]))
        if a.get("school_contract") in ("true", True):
            person.school_contract = True

    locations = _objects(conn, t.location_mention, visible, members, "location")
    vehicles = _objects(conn, t.vehicle_mention, visible, members, "vehicle")
    phones = _objects(conn, t.phone_mention, visible, members, "phone")
    objects = {"location": locations, "vehicle": vehicles, "phone": phones}

    query = (
        select(p.c.event_id, p.c.mention_kind, p.c.mention_id, p.c.role)
        .join(ev, ev.c.id == p.c.event_id)
        .join(rec, rec.c.id == ev.c.record_id)
        .where(visible)
    )
    for event_id, kind, mid, role in conn.execute(query):
        entity = members.get((kind, mid))
        e = events.get(event_id)
        if entity is None or e is None:
            continue
        owner = None
        attrs: dict[str, Any] = {}
        if kind == "person":
            attrs = person_rows.get(mid, {}).get("attrs", {})
            person = persons.get(entity)
            if person is not None:
                person.events.append(event_id)
        else:
            owner_mention = objects[kind]["owner"].get(mid)
            if owner_mention is not None:
                owner = members.get(("person", owner_mention))
        e.parts.append(Part(kind, entity, role, mid, attrs, owner))
    for loc_m, event_id in loc_mentions.items():
        entity = members.get(("location", loc_m))
        if entity is not None:
            events[event_id].location = entity

    # Objects recorded as a person's own within one record: home, phone, car.
    for e in events.values():
        for part in e.parts:
            if part.owner is None or part.owner not in persons:
                continue
            person = persons[part.owner]
            if part.kind == "location" and part.role == "home_address":
                person.homes.add(part.entity)
            elif part.kind == "phone":
                person.phones.add(part.entity)
            elif part.kind == "vehicle":
                person.vehicles.add(part.entity)
        # A driver, licence holder or guest is tied to the record's vehicle.
        cars = [x.entity for x in e.parts if x.kind == "vehicle" and x.role == "vehicle"]
        if len(cars) == 1:
            for part in e.parts:
                if part.kind == "person" and part.role in ("driver", "licence_holder", "guest"):
                    persons[part.entity].vehicles.add(cars[0])

    labels = _labels(conn)
    for entity, person in persons.items():
        person.label = labels.get(entity)
    return Facts(
        as_of=as_of,
        events=events,
        persons=persons,
        location_labels={e: labels.get(e) for e in locations["entities"]},
        location_types=locations["types"],
        vehicle_labels={e: labels.get(e) for e in vehicles["entities"]},
        phone_labels={e: labels.get(e) for e in phones["entities"]},
        resolution_run=run,
        anchors=anchors,
    )


def _free_text_columns(conn: Connection) -> dict[int, tuple[str, ...]]:
    """Per ingest batch, the free-text columns its feed spec names."""
    out: dict[int, tuple[str, ...]] = {}
    query = select(t.ingest_batch.c.id, t.feed_spec.c.spec_json).join(
        t.feed_spec, t.feed_spec.c.id == t.ingest_batch.c.feed_spec_id
    )
    for batch, spec_json in conn.execute(query):
        spec = _json(spec_json)
        out[batch] = tuple(spec.get("free_text") or ())
    return out


def _objects(
    conn: Connection, table: Any, visible: Any, members: dict[tuple[str, int], int], kind: str
) -> dict[str, Any]:
    rec = t.record
    cols = [table.c.id, table.c.person_mention_id]
    if kind == "location":
        cols.append(table.c.place_type)
    owner: dict[int, int] = {}
    entities: set[int] = set()
    types: dict[int, set[str]] = defaultdict(set)
    query = select(*cols).join(rec, rec.c.id == table.c.record_id).where(visible)
    for row in conn.execute(query):
        entity = members.get((kind, row[0]))
        if entity is None:
            continue
        entities.add(entity)
        if row[1] is not None:
            owner[row[0]] = row[1]
        if kind == "location" and row[2]:
            types[entity].add(row[2])
    return {"owner": owner, "entities": entities, "types": dict(types)}


def _labels(conn: Connection) -> dict[int, str | None]:
    e = t.entity
    query = select(e.c.id, e.c.label).where(and_(e.c.retired_run_id.is_(None)))
    return {eid: label for eid, label in conn.execute(query)}
