"""What happens in the world that an agency might record: one small class per kind of record.

A happening holds true entities; the agency writers decide how much of it reaches a
file and how badly it is written. `evidence` and `group` are ground truth only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from joinedup.synth.model import Location, Person, Phone, Vehicle


@dataclass(slots=True, kw_only=True)
class Happening:
    when: datetime
    evidence: bool = False
    group: str = ""
    tl: str = ""  # id of the truth timeline event this record evidences, if any


@dataclass(slots=True, kw_only=True)
class Note:
    """A piece of free text: plain words, or a value an extractor should find."""

    text: str = ""
    kind: str = ""  # "", nickname, plate, plate_partial, phone, postcode, date
    entity: object = None  # the true Person / Vehicle / Phone / Location, or a date


@dataclass(slots=True, kw_only=True)
class MissingEpisode(Happening):
    child: Person
    reporter: Person | None
    category: str  # home / care
    end: datetime
    found_with: list[Person] = field(default_factory=list)
    found_at: Location | None = None
    found_in: Vehicle | None = None
    located_by: Person | None = None
    notes: list[Note] = field(default_factory=list)
    notes_late: bool = False  # return interview done later: the record is re-sent with notes


@dataclass(slots=True, kw_only=True)
class Incident(Happening):
    code: str  # the police incident class code
    location: Location
    persons: list[tuple[Person, str]] = field(default_factory=list)  # (person, role code)
    vehicles: list[Vehicle] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    grading: str = ""  # 3x5x2 for intelligence reports


@dataclass(slots=True, kw_only=True)
class Stop(Happening):
    vehicle: Vehicle
    driver: Person
    occupants: list[Person]
    location: Location
    reason: str
    outcome: str


@dataclass(slots=True, kw_only=True)
class CareEntry(Happening):
    child: Person
    work_type: str  # REF, ASMT, CSE, SD, LACR
    source: str  # referral source code
    concerns: tuple[str, ...] = ()
    adult: Person | None = None
    adult_rel: str = ""
    adult_known_as: str = ""  # how the child named the adult, when not by real name
    risk: str = ""  # CSE screening band
    worker: Person | None = None


@dataclass(slots=True, kw_only=True)
class Attendance(Happening):
    patient: Person
    site: Location
    complaint: str
    escort: Person | None = None
    escort_rel: str = ""
    safeguarding: bool = False
    notes: list[Note] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class EduConcern(Happening):
    pupil: Person
    school: Location
    category: str
    staff: Person | None
    notes: list[Note] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class AnprRead(Happening):
    vehicle: Vehicle
    camera: Location


@dataclass(slots=True, kw_only=True)
class HotelStay(Happening):
    hotel: Location
    guest: Person
    phone: Phone | None
    vehicle: Vehicle | None
    nights: int
    guests: int
    use_alias: bool = False
    notes: list[Note] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Licence(Happening):
    holder: Person
    vehicle: Vehicle
    licence_no: str
    licence_type: str  # HCD / PHD
    status: str  # GRANT / RENEW
    expiry: datetime


def say(*parts: str | Note) -> list[Note]:
    """Free text from plain strings and extractable values, in order."""
    return [p if isinstance(p, Note) else Note(text=p) for p in parts]


def nick(p: Person, name: str) -> Note:
    """A name in quotes, as notes write what someone is called."""
    return Note(text=f"'{name}'", kind="nickname", entity=p)


def plate(v: Vehicle) -> Note:
    return Note(text=v.vrm, kind="plate", entity=v)


def part_plate(v: Vehicle, chars: int) -> Note:
    """The first characters of a plate, all a witness caught."""
    return Note(text=v.vrm.replace(" ", "")[:chars], kind="plate_partial", entity=v)


def postcode(loc: Location) -> Note:
    return Note(text=loc.postcode, kind="postcode", entity=loc)


def phone(ph: Phone) -> Note:
    return Note(text=ph.number, kind="phone", entity=ph)
