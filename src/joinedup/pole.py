"""The POLE domain types (Person, Object, Location, Event) that every stage speaks.

Plain dataclasses and enums only: this module imports nothing from the rest of the
package, so feeds, ingest, store and the later stages can all depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class MentionKind(StrEnum):
    person = "person"
    vehicle = "vehicle"
    phone = "phone"
    location = "location"


class DatePrecision(StrEnum):
    """How much of a date the source actually gave."""

    minute = "minute"
    day = "day"
    month = "month"
    year = "year"
    approx_year = "approx_year"  # "approx 1990", "c.1990"


class EventType(StrEnum):
    police_incident = "police_incident"
    stop_check = "stop_check"
    missing_episode = "missing_episode"
    referral = "referral"
    assessment = "assessment"
    health_attendance = "health_attendance"
    education_concern = "education_concern"
    anpr_read = "anpr_read"
    hotel_stay = "hotel_stay"
    licence = "licence"
    listing = "listing"  # a generic person list: no event, just who is known


class Role(StrEnum):
    """The part a mention plays in an event. Roles decide what a flag may read into it."""

    subject = "subject"
    missing_person = "missing_person"
    found_with = "found_with"
    reporting_person = "reporting_person"
    suspect = "suspect"
    victim = "victim"
    witness = "witness"
    offender = "offender"
    associate = "associate"
    driver = "driver"
    passenger = "passenger"
    occupant = "occupant"
    guardian = "guardian"
    parent = "parent"
    carer = "carer"
    staff = "staff"
    officer = "officer"
    patient = "patient"
    accompanying_adult = "accompanying_adult"
    pupil = "pupil"
    referrer = "referrer"
    guest = "guest"
    licence_holder = "licence_holder"
    keeper = "keeper"
    vehicle = "vehicle"
    phone = "phone"
    location = "location"
    found_at = "found_at"
    home_address = "home_address"
    mentioned = "mentioned"  # extracted from free text; no role is implied


class AuditCategory(StrEnum):
    """The processing operations DPA 2018 s.62 requires to be logged."""

    collection = "collection"
    alteration = "alteration"
    consultation = "consultation"
    disclosure = "disclosure"
    combination = "combination"
    erasure = "erasure"


class UserRole(StrEnum):
    admin = "admin"
    analyst = "analyst"
    supervisor = "supervisor"
    researcher = "researcher"
    auditor = "auditor"


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date as precise as the source gave it. `value` is the first day of the span."""

    value: date | datetime | None
    precision: DatePrecision | None
    raw: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True, slots=True)
class TextSpan:
    """Where an extracted mention sits in a free-text field of its record."""

    field: str
    start: int
    end: int


@dataclass(slots=True)
class PersonMention:
    slot: str
    role: str
    raw_name: str | None = None
    forename: str | None = None
    middle_names: str | None = None
    surname: str | None = None
    full_name: str | None = None
    nickname: str | None = None
    dob: ParsedDate | None = None
    sex: str | None = None
    address: str | None = None
    postcode: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    # Recorded to be counted, never to be matched, scored or flagged on.
    protected: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    span: TextSpan | None = None


@dataclass(slots=True)
class VehicleMention:
    slot: str
    role: str
    raw: str | None = None
    vrm: str | None = None  # normalised registration, or None when partial/invalid
    pattern: str | None = None  # partial plate as a pattern with "?" for unknowns
    plate_format: str | None = None
    make: str | None = None
    model: str | None = None
    colour: str | None = None
    person_slot: str | None = None
    span: TextSpan | None = None


@dataclass(slots=True)
class PhoneMention:
    slot: str
    role: str
    raw: str | None = None
    e164: str | None = None
    valid: bool = False
    person_slot: str | None = None
    span: TextSpan | None = None


@dataclass(slots=True)
class LocationMention:
    slot: str
    role: str
    raw: str | None = None
    name: str | None = None
    address: str | None = None
    postcode: str | None = None
    property_ref: str | None = None
    place_type: str | None = None
    lat: float | None = None
    lon: float | None = None
    span: TextSpan | None = None


@dataclass(slots=True)
class EventFacts:
    event_type: str
    start: ParsedDate | None = None
    end: ParsedDate | None = None
    location_slot: str | None = None
    description: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Grading:
    """The 3x5x2 intelligence grading: source evaluation, assessment, handling code."""

    source: str | None = None  # 1-3 (or A/B/C in older schemes)
    intelligence: str | None = None  # A-E (or 1-5)
    handling: str | None = None  # P (lawful sharing permitted) or C (conditions)


@dataclass(slots=True)
class MappedRecord:
    """One input row after its feed spec has mapped it onto POLE."""

    row_number: int
    raw: dict[str, object]
    source_ref: str | None = None
    received_at: ParsedDate | None = None
    grading: Grading | None = None
    event: EventFacts | None = None
    persons: list[PersonMention] = field(default_factory=list)
    vehicles: list[VehicleMention] = field(default_factory=list)
    phones: list[PhoneMention] = field(default_factory=list)
    locations: list[LocationMention] = field(default_factory=list)
    free_text: dict[str, str] = field(default_factory=dict)
