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
from joinedup.ingest.mapper import as_datetime, map_row
from joinedup.pole import MappedRecord, ParsedDate

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


def _json(value: Any) -> str:
    return "null" if value is None else json.dumps(value)


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


def _date_parts(value: ParsedDate | None) -> tuple[datetime | None, str | None]:
    if value is None or value.value is None:
        return None, None
    return as_datetime(value.value), value.precision.value if value.precision else None


def _span(span: Any) -> Row:
    if span is None:
        return NO_SPAN
    return (True, span.field, span.start, span.end)


def record_rows(mapped: MappedRecord, values: Values) -> RecordRows:
    """Everything a mapped record will store, as plain tuples with no ids yet.

    Made wherever the row was mapped (possibly another process: tuples travel cheaply
    where dataclasses do not); `add_record` then gives the ids. Each mention tuple is
    its table row after (id, record_id); where a row names its person mention (or the
    event its location) it holds that mention's index in the record for now.
    """
    as_json = values.json
    as_date = values.date
    as_datetime_value = values.datetime
    person_index: dict[str, int] = {}
    persons: list[Row] = []
    protected: list[Row] = []
    for i, p in enumerate(mapped.persons):
        person_index[p.slot] = i
        dob, dob_precision = _date_parts(p.dob)
        ident = p.identifiers
        age = p.raw.get("age")
        persons.append(
            (
                p.slot,
                p.role,
                p.raw_name,
                p.forename,
                p.middle_names,
                p.surname,
                p.nickname,
                as_date(dob.date() if dob else None),
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
                as_json(p.attributes or None),
                as_json(p.raw or None),
            )
            + _span(p.span)
        )
        for kind, value in p.protected.items():
            protected.append((i, kind, value))
    location_index: dict[str, int] = {}
    locations: list[Row] = []
    for i, loc in enumerate(mapped.locations):
        location_index[loc.slot] = i
        owner = loc.slot.rsplit(".", 1)[0] if loc.slot.endswith(".address") else None
        locations.append(
            (
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
                person_index.get(owner) if owner else None,
            )
            + _span(loc.span)
        )
    vehicles = [
        (
            v.slot,
            v.role,
            v.raw,
            v.vrm,
            v.pattern,
            v.plate_format,
            v.make,
            v.model,
            v.colour,
            person_index.get(v.person_slot) if v.person_slot else None,
        )
        + _span(v.span)
        for v in mapped.vehicles
    ]
    phones = [
        (
            ph.slot,
            ph.role,
            ph.raw,
            ph.e164,
            ph.valid,
            person_index.get(ph.person_slot) if ph.person_slot else None,
        )
        + _span(ph.span)
        for ph in mapped.phones
    ]
    received, _ = _date_parts(mapped.received_at)
    grading = mapped.grading
    ev = mapped.event
    event: Row | None = None
    if ev is not None:
        start, start_precision = _date_parts(ev.start)
        end, end_precision = _date_parts(ev.end)
        event = (
            ev.event_type,
            as_datetime_value(start),
            start_precision,
            as_datetime_value(end),
            end_precision,
            location_index.get(ev.location_slot) if ev.location_slot else None,
            ev.description,
            as_json(ev.attributes or None),
        )
    return (
        mapped.source_ref,
        mapped.row_number,
        as_datetime_value(received),
        ev.event_type if ev else None,
        grading.source if grading else None,
        grading.intelligence if grading else None,
        grading.handling if grading else None,
        tuple(persons),
        tuple(protected),
        tuple(locations),
        tuple(vehicles),
        tuple(phones),
        event,
    )


def mapped_rows(
    spec: FeedSpec, fields: dict[str, Any], row_number: int, values: Values
) -> RecordRows:
    """One source row mapped with `spec` and laid out as rows; RowError for quarantine."""
    return record_rows(map_row(spec, fields, row_number), values)
