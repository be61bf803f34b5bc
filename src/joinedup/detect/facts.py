"""What detection reads from the store, as of a date: events, who took part in what role,
the mention details rules need (dates of birth, relationships, codes, free text).

Reads mentions, events and entities only; never the protected characteristics table.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, select

from joinedup.store import participations
from joinedup.store import tables as t

# A police rank before a name marks an officer, whichever box the name was written in.
RANK = re.compile(r"^\s*(PC|DC|PS|DS|DI|WPC|SGT|INSP)\b\.?\s", re.I)


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


NO_SET: frozenset[Any] = frozenset()


@dataclass(slots=True)
class Person:
    entity: int
    label: str | None
    dobs: list[date] = field(default_factory=list)
    # build_facts starts these sets as the shared empty NO_SET (an empty set is 216 bytes,
    # and a city has hundreds of thousands of persons with no phone, no car...) and makes
    # one when it first adds to it (`add_to`); rules only read them.
    surnames: Set[str] = field(default_factory=set)
    roles: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    homes: Set[int] = field(default_factory=set)  # location entities of home addresses
    phones: Set[int] = field(default_factory=set)
    vehicles: Set[int] = field(default_factory=set)  # driven, kept, licensed, booked with
    relationships: Set[str] = field(default_factory=set)  # as recorded on its mentions
    events: list[int] = field(default_factory=list)
    anchor: int = 0  # its lowest mention id, so a flag can follow it across re-resolution
    school_contract: bool = False  # holds a licence recorded as on a council school contract
    has_name: bool = False  # some mention gives a forename and a surname
    names: Set[str] = field(default_factory=set)  # single names it is known by ("MO")
    forenames: Set[str] = field(default_factory=set)  # first forenames of its full names

    def add_to(self, name: str, value: Any) -> None:
        """Add `value` to the set field `name`, making the person's own set the first time."""
        values = getattr(self, name)
        if values is NO_SET:
            values = set()
            setattr(self, name, values)
        values.add(value)

    def dob(self) -> date | None:
        return sorted(self.dobs)[len(self.dobs) // 2] if self.dobs else None

    def age_on(self, day: date) -> float | None:
        d = self.dob()
        return None if d is None else (day - d).days / 365.25


# The set fields of a Person, each first the shared empty set (see Person).
_SHARED_EMPTY: dict[str, Any] = dict.fromkeys(
    ("surnames", "homes", "phones", "vehicles", "relationships", "names", "forenames"), NO_SET
)


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


def _intern(value: Any) -> Any:
    """One copy of each repeated short string (roles, kinds, codes): the driver makes a new
    string per row, and 1M records repeat a few hundred values millions of times."""
    return sys.intern(value) if isinstance(value, str) and len(value) <= 64 else value


def _attrs(value: Any) -> dict[str, Any]:
    """A mention's or event's attributes, its keys and short string values interned."""
    return {sys.intern(k): _intern(v) for k, v in _json(value).items()}


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


def seen_at(received: datetime, start: datetime | None) -> datetime:
    """When detection may first see a record: when it was received, but never before the
    event it records began. A record cannot arrive before its event; where the store says
    it did (an extract date misread), the as-of run waits for the event's start instead of
    seeing the record early."""
    return received if start is None or start <= received else start


@dataclass
class Rows:
    """The store's rows detection reads, each with its record's received_at: read once,
    then filtered in memory for every as-of date (evaluate asks for dozens)."""

    run: int | None
    events: list[tuple]
    members: dict[tuple[str, int], int]
    persons: list[tuple]
    objects: dict[str, list[tuple]]
    parts: list[tuple]
    labels: dict[int, str | None]


_CACHE: dict[tuple, Rows] = {}


def _fingerprint(conn: Connection) -> tuple:
    rec, em, run = t.record, t.entity_member, t.resolution_run
    counts = conn.execute(select(func.count(rec.c.id), func.max(rec.c.id))).one()
    members = conn.execute(select(func.count(em.c.id), func.max(em.c.id))).one()
    runs = conn.execute(select(func.max(run.c.id), func.max(run.c.finished_at))).one()
    return (str(conn.engine.url), *counts, *members, *runs)


def read_rows(conn: Connection) -> Rows:
    key = _fingerprint(conn)
    if key in _CACHE:
        return _CACHE[key]
    rec, ev, em = t.record, t.event, t.entity_member
    free_text = _free_text_columns(conn)
    events = []
    query = select(
        ev.c.id, ev.c.record_id, ev.c.event_type, ev.c.start_at, rec.c.received_at,
        ev.c.attributes, ev.c.location_mention_id, rec.c.batch_id, rec.c.raw,
    ).join(rec, rec.c.id == ev.c.record_id)  # fmt: skip
    arrived: dict[int, datetime] = {}  # record -> when detection may first see it
    for eid, rid, etype, start, received, attrs, loc_m, batch, raw in conn.execute(query):
        cols = free_text.get(batch, ())
        text = ""
        if cols:
            fields = _json(raw)
            text = " ".join(str(fields[c]) for c in cols if fields.get(c))
        received = seen_at(received, start)
        arrived[rid] = max(arrived.get(rid, received), received)
        events.append((eid, rid, _intern(etype), start, received, _attrs(attrs), loc_m, text))
    members = {
        (_intern(kind), mid): entity
        for kind, mid, entity in conn.execute(
            select(em.c.mention_kind, em.c.mention_id, em.c.entity_id)
        )
    }
    pm = t.person_mention
    query = select(
        pm.c.id, pm.c.record_id, pm.c.role, pm.c.forename, pm.c.surname, pm.c.dob, pm.c.age,
        pm.c.attributes, rec.c.received_at, pm.c.nickname, pm.c.raw_name,
    ).join(rec, rec.c.id == pm.c.record_id)  # fmt: skip
    persons = [
        (*r[:2], _intern(r[2]), *r[3:7], _attrs(r[7]), arrived.get(r[1], r[8]), r[9], r[10])
        for r in conn.execute(query)
    ]
    objects = {}
    for kind, table in (("location", t.location_mention), ("vehicle", t.vehicle_mention),
                        ("phone", t.phone_mention)):  # fmt: skip
        place = table.c.place_type if kind == "location" else None
        cols = [table.c.id, table.c.person_mention_id, rec.c.received_at, rec.c.id]
        query = select(*cols, *([place] if place is not None else [])).join(
            rec, rec.c.id == table.c.record_id
        )
        objects[kind] = [
            (r[0], r[1], arrived.get(r[3], r[2]), *map(_intern, r[4:])) for r in conn.execute(query)
        ]
    query = participations.every_kind(rec.c.received_at, rec.c.id)
    parts = [
        (r[0], _intern(r[1]), r[2], _intern(r[3]), arrived.get(r[5], r[4]))
        for r in conn.execute(query)
    ]
    run = conn.execute(select(func.max(t.resolution_run.c.id))).scalar()
    rows = Rows(run, events, members, persons, objects, parts, _labels(conn))
    _CACHE.clear()  # one store at a time is plenty
    _CACHE[key] = rows
    return rows


def load_facts(conn: Connection, as_of: date | None = None) -> Facts:
    """Everything detection needs, from records received on or before `as_of` (None: all)."""
    return build_facts(read_rows(conn), as_of)


def build_facts(rows: Rows, as_of: date | None = None) -> Facts:
    end = cutoff(as_of)

    def seen(received: datetime) -> bool:
        return end is None or received < end

    events: dict[int, Event] = {}
    by_record: dict[int, int] = {}
    loc_mentions: dict[int, int] = {}
    for eid, rid, etype, start, received, attrs, loc_m, text in rows.events:
        if not seen(received):
            continue
        events[eid] = Event(eid, rid, etype, start, received, attrs, None, text=text)
        by_record[rid] = eid
        if loc_m is not None:
            loc_mentions[loc_m] = eid
    members = rows.members
    anchors: dict[tuple[str, int], int] = {}
    for (kind, mid), entity in members.items():
        key = (kind, entity)
        if key not in anchors or mid < anchors[key]:
            anchors[key] = mid

    persons: dict[int, Person] = {}
    person_attrs: dict[int, dict[str, Any]] = {}
    for mid, rid, role, forename, surname, dob, age, a, received, nickname, raw in rows.persons:
        entity = members.get(("person", mid))
        if entity is None or not seen(received):
            continue
        person_attrs[mid] = a
        person = persons.get(entity)
        if person is None:
            person = persons[entity] = Person(
                entity, None, anchor=anchors[("person", entity)], **_SHARED_EMPTY
            )
        if dob is not None:
            person.dobs.append(dob)
        elif age is not None and rid in by_record:
            day = events[by_record[rid]].day
            person.dobs.append(date(day.year - int(age), day.month, 1))
        if surname:
            person.add_to("surnames", surname.upper())
        if forename and surname:
            person.has_name = True
            person.add_to("forenames", str(forename).split()[0].upper())
        elif nickname or forename or surname:
            person.add_to("names", str(nickname or forename or surname).strip("'\" ").upper())
        person.roles[role] += 1
        if raw and RANK.match(str(raw)):
            person.roles["officer"] += 1  # "PC 1222 Ward" written into another box
        if a.get("relationship"):
            person.add_to("relationships", str(a["relationship"]))
        if a.get("school_contract") in ("true", True):
            person.school_contract = True

    objects: dict[str, dict[str, Any]] = {}
    for kind, obj_rows in rows.objects.items():
        owner: dict[int, int] = {}
        entities: set[int] = set()
        types: dict[int, set[str]] = defaultdict(set)
        for row in obj_rows:
            entity = members.get((kind, row[0]))
            if entity is None or not seen(row[2]):
                continue
            entities.add(entity)
            if row[1] is not None:
                owner[row[0]] = row[1]
            if kind == "location" and row[3]:
                types[entity].add(row[3])
        objects[kind] = {"owner": owner, "entities": entities, "types": dict(types)}

    for event_id, kind, mid, role, received in rows.parts:
        if not seen(received):
            continue
        entity = members.get((kind, mid))
        e = events.get(event_id)
        if entity is None or e is None:
            continue
        owner = None
        attrs: dict[str, Any] = {}
        if kind == "person":
            attrs = person_attrs.get(mid, {})
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
                person.add_to("homes", part.entity)
            elif part.kind == "phone":
                person.add_to("phones", part.entity)
            elif part.kind == "vehicle":
                person.add_to("vehicles", part.entity)
        # A driver, licence holder or guest is tied to the record's vehicle.
        cars = [x.entity for x in e.parts if x.kind == "vehicle" and x.role == "vehicle"]
        if len(cars) == 1:
            for part in e.parts:
                if part.kind == "person" and part.role in ("driver", "licence_holder", "guest"):
                    persons[part.entity].add_to("vehicles", cars[0])

    labels = rows.labels
    for entity, person in persons.items():
        person.label = labels.get(entity)
    locations, vehicles, phones = objects["location"], objects["vehicle"], objects["phone"]
    return Facts(
        as_of=as_of,
        events=events,
        persons=persons,
        location_labels={e: labels.get(e) for e in locations["entities"]},
        location_types=locations["types"],
        vehicle_labels={e: labels.get(e) for e in vehicles["entities"]},
        phone_labels={e: labels.get(e) for e in phones["entities"]},
        resolution_run=rows.run,
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


def _labels(conn: Connection) -> dict[int, str | None]:
    e = t.entity
    query = select(e.c.id, e.c.label).where(and_(e.c.retired_run_id.is_(None)))
    return {eid: label for eid, label in conn.execute(query)}
