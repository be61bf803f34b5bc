"""Hand-built stores with known answers: records, mentions, events, participations and
resolved entities inserted directly into a real (migrated) store."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from itertools import count

from sqlalchemy import Connection, insert

from joinedup.store import tables as t

MENTION = {
    "person": t.person_mention,
    "vehicle": t.vehicle_mention,
    "phone": t.phone_mention,
    "location": t.location_mention,
}


class StoreBuilder:
    """Insert a tiny POLE world: `entity` makes a resolved entity, `event` a record with an
    event whose participants are fresh mentions of the given entities."""

    def __init__(self, conn: Connection, *, resolved: bool = True):
        self.conn = conn
        self._n = count(1)
        now = datetime(2024, 1, 1)
        self.source = self._insert(t.source, code="test_src", name="Test source", agency="police")
        self.spec = self._insert(t.feed_spec, name="test", version=1, spec_hash="x" * 64,
                                 spec_json="{}", source_id=self.source)  # fmt: skip
        self.batch = self._insert(
            t.ingest_batch, source_id=self.source, feed_spec_id=self.spec, file_name="t.csv",
            file_hash="y" * 64, file_size=1, started_at=now, ingested_by="test",
        )  # fmt: skip
        self.kinds: dict[int, str] = {}
        self.run = self._insert(t.resolution_run, mode="full", engine="duckdb",
                                status="done" if resolved else "running", actor="test",
                                started_at=now)  # fmt: skip

    def _insert(self, table, **values) -> int:  # type: ignore[no-untyped-def]
        return int(self.conn.execute(insert(table).values(**values)).inserted_primary_key[0])

    def entity(self, kind: str, label: str) -> int:
        eid = self._insert(t.entity, kind=kind, label=label, size=1,
                           created_run_id=self.run, updated_run_id=self.run)  # fmt: skip
        self.kinds[eid] = kind
        return eid

    def mention(
        self, record: int, entity: int, role: str, person_mention: int | None = None
    ) -> int:
        kind = self.kinds[entity]
        values: dict[str, object] = {"record_id": record, "slot": f"s{next(self._n)}", "role": role}
        if kind == "person":
            values["raw_name"] = f"mention of E{entity}"
        elif kind != "location":
            values["person_mention_id"] = person_mention
        else:
            values["person_mention_id"] = person_mention
        mid = self._insert(MENTION[kind], **values)
        self._insert(t.entity_member, entity_id=entity, mention_kind=kind, mention_id=mid,
                     how="alone", run_id=self.run)  # fmt: skip
        return mid

    def record(self, received: date) -> int:
        n = next(self._n)
        raw = json.dumps({"n": n})
        return self._insert(
            t.record, source_id=self.source, batch_id=self.batch, source_ref=f"R{n}",
            row_number=n, received_at=datetime.combine(received, datetime.min.time()),
            content_hash=hashlib.sha256(raw.encode()).hexdigest(), raw=raw,
        )  # fmt: skip

    def event(
        self,
        event_type: str,
        day: date | None,
        participants: list[tuple[int, str]],
        *,
        ties: list[tuple[int, int]] = (),  # type: ignore[assignment]
        received: date | None = None,
    ) -> tuple[int, int, dict[int, int]]:
        """(event id, record id, {entity: its mention}) for one record with one event.

        `ties` are (person entity, object entity): the object mention names that person.
        """
        received = received or day or date(2024, 6, 1)
        record = self.record(received)
        start = None if day is None else datetime.combine(day, datetime.min.time())
        ev = self._insert(t.event, record_id=record, event_type=event_type, start_at=start,
                          start_precision="day" if day else None)  # fmt: skip
        owner = {obj: person for person, obj in ties}
        mentions: dict[int, int] = {}
        ordered = sorted(participants, key=lambda p: self.kinds[p[0]] != "person")
        for entity, role in ordered:
            person = owner.get(entity)
            mid = self.mention(record, entity, role, mentions.get(person) if person else None)
            mentions[entity] = mid  # it takes part in the record's event, in its role
        return ev, record, mentions

    def candidate(self, record_mention: int, targets: list[int], reason: str) -> None:
        for target in targets:
            self._insert(t.candidate_link, run_id=self.run, mention_kind="vehicle",
                         mention_id=record_mention, entity_id=target, candidates=len(targets),
                         reason=reason)  # fmt: skip


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
