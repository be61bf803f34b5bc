"""The town of Northvale: neighbourhoods NV1-NV12, streets, postcodes, coordinates and places.

The outward area "NV" is invented; inward codes follow the real format (digit + two
letters from the allowed set), so "NV3 4QT" parses as a UK postcode but is nobody's.
"""

from __future__ import annotations

import math
import random

from joinedup.synth.identifiers import POSTCODE_INWARD_LETTERS
from joinedup.synth.model import Location
from joinedup.synth.names import STREET_STEMS, STREET_SUFFIXES

TOWN = "Northvale"
CENTRE = (54.40, -2.10)  # an arbitrary point; the town exists only here
HOODS = (
    "Northvale Centre",
    "Castle Hill",
    "Millbrook",
    "Eastgate",
    "Ashworth",
    "Fenton",
    "Highfield",
    "Ravensmoor",
    "Brookside",
    "Kingsway",
    "Lowfield",
    "Westcliffe",
)
STREET_PREFIXES = ("", "Upper ", "Lower ", "New ", "Old ", "North ", "South ", "West ")
OUT_OF_AREA = (
    ("Bus station", "Calderwick"),
    ("Railway station", "Thornmere"),
    ("Retail park", "Ashby Moor"),
    ("Services, M-way junction", "Wendlebury Cross"),
    ("Town centre", "Kettlewick"),
    ("Caravan park", "Saltholme Sands"),
)
TAKEAWAYS = (
    "Pizza Corner",
    "Kebab Stop",
    "Fish Bar",
    "Lucky Star",
    "Sizzlers",
    "Grill Time",
    "Spice Hut",
    "Crispy Corner",
    "Burger Shack",
    "Noodle Bar",
    "Peri Grill",
    "Chippy",
)
HOTEL_NAMES = (
    "Central Hotel",
    "Station Lodge",
    "Travel Inn",
    "Moorside Hotel",
    "Castle View Hotel",
    "Budget Inn",
    "Park Hotel",
    "Motorway Lodge",
    "Royal Hotel",
    "Grange Hotel",
)
HOME_NAMES = ("House", "Lodge", "View", "Court", "Cottage")


def hood_postcode_area(hood: int) -> str:
    return f"NV{hood + 1}"


