"""A mapped record laid out as the rows each table will get: plain tuples, no ids yet.

Made wherever the row was mapped (a worker process, for a large file: tuples travel
cheaply between processes where dataclasses do not); `writer.add_record` gives the ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from joinedup.feeds.spec import FeedSpec
from joinedup.ingest import mapper
from joinedup.ingest.mapper import as_datetime, map_row
from joinedup.pole import (
    EventFacts,
    LocationMention,
    MappedRecord,
    ParsedDate,
    PersonMention,
    PhoneMention,
    VehicleMention,
)

Row = tuple[Any, ...]
# (source_ref, row_number, received_at, event_type, grading x3, persons, protected,
#  locations, vehicles, phones, event): see record_rows.
RecordRows = tuple[Any, ...]
NO_SPAN: Row = (False, None, None, None)  # extracted, text_field, span_start, span_end


# -- values as each driver wants them ----------------------------------------------------
# The same text SQLAlchemy's own bind processors produce, without a call through them
# per value: SQLite keeps dates as ISO text and JSON as json.dumps text; psycopg takes
# dates as they are. JSON None is the JSON value null (SQLAlchemy's none_as_null=False).


def _sqlite_datetime(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(" ", "microseconds")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _same(value: Any) -> Any:
    return value


_quoted = json.encoder.encode_basestring_ascii  # what json.dumps quotes a str with (C)


def _json(value: Any) -> str:
    """`json.dumps(value)`; a flat dict of text (most raw and attribute dicts) is written
    directly, without the encoder json.dumps builds on every call."""
    if value is None:
        return "null"
    if type(value) is dict and _TEXT.issuperset(map(type, value.values())):
        if _TEXT.issuperset(map(type, value)):
            return "{" + ", ".join([_quoted(k) + ": " + _quoted(v) for k, v in value.items()]) + "}"
    return json.dumps(value)


_TEXT = frozenset({str})


class Values:
    """Converters for date, date-time and JSON columns on one dialect.

    Any other dialect keeps Python values, for the writer's portable SQLAlchemy path.
    """

    def __init__(self, dialect_name: str):
        self.json: Callable[[Any], Any] = _same
        self.datetime: Callable[[datetime | None], Any] = _same
        self.date: Callable[[date | None], Any] = _same
        if dialect_name in ("sqlite", "postgresql"):
            self.json = _json
        if dialect_name == "sqlite":
            self.datetime = _sqlite_datetime
            self.date = _sqlite_date
        # Rows made with these converters hold only immutable values (JSON as text), so
        # they may be shared between records; the portable path keeps dicts in its rows.
        self.shareable = self.json is _json
        self.key = (self.json, self.datetime, self.date)


def _date_parts(value: ParsedDate | None) -> tuple[datetime | None, str | None]:
    if value is None or value.value is None:
        return None, None
    return as_datetime(value.value), value.precision.value if value.precision else None


def _span(span: Any) -> Row:
    if span is None:
        return NO_SPAN
    return (True, span.field, span.start, span.end)


# -- one mention, one row ----------------------------------------------------------------
# Each mention tuple is its table row after (id, record_id). The person a location, vehicle
# or phone belongs to is named by slot here and becomes that person's index in the record
# once the record's persons are known (`_with_owner`); OWNER is where that index goes.

LOCATION_OWNER = 10
VEHICLE_OWNER = 9
PHONE_OWNER = 5


def person_row(p: PersonMention, values: Values) -> Row:
    dob, dob_precision = _date_parts(p.dob)
    ident = p.identifiers
    age = p.raw.get("age")
    return (
        p.slot,
        p.role,
        p.raw_name,
        p.forename,
        p.middle_names,
        p.surname,
        p.nickname,
        values.date(dob.date() if dob else None),
        dob_precision,
        p.dob.raw if p.dob else None,
        int(age) if age and age.isdigit() and len(age) < 4 else None,
        p.sex,
        p.address,
        p.postcode,
        ident.get("nhs_number"),
        ident.get("pnc_id"),
        ident.get("child_ref"),
        ident.get("upn"),
        ident.get("local_id"),
        ident.get("licence_no"),
        values.json(p.attributes or None),
        values.json(p.raw or None),
    ) + _span(p.span)


def location_row(loc: LocationMention) -> tuple[Row, str | None]:
    """The row (no owner index yet) and the slot of the person it is the home of."""
    owner = loc.slot.rsplit(".", 1)[0] if loc.slot.endswith(".address") else None
    row = (
        loc.slot,
        loc.role,
        loc.raw,
        loc.name,
        loc.address,
        loc.postcode,
        loc.property_ref,
        loc.place_type,
        loc.lat,
        loc.lon,
        None,
    ) + _span(loc.span)
    return row, owner


def vehicle_row(v: VehicleMention) -> tuple[Row, str | None]:
    row = (
        v.slot,
        v.role,
        v.raw,
        v.vrm,
        v.pattern,
        v.plate_format,
        v.make,
        v.model,
        v.colour,
        None,
    ) + _span(v.span)
    return row, v.person_slot


def phone_row(ph: PhoneMention) -> tuple[Row, str | None]:
    row = (ph.slot, ph.role, ph.raw, ph.e164, ph.valid, None) + _span(ph.span)
    return row, ph.person_slot


def event_row(ev: EventFacts, location_index: dict[str, int], values: Values) -> Row:
    start, start_precision = _date_parts(ev.start)
    end, end_precision = _date_parts(ev.end)
    return (
        ev.event_type,
        values.datetime(start),
        start_precision,
        values.datetime(end),
        end_precision,
        location_index.get(ev.location_slot) if ev.location_slot else None,
        ev.description,
        values.json(ev.attributes or None),
    )


def _with_owner(
    rows: list[tuple[Row, str | None]], at: int, person_index: dict[str, int]
) -> tuple[Row, ...]:
    if not rows:
        return ()
    out = []
    for row, owner in rows:
        index = person_index.get(owner) if owner else None
        out.append(row if index is None else row[:at] + (index,) + row[at + 1 :])
    return tuple(out)


def _record(
    mapped: MappedRecord,
    persons: list[Row],
    protected: list[Row],
    locations: list[tuple[Row, str | None]],
    vehicles: list[tuple[Row, str | None]],
    phones: list[tuple[Row, str | None]],
    values: Values,
) -> RecordRows:
    person_index = {row[0]: i for i, row in enumerate(persons)} if persons else {}
    received, _ = _date_parts(mapped.received_at)
    grading = mapped.grading
    ev = mapped.event
    event = None
    if ev is not None:
        # A slot may repeat (a free-text mention after a block's): the last one counts.
        location_index = (
            {row[0]: i for i, (row, _) in enumerate(locations)} if ev.location_slot else {}
        )
        event = event_row(ev, location_index, values)
    return (
        mapped.source_ref,
        mapped.row_number,
        values.datetime(received),
        ev.event_type if ev else None,
        grading.source if grading else None,
        grading.intelligence if grading else None,
        grading.handling if grading else None,
        tuple(persons),
        tuple(protected),
        _with_owner(locations, LOCATION_OWNER, person_index),
        _with_owner(vehicles, VEHICLE_OWNER, person_index),
        _with_owner(phones, PHONE_OWNER, person_index),
        event,
    )


def record_rows(mapped: MappedRecord, values: Values) -> RecordRows:
    """Everything a mapped record will store, as plain tuples with no ids yet.

    Made wherever the row was mapped (possibly another process: tuples travel cheaply
    where dataclasses do not); `add_record` then gives the ids. Each mention tuple is
    its table row after (id, record_id); where a row names its person mention (or the
    event its location) it holds that mention's index in the record for now.
    """
    protected = [
        (i, kind, value)
        for i, p in enumerate(mapped.persons)
        for kind, value in p.protected.items()
    ]
    return _record(
        mapped,
        [person_row(p, values) for p in mapped.persons],
        protected,
        [location_row(loc) for loc in mapped.locations],
        [vehicle_row(v) for v in mapped.vehicles],
        [phone_row(ph) for ph in mapped.phones],
        values,
    )


# -- mapping straight to rows, block by block -------------------------------------------
# Most of a row's mapping is its mention blocks, and the cells a block reads repeat: an
# ANPR camera's name and place on every read, a child's name on every episode. So each
# block instance's rows are kept, keyed by those cells (`_Block.key`), and a repeat costs
# a dict look-up. A miss maps the instance with the mapper's own functions and lays it out
# with the functions above: one implementation of each rule, for both paths.

BLOCK_CACHE_ROWS = 2048  # per generation, block and dialect: a few MB at most
MEMO_TRIAL = 500  # instances looked up before a block may give up memoising...
MEMO_MIN_HITS = 0.3  # ...because fewer than this share were repeats (misses cost GC)


# What one block instance lays out to: a person block gives (person row, its protected
# (kind, value) pairs, its phone or None, its home address or None); any other block its
# one mention as (row, owner slot). NO_ROWS when the instance names nothing.
PersonParts = tuple[Row, tuple[tuple[str, str], ...], tuple[Row, str | None] | None, Any]
NO_ROWS: tuple[()] = ()


class _BlockRows:
    """One compiled block with its laid-out instances, memoised."""

    def __init__(self, block: mapper._Block, kind: str, dayfirst: bool, values: Values):
        self.block = block
        self.person = block.person if kind in ("vehicle", "phone") else None
        self.kind = kind
        self.dayfirst = dayfirst
        self.values = values
        self.scratch = MappedRecord(row_number=0, raw={})  # what the mapper appends to
        # Two generations: when the newer is full it becomes the older and the oldest go.
        # (Evicting one entry at a time from a dict's front costs a scan past its holes.)
        self.cache: dict[tuple[Any, ...], Any] = {}
        self.older: dict[tuple[Any, ...], Any] = {}
        self.lookups = 0
        self.hits = 0
        self.memoise = True

    def parts(self, slot: str, src: dict[str, Any], n: int | None, sv: str | None) -> Any:
        if not self.memoise:
            return self._lay_out(slot, src, n, sv)
        key = self.block.key(slot, src, n, sv)
        if key is None:
            return self._lay_out(slot, src, n, sv)
        found = self.cache.get(key)
        if found is None:
            found = self.older.get(key)
        self.lookups += 1
        if found is not None:
            self.hits += 1
            parts = found
        else:
            parts = self._lay_out(slot, src, n, sv)
            if self.lookups >= MEMO_TRIAL and self.hits < self.lookups * MEMO_MIN_HITS:
                self.memoise = False  # a block whose cells rarely repeat: keys cost more
                self.cache, self.older = {}, {}
                return parts
        if len(self.cache) >= BLOCK_CACHE_ROWS:
            self.older = self.cache
            self.cache = {}
        self.cache[key] = parts
        return parts

    def _lay_out(self, slot: str, src: dict[str, Any], n: int | None, sv: str | None) -> Any:
        out = self.scratch
        bp = self.block
        kind = self.kind
        if kind == "person":
            out.persons.clear()
            out.phones.clear()
            out.locations.clear()
            mapper._map_person(bp, slot, src, n, sv, out, self.dayfirst)
            if not out.persons:
                return NO_ROWS
            p = out.persons[0]
            return (
                person_row(p, self.values),
                tuple(p.protected.items()),
                phone_row(out.phones[0]) if out.phones else None,
                location_row(out.locations[0]) if out.locations else None,
            )
        if kind == "vehicle":
            out.vehicles.clear()
            mapper._map_vehicle(bp, slot, src, n, sv, out)
            return vehicle_row(out.vehicles[0]) if out.vehicles else NO_ROWS
        if kind == "phone":
            out.phones.clear()
            mapper._map_phone(bp, slot, src, n, sv, out)
            return phone_row(out.phones[0]) if out.phones else NO_ROWS
        out.locations.clear()
        mapper._map_location(bp, slot, src, n, sv, out)
        return location_row(out.locations[0]) if out.locations else NO_ROWS


class _SpecRows:
    """A spec's blocks with their memoised rows, for one dialect's values."""

    def __init__(self, plan: mapper._Plan, values: Values):
        self.plan = plan
        self.persons = [_BlockRows(b, "person", plan.dayfirst, values) for b in plan.persons]
        self.vehicles = [_BlockRows(b, "vehicle", plan.dayfirst, values) for b in plan.vehicles]
        self.phones = [_BlockRows(b, "phone", plan.dayfirst, values) for b in plan.phones]
        self.locations = [_BlockRows(b, "location", plan.dayfirst, values) for b in plan.locations]


def mapped_rows(
    spec: FeedSpec, fields: dict[str, Any], row_number: int, values: Values
) -> RecordRows:
    """One source row mapped with `spec` and laid out as rows; RowError for quarantine.

    The same rows as `record_rows(map_row(...))` (tests/ingest/test_mapping_equivalence.py),
    with repeated blocks laid out once. The steps are map_row's, in its order.
    """
    if not values.shareable:  # rows holding dicts must not be shared between records
        return record_rows(map_row(spec, fields, row_number), values)
    plan = mapper._plan(spec)
    spec_rows = plan.layouts.get(values.key)
    if spec_rows is None:
        spec_rows = plan.layouts[values.key] = _SpecRows(plan, values)
    out = mapper._record_head(plan, fields, row_number)
    persons: list[Row] = []
    protected: list[Row] = []
    locations: list[tuple[Row, str | None]] = []
    vehicles: list[tuple[Row, str | None]] = []
    phones: list[tuple[Row, str | None]] = []
    for br in spec_rows.persons:
        for slot, src, n, sv in br.block.instances(fields):
            parts = br.parts(slot, src, n, sv)
            if parts is NO_ROWS:
                continue
            row, pairs, phone, home = parts
            for kind, value in pairs:
                protected.append((len(persons), kind, value))
            persons.append(row)
            if phone is not None:
                phones.append(phone)
            if home is not None:
                locations.append(home)
    structured = {row[0] for row in persons}
    for group, into in ((spec_rows.vehicles, vehicles), (spec_rows.phones, phones)):
        for br in group:
            person = br.person
            for slot, src, n, sv in br.block.instances(fields):
                parts = br.parts(slot, src, n, sv)
                if parts is NO_ROWS:
                    continue
                if person is not None:
                    parts = (parts[0], mapper._person_slot(person, slot, structured))
                into.append(parts)
    for br in spec_rows.locations:
        for slot, src, n, sv in br.block.instances(fields):
            parts = br.parts(slot, src, n, sv)
            if parts is not NO_ROWS:
                locations.append(parts)
    if plan.event is not None:
        slots = [row[0] for row, _ in locations]
        out.event = mapper._event_facts(plan.event, fields, plan.dayfirst, slots)
    if plan.free_text:
        mapper._free_text(plan.free_text, fields, out)  # into `out`: only text mentions
        persons += [person_row(p, values) for p in out.persons]
        locations += [location_row(loc) for loc in out.locations]
        vehicles += [vehicle_row(v) for v in out.vehicles]
        phones += [phone_row(ph) for ph in out.phones]
    return _record(out, persons, protected, locations, vehicles, phones, values)
