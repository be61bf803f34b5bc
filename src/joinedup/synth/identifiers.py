"""Invented but valid-format identifiers: UK plates, drama-range phones, NHS test numbers, UPNs.

Nothing here can collide with a real person: phones are in Ofcom's drama ranges, NHS
numbers in the 999 test range, postcodes in the invented outward area "NV".
"""

from __future__ import annotations

import random
from datetime import date

PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"  # no I or Q in current-format plates
AREA_FIRST = "ABCDEFGHKLMNOPRSVWY"
POSTCODE_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UPN_CHECK = "ABCDEFGHJKLMNPQRTUVWXYZ"
PNC_CHECK = "ZABCDEFGHJKLMNPQRTUVWXY"
MAKES = (
    ("Vauxhall", ("Corsa", "Astra", "Insignia", "Zafira")),
    ("Ford", ("Fiesta", "Focus", "Mondeo", "Galaxy", "Kuga")),
    ("Volkswagen", ("Golf", "Polo", "Passat", "Touran")),
    ("Toyota", ("Prius", "Auris", "Corolla", "Avensis", "Yaris")),
    ("BMW", ("1 Series", "3 Series", "5 Series", "X5")),
    ("Mercedes-Benz", ("C Class", "E Class", "A Class", "Vito")),
    ("Audi", ("A3", "A4", "A6", "Q5")),
    ("Nissan", ("Qashqai", "Micra", "Note")),
    ("Skoda", ("Octavia", "Superb", "Fabia")),
    ("Peugeot", ("208", "308", "5008")),
    ("Kia", ("Sportage", "Ceed", "Picanto")),
    ("Hyundai", ("i10", "i30", "Tucson")),
    ("Renault", ("Clio", "Megane")),
    ("Honda", ("Civic", "Jazz")),
)
MAKE_WEIGHTS = (10, 12, 9, 7, 5, 5, 4, 5, 4, 4, 3, 3, 3, 2)
TAXI_MAKES = (
    ("Toyota", ("Prius", "Auris", "Avensis")),
    ("Skoda", ("Octavia", "Superb")),
    ("Volkswagen", ("Passat", "Touran")),
    ("Ford", ("Galaxy", "Mondeo")),
    ("Mercedes-Benz", ("Vito", "E Class")),
)
COLOURS = ("Black", "Silver", "Grey", "White", "Blue", "Red", "Green", "Bronze", "Yellow")
COLOUR_WEIGHTS = (20, 22, 18, 14, 12, 8, 2, 2, 1)


def plate(rng: random.Random, year: int) -> str:
    """A current-format plate (AB12 CDE) whose age identifier fits the registration year."""
    first = AREA_FIRST[rng.randrange(len(AREA_FIRST))]
    second = PLATE_LETTERS[rng.randrange(len(PLATE_LETTERS))]
    age = year % 100 if rng.random() < 0.5 or year < 2002 else (year % 100) + 50
    if year >= 2001 and age == 1:
        age = 51
    tail = "".join(PLATE_LETTERS[rng.randrange(len(PLATE_LETTERS))] for _ in range(3))
    return f"{first}{second}{age:02d} {tail}"


def old_plate(rng: random.Random) -> str:
    """A prefix-format plate (R123 ABC) for an old car."""
    prefix = "LMNPRSTVWXY"[rng.randrange(11)]
    digits = rng.randrange(1, 1000)
    tail = "".join(PLATE_LETTERS[rng.randrange(len(PLATE_LETTERS))] for _ in range(3))
    return f"{prefix}{digits} {tail}"


class PhoneBook:
    """Hands out unique fictional numbers: 07700 9xxxxx mobiles, 0113 496 0xxx landlines."""

    def __init__(self, rng: random.Random):
        # The 1,000 true Ofcom drama mobiles first, then the wider fictional 07700 9xxxxx.
        drama = list(range(900000, 901000))
        rest = list(range(901000, 1000000))
        rng.shuffle(drama)
        rng.shuffle(rest)
        self._mobiles = drama + rest
        self._landlines = list(range(0, 1000))
        rng.shuffle(self._landlines)
        self._next_mobile = 0
        self._next_landline = 0

    def mobile(self) -> str | None:
        if self._next_mobile >= len(self._mobiles):
            return None
        n = self._mobiles[self._next_mobile]
        self._next_mobile += 1
        return f"07700{n:06d}"

    def landline(self) -> str | None:
        if self._next_landline >= len(self._landlines):
            return None
        n = self._landlines[self._next_landline]
        self._next_landline += 1
        return f"01134960{n:03d}"


def e164(number: str) -> str:
    return "+44" + number[1:]


def nhs_number(rng: random.Random, used: set[str]) -> str:
    """A 999-prefixed NHS test number with a valid modulus-11 check digit."""
    while True:
        body = "999" + f"{rng.randrange(10**6):06d}"
        total = sum(int(d) * (10 - i) for i, d in enumerate(body))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check == 10:
            continue
        value = body + str(check)
        if value not in used:
            used.add(value)
            return value


def upn(la: str, school_no: str, year: int, serial: int) -> str:
    """A Unique Pupil Number: check letter + LA (3) + school (4) + year (2) + serial (3)."""
    body = f"{la}{school_no}{year % 100:02d}{serial % 1000:03d}"
    total = sum(int(d) * (i + 2) for i, d in enumerate(body))
    return UPN_CHECK[total % 23] + body


def pnc_id(year: int, serial: int) -> str:
    """A PNC-style ID: YY/NNNNNNNL (two-digit year of first record, serial, check letter)."""
    number = f"{year % 100:02d}{serial:07d}"
    return f"{year % 100:02d}/{serial:07d}{PNC_CHECK[int(number) % 23]}"


def age_on(dob: date, when: date) -> int:
    return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))
