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
from joinedup.ingest.mapper import as_datetime
from joinedup.pole import (
    EventFacts,
    LocationMention,
    MappedRecord,
    ParsedDate,
    PersonMention,
    PhoneMention,
    VehicleMention,
)
from joinedup.store.tables import BINARY_HASH_DIALECTS

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
    """Converters for date, date-time and JSON columns on one dialect, and the form of its
    content hashes.

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
        # A content hash as the store's column holds it (store/tables.py, ContentHash).
        self.binary_hash = dialect_name in BINARY_HASH_DIALECTS


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
        # isdecimal: "²" is a digit int() refuses
        int(age) if age and age.isdecimal() and len(age) < 4 else None,
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


# -- mapping straight to rows ---------------------------------------------------------------


def mapped_rows(
    spec: FeedSpec, fields: dict[str, Any], row_number: int, values: Values
) -> RecordRows:
    """One source row mapped with `spec` and laid out as rows; RowError for quarantine.

    The same rows as `record_rows(map_row(...))` (tests/ingest/test_mapping_equivalence.py),
    from the spec compiled to straight-line Python once per spec and dialect, with each
    block's rows memoised by the cells it reads (joinedup.ingest.compiled).
    """
    return row_mapper(spec, values)(fields, row_number)


def row_mapper(spec: FeedSpec, values: Values) -> Any:
    """`mapped_rows` for one spec and dialect, as a function of (fields, row_number): what
    a caller mapping many rows takes once (the compiled function, cached per spec)."""
    rows = mapper._plan(spec).layouts.get(values.key)
    if rows is None:
        from joinedup.ingest.compiled import compiled_rows  # it builds on this module

        rows = compiled_rows(spec, values)
    return rows