class Town:
    """Allocates addresses and holds every place, each a true Location with an id."""

    def __init__(self, rng: random.Random, children: int):
        self.rng = rng
        self.locations: list[Location] = []
        self.by_type: dict[str, list[Location]] = {}
        self.hood_centres = []
        for i in range(len(HOODS)):
            if i == 0:
                self.hood_centres.append(CENTRE)
                continue
            angle = 2 * math.pi * (i - 1) / (len(HOODS) - 1) + rng.uniform(-0.2, 0.2)
            radius = rng.uniform(0.018, 0.04)
            self.hood_centres.append(
                (CENTRE[0] + radius * math.sin(angle), CENTRE[1] + 1.7 * radius * math.cos(angle))
            )
        self._used_streets: set[str] = set()
        self._used_postcodes: set[str] = set()
        # Per neighbourhood: [street name, postcode, lat, lon, next house number, capacity]
        self._streets: list[list[list]] = [[] for _ in HOODS]
        self._blocks: list[list[list]] = [[] for _ in HOODS]
        self._build_places(children)

    # addresses -------------------------------------------------------------------------
    def _new_street(self, hood: int) -> list:
        rng = self.rng
        while True:
            name = (
                STREET_PREFIXES[min(len(self._used_streets) // 600, len(STREET_PREFIXES) - 1)]
                + rng.choice(STREET_STEMS)
                + " "
                + rng.choice(STREET_SUFFIXES)
            )
            if name not in self._used_streets:
                self._used_streets.add(name)
                break
        lat0, lon0 = self.hood_centres[hood]
        street = [
            name,
            self._new_postcode(hood),
            lat0 + rng.uniform(-0.009, 0.009),
            lon0 + rng.uniform(-0.015, 0.015),
            1,
            rng.randrange(20, 80),
        ]
        self._streets[hood].append(street)
        return street

    def _new_postcode(self, hood: int) -> str:
        rng = self.rng
        letters = POSTCODE_INWARD_LETTERS
        while True:
            code = (
                f"{hood_postcode_area(hood)} {rng.randrange(1, 10)}"
                f"{letters[rng.randrange(len(letters))]}{letters[rng.randrange(len(letters))]}"
            )
            if code not in self._used_postcodes:
                self._used_postcodes.add(code)
                return code

    def address(self, hood: int) -> tuple[str, str, float, float]:
        """A new house on a street in the neighbourhood: (address, postcode, lat, lon)."""
        rng = self.rng
        streets = self._streets[hood]
        if not streets or rng.random() < 0.15 or streets[-1][4] > streets[-1][5]:
            street = (
                self._new_street(hood)
                if (not streets or streets[-1][4] > streets[-1][5])
                else rng.choice(streets)
            )
        else:
            street = streets[-1]
        number = street[4]
        street[4] += 1
        if number % 30 == 0:  # long streets get a second postcode unit
            street[1] = self._new_postcode(hood)
        return (
            f"{number} {street[0]}",
            street[1],
            round(street[2] + rng.uniform(-0.0008, 0.0008), 6),
            round(street[3] + rng.uniform(-0.0012, 0.0012), 6),
        )

    def flat(self, hood: int) -> tuple[str, str, float, float]:
        """A flat in a block ("Flat 4, Mill Court, 12 Church Street")."""
        rng = self.rng
        blocks = self._blocks[hood]
        if not blocks or blocks[-1][4] > blocks[-1][5]:
            addr, postcode, lat, lon = self.address(hood)
            kind = rng.choice(("Court", "House", "Heights", "Towers", "Mews"))
            block_name = f"{rng.choice(STREET_STEMS)} {kind}"
            blocks.append([f"{block_name}, {addr}", postcode, lat, lon, 1, rng.randrange(8, 40)])
        block = blocks[-1]
        n = block[4]
        block[4] += 1
        return f"Flat {n}, {block[0]}", block[1], block[2], block[3]

    # places ----------------------------------------------------------------------------
    def add(
        self, type_: str, name: str, hood: int, flat: bool = False, where: tuple | None = None
    ) -> Location:
        if where is None:
            where = self.flat(hood) if flat else self.address(hood)
        address, postcode, lat, lon = where
        loc = Location(
            lid=f"L{len(self.locations) + 1:07d}",
            name=name,
            type=type_,
            address=address,
            postcode=postcode,
            lat=lat,
            lon=lon,
            hood=hood,
        )
        self.locations.append(loc)
        self.by_type.setdefault(type_, []).append(loc)
        return loc

    def home(self, hood: int, flat: bool = False) -> Location:
        return self.add("flat" if flat else "home", "", hood, flat=flat)

    def _build_places(self, children: int) -> None:
        rng = self.rng
        n = len(HOODS)
        scale = max(1.0, children / 300)
        self.add("hospital", f"{TOWN} General Hospital (A&E)", 0)
        self.add("clinic", f"{TOWN} Sexual Health Clinic", 0)
        self.add("clinic", "Castle Hill Walk-in Centre", 1)
        self.add("police_station", f"{TOWN} Police Station", 0)
        self.add("station", f"{TOWN} Bus Station", 0)
        self.add("station", f"{TOWN} Railway Station", 0)
        self.add("shopping_centre", "Vale Shopping Centre", 0)
        self.busy_takeaway = self.add("takeaway", "Golden Chicken", 0)
        for i in range(n):
            hood = HOODS[i]
            self.add("park", f"{hood} Park" if i else "Memorial Park", i)
            for _ in range(1 + int(scale >= 3) + rng.randrange(2)):
                self.add("takeaway", f"{rng.choice(TAKEAWAYS)} {hood}", i)
            if i % 4 == 1:
                self.add("station", f"{hood} Interchange", i)
        n_schools = max(3, math.ceil(children / 700))
        for k in range(n_schools):
            hood = k % n
            kind = ("Academy", "High School", "Community College", "RC High School")[k % 4]
            prefix = (
                HOODS[hood]
                if k < n
                else f"{HOODS[hood]} {('North', 'South', 'East', 'West')[(k // n) % 4]}"
            )
            self.add("school", f"{prefix} {kind}", hood)
        for k in range(max(1, math.ceil(children / 2500))):
            self.add("special_school", f"{HOODS[(k * 5 + 6) % n]} Special School", (k * 5 + 6) % n)
        for k in range(max(2, math.ceil(children / 600))):
            self.add(
                "youth_club",
                f"{HOODS[(k * 3 + 2) % n]} Youth Centre {k // n + 1}".replace(" 1", ""),
                (k * 3 + 2) % n,
            )
        for k in range(max(3, math.ceil(children / 500))):
            hood = (k * 7) % n
            name = f"{HOTEL_NAMES[k % len(HOTEL_NAMES)]} {HOODS[hood]}"
            self.add("hotel", name, hood)
        # ANPR cameras on main roads, near the centre, hotels and the busy takeaway.
        targets = [(i, f"{HOODS[i]} main road") for i in range(n)]
        targets += [(0, "Town centre ring road"), (0, "Station approach")]
        targets += [(h.hood, f"Junction by {h.name}") for h in self.by_type["hotel"]]
        targets += [(0, "High Street by Golden Chicken")]
        for k in range(max(0, math.ceil(children / 150) - len(targets))):
            targets.append((k % n, f"{HOODS[k % n]} link road {k // n + 1}"))
        for hood, label in targets:
            self.add("anpr_camera", label, hood)
        for label, town in OUT_OF_AREA:
            loc = Location(
                lid=f"L{len(self.locations) + 1:07d}",
                name=f"{label}, {town}",
                type="out_of_area",
                address=f"{label}, {town}",
                postcode="",
                lat=round(CENTRE[0] + rng.uniform(-0.6, 0.6), 6),
                lon=round(CENTRE[1] + rng.uniform(-0.9, 0.9), 6),
                hood=-1,
            )
            self.locations.append(loc)
            self.by_type.setdefault("out_of_area", []).append(loc)

    def childrens_home(self, index: int, hood: int) -> Location:
        stem = STREET_STEMS[(index * 7 + 3) % len(STREET_STEMS)]
        suffix = HOME_NAMES[index % len(HOME_NAMES)]
        extra = f" {index // len(STREET_STEMS) + 1}" if index >= len(STREET_STEMS) else ""
        return self.add("childrens_home", f"{stem}{extra} {suffix}", hood)

    def near(self, hood: int, type_: str) -> Location:
        """A place of a type in (or else near) a neighbourhood."""
        places = self.by_type[type_]
        local = [p for p in places if p.hood == hood]
        return self.rng.choice(local or places)

    def neighbours(self, hood: int) -> tuple[int, ...]:
        n = len(HOODS)
        if hood == 0:
            return tuple(range(1, n))
        return (0, 1 + (hood - 2) % (n - 1), 1 + hood % (n - 1))
