"""Turn mapped records into store rows and insert them in bulk inside the batch transaction.

IDs are allocated here, under the writers' lock that the batch holds, so a chunk of
records and all their mentions, events and participations go in as a few multi-row
inserts instead of one round trip per row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from joinedup.ingest.mapper import as_datetime
from joinedup.pole import MappedRecord, ParsedDate
from joinedup.store import tables as t

ID_TABLES = (
    t.record,
    t.person_mention,
    t.protected_characteristic,
    t.vehicle_mention,
    t.phone_mention,
    t.location_mention,
    t.event,
    t.participation,
    t.quarantine,
)


class IdAllocator:
    """Hands out primary keys for the tables a batch writes, starting after the current max."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.next: dict[str, int] = {}
        for table in ID_TABLES:
            current = conn.execute(select(func.max(table.c.id))).scalar()
            self.next[table.name] = (current or 0) + 1

    def take(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value

    def sync_sequences(self) -> None:
        """PostgreSQL: move each serial sequence past the ids we set by hand."""
        if self.conn.dialect.name != "postgresql":
            return
        for table in ID_TABLES:
            last = self.next[table.name] - 1
            if last > 0:
                self.conn.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                    {"t": table.name, "v": last},
                )


def _date_parts(value: ParsedDate | None) -> tuple[datetime | None, str | None]:
    if value is None or value.value is None:
        return None, None
    return as_datetime(value.value), value.precision.value if value.precision else None


def _span(span: Any) -> dict[str, Any]:
    if span is None:
        return {"extracted": False, "text_field": None, "span_start": None, "span_end": None}
    return {
        "extracted": True,
        "text_field": span.field,
        "span_start": span.start,
        "span_end": span.end,
    }


