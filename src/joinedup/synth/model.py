"""The synthetic world's true entities: people, places, vehicles, phones and groups.

These are the ground truth. Agency writers only ever see them through noise; the
pipeline never sees them at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True, eq=False)
class Location:
    lid: str
    name: str
    type: str  # home, flat, childrens_home, school, hotel, park, takeaway, station, ...
    address: str  # house number/name and street, no town
    postcode: str
    lat: float
    lon: float
    hood: int  # neighbourhood index (NV<hood+1>); -1 outside the town
    phone: Phone | None = None


@dataclass(slots=True, eq=False)
class Phone:
    phid: str
    number: str  # national format, digits only: 07700900123
    owner: Person | None = None


@dataclass(slots=True, eq=False)
class Vehicle:
    vid: str
    vrm: str  # as on the plate, with the space: "FD58 XYZ"
    make: str
    model: str
    colour: str
    keeper: Person | None = None
    is_taxi: bool = False
    school_contract: bool = False


@dataclass(slots=True, eq=False)
class Person:
    pid: str
    forename: str
    middle: str
    surname: str
    sex: str  # M / F
    dob: date
    origin: str
    ethnicity: str  # canonical census-style label (see protected.py)
    nationality: str
    kind: str  # child / adult
    role: str  # world role: victim, offender_core, parent, carer_staff, ...
    home: Location
    household: int = -1
    vulnerabilities: tuple[str, ...] = ()
    in_care: bool = False
    placement: str = ""  # residential / foster, for children in care
    school: Location | None = None
    year_group: int = 0
    nhs: str = ""
    upn: str = ""
    pnc: str = ""
    child_ref: str = ""
    missing_ref: str = ""
    nickname: str = ""  # what friends call them
    street_name: str = ""  # what victims know an offender by
    alias: str = ""  # a false forename given in registers
    group: str = ""
    group_role: str = ""  # core / wider / lone
    is_taxi_driver: bool = False
    school_contract: bool = False
    workplace: Location | None = None
    collar: str = ""  # officers
    phones: list[Phone] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)
    relatives: list[Person] = field(default_factory=list)  # parents/relatives of a child
    friends: list[Person] = field(default_factory=list)
    carers: list[Person] = field(default_factory=list)  # who reports this child missing
    boyfriend: Person | None = None  # an innocent older boyfriend (confounder)
    frequent_missing: bool = False


@dataclass(slots=True, eq=False)
class Group:
    gid: str
    kind: str  # group / lone
    origin: str  # the most common origin among members
    members: list[Person]
    core: list[Person]
    flats: list[Location]
    hotels: list[Location]
    hangouts: list[Location]
    vehicles: list[Vehicle]
    start: date
    end: date  # last day of activity (beyond the window when not disrupted)
    disrupted: date | None = None
    hood: int = 0
    victims: list[Person] = field(default_factory=list)
