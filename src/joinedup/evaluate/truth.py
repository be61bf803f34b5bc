"""Load a synthetic city's ground truth (DIR/truth/*.csv, written by joinedup.synth.truth).

Only evaluate/ reads these files; docs/synth.md documents their columns.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

MentionKey = tuple[str, str, str]  # (feed spec name, agency's source_ref, slot)
OFFENDER_ROLES = frozenset({"offender_core", "offender_wider", "lone_offender"})
STORED_COPIES = frozenset({"original", "resend"})  # copies ingest should store as records
ABUSE_EVENTS = frozenset({"abuse", "abuse_in_car"})
# Timeline kinds whose place is a place of exploitation (first contact, parties, abuse).
PLACE_EVENTS = frozenset({"contact", "party", "abuse", "hotel"})


class TruthError(ValueError):
    """A truth folder that cannot be read, naming the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class TextMention:
    """A value the synth wrote into free text, at [start, start + len(raw)) of `column`."""

    spec: str
    source_ref: str
    column: str
    start: int
    end: int
    kind: str  # person (nickname), vehicle, phone, location (postcode)
    value: str
    partial: bool
    entity_id: str


@dataclass(frozen=True, slots=True)
class TruePerson:
    person_id: str
    kind: str  # child / adult
    world_role: str  # victim, offender_core, parent, bystander, ...
    name_origin: str
    group_id: str

    @property
    def is_offender(self) -> bool:
        return self.world_role in OFFENDER_ROLES


@dataclass(frozen=True, slots=True)
class TrueGroup:
    group_id: str
    kind: str  # group / lone
    members: frozenset[str]  # the offenders
    victims: frozenset[str]
    places: frozenset[str]  # flats and hotels
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class TruthRecord:
    spec: str
    source_ref: str
    row: int
    copy: str  # original, resend, exact_duplicate, malformed
    evidence: bool
    group_id: str
    event_at: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True)
class ExpectedQuarantine:
    spec: str
    source_ref: str
    row: int  # the data row, counting from 1
    column: str
    reason: str
    file_row: int | None = None  # the row as the store numbers it (header included)


@dataclass
class Truth:
    """Everything the truth folder says, keyed for scoring."""

    folder: Path
    city: dict[str, object]
    mentions: dict[MentionKey, tuple[str, str]]  # key -> (kind, true entity id)
    text_mentions: list[TextMention]
    persons: dict[str, TruePerson]
    groups: dict[str, TrueGroup]
    records: list[TruthRecord]
    quarantines: list[ExpectedQuarantine]
    vehicles_used: frozenset[str]  # vehicles in at least one true exploitation event
    locations_used: frozenset[str]  # places of true exploitation events, flats, hotels
    last_abuse: dict[str, datetime] = field(default_factory=dict)  # victim -> last abuse event

    @property
    def offenders(self) -> frozenset[str]:
        return frozenset(p.person_id for p in self.persons.values() if p.is_offender)

    @property
    def victims(self) -> frozenset[str]:
        return frozenset(v for g in self.groups.values() for v in g.victims)

    @property
    def children(self) -> frozenset[str]:
        return frozenset(p.person_id for p in self.persons.values() if p.kind == "child")


def _rows(folder: Path, name: str) -> Iterator[dict[str, str]]:
    path = folder / f"{name}.csv"
    if not path.is_file():
        raise TruthError(f"{path}: missing; is {folder} the truth folder of a synthetic city?")
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _ids(cell: str) -> frozenset[str]:
    return frozenset(x for x in cell.split(";") if x)


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _city(folder: Path) -> dict[str, object]:
    manifest = folder.parent / "manifest.json"
    try:
        return dict(json.loads(manifest.read_text(encoding="utf-8")).get("city", {}))
    except (OSError, ValueError):
        return {}


def load_truth(folder: str | Path) -> Truth:
    """Read every truth file; raises TruthError naming the file at fault."""
    d = Path(folder)
    try:
        return _load(d)
    except (KeyError, ValueError) as exc:
        if isinstance(exc, TruthError):
            raise
        raise TruthError(f"{d}: a truth file has an unexpected layout: {exc!r}") from exc


def _load(d: Path) -> Truth:
    mentions = {
        (r["spec"], r["source_ref"], r["slot"]): (r["kind"], r["entity_id"])
        for r in _rows(d, "mentions")
    }
    texts = []
    for r in _rows(d, "text_mentions"):
        start = int(r["slot"].rsplit(":", 1)[1])
        texts.append(
            TextMention(
                r["spec"], r["source_ref"], r["column"], start, start + len(r["raw"]),
                r["kind"], r["value"], r["partial"] == "true", r["entity_id"],
            )
        )  # fmt: skip
    persons = {
        r["person_id"]: TruePerson(
            r["person_id"], r["kind"], r["world_role"], r["name_origin"], r["group_id"]
        )
        for r in _rows(d, "persons")
    }
    groups = {
        r["group_id"]: TrueGroup(
            r["group_id"],
            r["kind"],
            _ids(r["members"]),
            _ids(r["victims"]),
            _ids(r["flats"]) | _ids(r["hotels"]),
            date.fromisoformat(r["start_date"]),
            date.fromisoformat(r["end_date"]),
        )
        for r in _rows(d, "groups")
    }
    records = [
        TruthRecord(
            r["spec"], r["source_ref"], int(r["row"]), r["copy"],
            r["evidence_of_exploitation"] == "true", r["group_id"],
            _dt(r["event_date"]), _dt(r["received_date"]),
        )
        for r in _rows(d, "records")
    ]  # fmt: skip
    quarantines = [
        ExpectedQuarantine(
            r["spec"], r["source_ref"], int(r["row"]), r["column"], r["reason"],
            int(r["file_row"]) if r.get("file_row") else None,
        )
        for r in _rows(d, "quarantines")
    ]  # fmt: skip
    vehicles_used: set[str] = set()
    locations_used: set[str] = set()
    last_abuse: dict[str, datetime] = {}
    for r in _rows(d, "timeline"):
        if not r["group_id"]:
            continue
        if r["vehicle_id"]:
            vehicles_used.add(r["vehicle_id"])
        if r["location_id"] and r["kind"] in PLACE_EVENTS:
            locations_used.add(r["location_id"])
        if r["kind"] in ABUSE_EVENTS and r["victim_id"]:
            when = _dt(r["when"])
            if when > last_abuse.get(r["victim_id"], datetime.min):
                last_abuse[r["victim_id"]] = when
    for g in groups.values():
        locations_used |= g.places
    return Truth(
        folder=d,
        city=_city(d),
        mentions=mentions,
        text_mentions=texts,
        persons=persons,
        groups=groups,
        records=records,
        quarantines=quarantines,
        vehicles_used=frozenset(vehicles_used),
        locations_used=frozenset(locations_used),
        last_abuse=last_abuse,
    )