class ChunkRows:
    """Rows for every table, accumulated for one chunk and inserted together."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows[table.name].append(row)

    def insert(self, conn: Connection) -> None:
        # Parents before children, for the foreign keys.
        for table in (
            t.record,
            t.person_mention,
            t.protected_characteristic,
            t.location_mention,
            t.vehicle_mention,
            t.phone_mention,
            t.event,
            t.participation,
            t.quarantine,
        ):
            rows = self.rows.get(table.name)
            if rows:
                conn.execute(table.insert(), rows)
        self.rows.clear()


def add_record(
    rows: ChunkRows,
    ids: IdAllocator,
    mapped: MappedRecord,
    *,
    source_id: int,
    batch_id: int,
    content_hash: str,
    raw_json: str,
    received_default: datetime,
    supersedes_id: int | None,
) -> None:
    """Queue one record and everything mapped from it."""
    record_id = ids.take(t.record)
    received, _ = _date_parts(mapped.received_at)
    grading = mapped.grading
    rows.add(
        t.record,
        {
            "id": record_id,
            "source_id": source_id,
            "batch_id": batch_id,
            "source_ref": mapped.source_ref,
            "row_number": mapped.row_number,
            "received_at": received or received_default,
            "content_hash": content_hash,
            "event_type": mapped.event.event_type if mapped.event else None,
            "grading_source": grading.source if grading else None,
            "grading_intelligence": grading.intelligence if grading else None,
            "grading_handling": grading.handling if grading else None,
            "raw": raw_json,
            "supersedes_id": supersedes_id,
        },
    )
    person_ids: dict[str, int] = {}
    participants: list[tuple[str, int, str]] = []
    for p in mapped.persons:
        pid = ids.take(t.person_mention)
        person_ids[p.slot] = pid
        dob, dob_precision = _date_parts(p.dob)
        ident = p.identifiers
        age = p.raw.get("age")
        rows.add(
            t.person_mention,
            {
                "id": pid,
                "record_id": record_id,
                "slot": p.slot,
                "role": p.role,
                "raw_name": p.raw_name,
                "forename": p.forename,
                "middle_names": p.middle_names,
                "surname": p.surname,
                "nickname": p.nickname,
                "dob": dob.date() if dob else None,
                "dob_precision": dob_precision,
                "dob_raw": p.dob.raw if p.dob else None,
                "age": int(age) if age and age.isdigit() and len(age) < 4 else None,
                "sex": p.sex,
                "address": p.address,
                "postcode": p.postcode,
                "nhs_number": ident.get("nhs_number"),
                "pnc_id": ident.get("pnc_id"),
                "child_ref": ident.get("child_ref"),
                "upn": ident.get("upn"),
                "local_id": ident.get("local_id"),
                "licence_no": ident.get("licence_no"),
                "attributes": p.attributes or None,
                "raw": p.raw or None,
                **_span(p.span),
            },
        )
        for kind, value in p.protected.items():
            rows.add(
                t.protected_characteristic,
                {
                    "id": ids.take(t.protected_characteristic),
                    "person_mention_id": pid,
                    "kind": kind,
                    "value": value,
                    "raw": value,
                },
            )
        participants.append(("person", pid, p.role))
    location_ids: dict[str, int] = {}
    for loc in mapped.locations:
        lid = ids.take(t.location_mention)
        location_ids[loc.slot] = lid
        owner = loc.slot.rsplit(".", 1)[0] if loc.slot.endswith(".address") else None
        rows.add(
            t.location_mention,
            {
                "id": lid,
                "record_id": record_id,
                "slot": loc.slot,
                "role": loc.role,
                "raw": loc.raw,
                "name": loc.name,
                "address": loc.address,
                "postcode": loc.postcode,
                "property_ref": loc.property_ref,
                "place_type": loc.place_type,
                "lat": loc.lat,
                "lon": loc.lon,
                "person_mention_id": person_ids.get(owner) if owner else None,
                **_span(loc.span),
            },
        )
        participants.append(("location", lid, loc.role))
    for v in mapped.vehicles:
        vid = ids.take(t.vehicle_mention)
        rows.add(
            t.vehicle_mention,
            {
                "id": vid,
                "record_id": record_id,
                "slot": v.slot,
                "role": v.role,
                "raw": v.raw,
                "vrm": v.vrm,
                "pattern": v.pattern,
                "plate_format": v.plate_format,
                "make": v.make,
                "model": v.model,
                "colour": v.colour,
                "person_mention_id": person_ids.get(v.person_slot) if v.person_slot else None,
                **_span(v.span),
            },
        )
        participants.append(("vehicle", vid, v.role))
    for ph in mapped.phones:
        phid = ids.take(t.phone_mention)
        rows.add(
            t.phone_mention,
            {
                "id": phid,
                "record_id": record_id,
                "slot": ph.slot,
                "role": ph.role,
                "raw": ph.raw,
                "e164": ph.e164,
                "valid": ph.valid,
                "person_mention_id": person_ids.get(ph.person_slot) if ph.person_slot else None,
                **_span(ph.span),
            },
        )
        participants.append(("phone", phid, ph.role))
    if mapped.event is None:
        return
    ev = mapped.event
    event_id = ids.take(t.event)
    start, start_precision = _date_parts(ev.start)
    end, end_precision = _date_parts(ev.end)
    rows.add(
        t.event,
        {
            "id": event_id,
            "record_id": record_id,
            "event_type": ev.event_type,
            "start_at": start,
            "start_precision": start_precision,
            "end_at": end,
            "end_precision": end_precision,
            "location_mention_id": location_ids.get(ev.location_slot) if ev.location_slot else None,
            "description": ev.description,
            "attributes": ev.attributes or None,
        },
    )
    for kind, mention_id, role in participants:
        rows.add(
            t.participation,
            {
                "id": ids.take(t.participation),
                "event_id": event_id,
                "mention_kind": kind,
                "mention_id": mention_id,
                "role": role,
            },
        )


def canonical_json(fields: dict[str, Any]) -> str:
    return json.dumps(
        fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )
