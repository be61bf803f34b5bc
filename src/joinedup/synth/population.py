"""The people of Northvale: families with children aged 10-17, other adults, and their vehicles.

Vulnerabilities follow the documented risk factors (in care, going missing, learning
disability, substance use, mental health, previous abuse) with proportions close to
published national rates; being in care is enriched (see docs/synth.md) so that even a
small city has children's homes.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from joinedup.synth.identifiers import (
    COLOUR_WEIGHTS,
    COLOURS,
    MAKE_WEIGHTS,
    MAKES,
    TAXI_MAKES,
    PhoneBook,
    nhs_number,
    old_plate,
    plate,
    upn,
)
from joinedup.synth.model import Location, Person, Phone, Vehicle
from joinedup.synth.names import ORIGINS, NameBook, familiar
from joinedup.synth.protected import Protected
from joinedup.synth.rng import Picker
from joinedup.synth.town import HOODS, Town

VULNERABILITIES = (
    "in_care",
    "missing",
    "learning_disability",
    "substance_use",
    "mental_health",
    "previous_abuse",
)
# Where households of each origin tend to live (neighbourhood weights): clustered, as
# real towns are, so that shared local places bring people of every origin together.
_HOOD_BIAS = {
    "english": (1, 2, 1, 2, 3, 1, 3, 2, 3, 2, 3, 3),
    "south_asian": (2, 1, 4, 1, 1, 4, 1, 1, 1, 3, 1, 1),
    "eastern_european": (2, 1, 1, 4, 1, 1, 1, 3, 1, 1, 2, 1),
    "african": (3, 1, 1, 2, 1, 2, 1, 1, 1, 3, 1, 1),
    "caribbean": (3, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1),
    "middle_eastern": (3, 1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1),
}


class World:
    """Every true entity of the city, built in a fixed order from seeded streams."""

    def __init__(self, seed: int, children: int, start: date, months: int):
        from joinedup.synth.rng import stream

        self.seed = seed
        self.start = start
        self.months = months
        self.end = _add_months(start, months) - timedelta(days=1)
        self.rng = stream(seed, "population")
        self.town = Town(stream(seed, "town"), children)
        self.names = NameBook()
        self.protected = Protected()
        self.phonebook = PhoneBook(stream(seed, "phones"))
        self.nhs_rng = stream(seed, "nhs")
        self.persons: list[Person] = []
        self.children: list[Person] = []
        self.adults: list[Person] = []
        self.vehicles: list[Vehicle] = []
        self.phones: list[Phone] = []
        self.groups: list = []
        self.by_role: dict[str, list[Person]] = {}
        self._plates: set[str] = set()
        self._nhs: set[str] = set()
        self._hood_pickers = {o: Picker(list(range(len(HOODS))), _HOOD_BIAS[o]) for o in ORIGINS}
        self.n_households = 0
        self._build_families(children)
        self._build_care()
        self._build_adults(children)
        self._build_social_ties()
        self.households: dict[int, list[Person]] = {}
        for p in self.persons:
            if p.household >= 0:
                self.households.setdefault(p.household, []).append(p)

    # people ----------------------------------------------------------------------------
    def person(
        self,
        *,
        origin: str,
        sex: str,
        dob: date,
        kind: str,
        role: str,
        home: Location,
        surname: str | None = None,
        household: int = -1,
    ) -> Person:
        rng = self.rng
        forename = self.names.forename(rng, origin, sex, dob.year)
        p = Person(
            pid=f"P{len(self.persons) + 1:07d}",
            forename=forename,
            middle=self.names.middle(rng, origin, sex, dob.year, forename),
            surname=surname or self.names.surname(rng, origin),
            sex=sex,
            dob=dob,
            origin=origin,
            ethnicity=self.protected.ethnicity(rng, origin),
            nationality=self.protected.nationality(rng, origin, kind),
            kind=kind,
            role=role,
            home=home,
            household=household,
        )
        p.nickname = familiar(forename, rng) or ""
        self.persons.append(p)
        (self.children if kind == "child" else self.adults).append(p)
        self.by_role.setdefault(role, []).append(p)
        return p

    def set_role(self, p: Person, role: str) -> None:
        self.by_role[p.role].remove(p)
        p.role = role
        self.by_role.setdefault(role, []).append(p)

    def _dob(self, age_lo: int, age_hi: int) -> date:
        """A birth date giving an age in [age_lo, age_hi] on the window's first day."""
        rng = self.rng
        latest = _add_years(self.start, -age_lo)
        earliest = _add_years(self.start, -(age_hi + 1)) + timedelta(days=1)
        return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))

    def _build_families(self, target: int) -> None:
        rng = self.rng
        made = 0
        while made < target:
            origin = self.names.origins.pick(rng)
            hood = self._hood_pickers[origin].pick(rng)
            home = self.town.home(hood, flat=rng.random() < 0.2)
            hh = self.n_households
            self.n_households += 1
            surname = self.names.surname(rng, origin)
            n_kids = min(
                target - made, 1 if rng.random() < 0.55 else (2 if rng.random() < 0.78 else 3)
            )
            eldest = self._dob(10, 17)
            parents: list[Person] = []
            mother_age = 22 + rng.randrange(19)
            mother = self.person(
                origin=origin,
                sex="F",
                dob=_add_years(eldest, -mother_age) - timedelta(days=rng.randrange(365)),
                kind="adult",
                role="parent",
                home=home,
                household=hh,
                surname=surname if rng.random() < 0.85 else None,
            )
            parents.append(mother)
            if rng.random() < 0.7:
                parents.append(
                    self.person(
                        origin=origin if rng.random() < 0.93 else self.names.origins.pick(rng),
                        sex="M",
                        dob=_add_years(mother.dob, -rng.randrange(-2, 8)),
                        kind="adult",
                        role="parent",
                        home=home,
                        household=hh,
                        surname=surname,
                    )
                )
            kids: list[Person] = []
            dob = eldest
            for k in range(n_kids):
                if k and not (rng.random() < 0.03 and kids):  # about 3% of siblings are twins
                    dob = dob + timedelta(days=rng.randrange(300, 1200))
                    if dob > _add_years(self.start, -10):
                        break
                kid = self.person(
                    origin=origin,
                    sex="F" if rng.random() < 0.5 else "M",
                    dob=dob,
                    kind="child",
                    role="child_other",
                    home=home,
                    household=hh,
                    surname=surname,
                )
                kid.relatives.extend(parents)
                kid.carers.extend(parents)
                kids.append(kid)
            made += len(kids)
            if rng.random() < 0.5:  # relatives elsewhere in town who share the surname
                for _ in range(1 + (rng.random() < 0.4)):
                    rel_hood = hood if rng.random() < 0.6 else rng.randrange(len(HOODS))
                    rel = self.person(
                        origin=origin,
                        sex="M" if rng.random() < 0.55 else "F",
                        dob=self._dob(18, 75),
                        kind="adult",
                        role="relative",
                        home=self.town.home(rel_hood, flat=rng.random() < 0.3),
                        surname=surname,
                    )
                    for kid in kids:
                        kid.relatives.append(rel)
            for kid in kids:
                self._vulnerabilities(kid)

    def _vulnerabilities(self, kid: Person) -> None:
        rng = self.rng
        age = self.start.year - kid.dob.year
        vul: list[str] = []
        # National rates for 10-17s (approx.): looked after ~1.1% (enriched here to 3%),
        # learning disability ~3-4%, probable mental disorder ~1 in 6, regular substance
        # use ~5% (rising with age), previous abuse/CP history ~5%, going missing ~2%.
        in_care = rng.random() < 0.03
        if in_care:
            vul.append("in_care")
        if rng.random() < (0.45 if in_care else 0.02):
            vul.append("missing")
        if rng.random() < (0.08 if in_care else 0.035):
            vul.append("learning_disability")
        if rng.random() < (0.15 if in_care else 0.02 + 0.01 * max(0, age - 12)):
            vul.append("substance_use")
        if rng.random() < (0.4 if in_care else 0.15):
            vul.append("mental_health")
        if rng.random() < (0.6 if in_care else 0.04):
            vul.append("previous_abuse")
        kid.vulnerabilities = tuple(v for v in VULNERABILITIES if v in vul)
        kid.in_care = in_care

    def _build_care(self) -> None:
        """Children in care move to a children's home (with staff) or a foster home."""
        rng = self.rng
        town = self.town
        in_care = [c for c in self.children if c.in_care]
        homes: list[list] = []  # [location, staff, residents]
        for kid in in_care:
            if rng.random() < 0.55:
                if not homes or len(homes[-1][2]) >= rng.randrange(3, 6):
                    hood = rng.randrange(len(HOODS))
                    loc = town.childrens_home(len(homes), hood)
                    loc.phone = self._landline(loc)
                    staff = [
                        self.person(
                            origin=self.names.origins.pick(rng),
                            sex="F" if rng.random() < 0.7 else "M",
                            dob=self._dob(21, 60),
                            kind="adult",
                            role="carer_staff",
                            home=town.home(rng.randrange(len(HOODS))),
                        )
                        for _ in range(3 + rng.randrange(4))
                    ]
                    for s in staff:
                        s.workplace = loc
                    homes.append([loc, staff, []])
                loc, staff, residents = homes[-1]
                kid.placement = "residential"
                kid.home = loc
                kid.carers = list(staff)
                residents.append(kid)
                # Residential placements include the hardest-to-place: many go missing often.
                kid.frequent_missing = rng.random() < 0.45
                if kid.frequent_missing and "missing" not in kid.vulnerabilities:
                    kid.vulnerabilities = tuple(
                        v for v in VULNERABILITIES if v in (*kid.vulnerabilities, "missing")
                    )
            else:
                hood = rng.randrange(len(HOODS))
                home = town.home(hood)
                origin = self.names.origins.pick(rng)
                carers = [
                    self.person(
                        origin=origin,
                        sex="F",
                        dob=self._dob(30, 65),
                        kind="adult",
                        role="foster_carer",
                        home=home,
                    )
                ]
                if rng.random() < 0.6:
                    carers.append(
                        self.person(
                            origin=origin,
                            sex="M",
                            dob=self._dob(30, 65),
                            kind="adult",
                            role="foster_carer",
                            home=home,
                            surname=carers[0].surname,
                        )
                    )
                kid.placement = "foster"
                kid.home = home
                kid.carers = carers
                kid.frequent_missing = rng.random() < 0.1
        self.childrens_homes = homes

    def _build_adults(self, children: int) -> None:
        rng = self.rng
        town = self.town

        def adult(
            role: str, sex: str | None = None, age: tuple[int, int] = (18, 80), **kw
        ) -> Person:
            origin = self.names.origins.pick(rng)
            hood = self._hood_pickers[origin].pick(rng)
            return self.person(
                origin=origin,
                sex=sex or ("M" if rng.random() < 0.5 else "F"),
                dob=self._dob(*age),
                kind="adult",
                role=role,
                home=kw.get("home") or town.home(hood, flat=rng.random() < 0.3),
            )

        # Bystanders: the town's other adults, who drive, shop, stay in hotels, get stopped.
        for _ in range(int(children * 1.3)):
            adult("bystander")
        # Visitors from out of town (hotel guests, passing cars).
        for _ in range(int(children * 0.25)):
            origin = self.names.origins.pick(rng)
            place = rng.choice(town.by_type["out_of_area"])
            num = rng.randrange(1, 200)
            home = Location(
                lid=f"L{len(town.locations) + 1:07d}",
                name="",
                type="home",
                address=f"{num} {rng.choice(('Oak', 'Station', 'Park', 'Mill', 'Church'))} "
                f"{rng.choice(('Road', 'Street', 'Avenue'))}, {place.name.split(', ')[-1]}",
                postcode="",
                lat=place.lat,
                lon=place.lon,
                hood=-1,
            )
            town.locations.append(home)
            town.by_type.setdefault("home", []).append(home)
            self.person(
                origin=origin,
                sex="M" if rng.random() < 0.55 else "F",
                dob=self._dob(20, 75),
                kind="adult",
                role="visitor",
                home=home,
            )
        schools = town.by_type["school"] + town.by_type["special_school"]
        for school in schools:
            for k in range(3):
                t = adult("teacher", age=(24, 62))
                t.workplace = school
                if k == 0:
                    t.collar = "DSL"  # designated safeguarding lead
        for club in town.by_type["youth_club"]:
            for _ in range(2):
                y = adult("youth_worker", age=(20, 55))
                y.workplace = club
        for k in range(max(8, children // 40)):
            o = adult("officer", sex="M" if rng.random() < 0.65 else "F", age=(21, 55))
            o.workplace = town.by_type["police_station"][0]
            o.collar = f"{1000 + k * 37 % 9000}"
        for _ in range(max(12, children // 20)):
            adult(
                "taxi_driver", sex="M" if rng.random() < 0.93 else "F", age=(23, 68)
            ).is_taxi_driver = True
        for _ in range(max(4, children // 60)):
            d = adult(
                "school_contract_driver", sex="M" if rng.random() < 0.85 else "F", age=(28, 68)
            )
            d.is_taxi_driver = True
            d.school_contract = True
        for _ in range(max(2, children // 150)):
            adult("sexual_health_nurse", sex="F", age=(25, 60))
        # Vehicles: keepers among adults; taxis for all drivers.
        for p in self.adults:
            if p.is_taxi_driver:
                self.vehicle(p, taxi=True)
            elif rng.random() < (0.8 if p.role == "visitor" else 0.55):
                self.vehicle(p)
        # Schools and pupils.
        la = "889"
        school_no = {s.lid: f"{4000 + i * 17:04d}" for i, s in enumerate(schools)}
        specials = town.by_type["special_school"]
        serial = 0
        for kid in self.children:
            age = self.start.year - kid.dob.year
            if age <= 10:
                continue
            if "learning_disability" in kid.vulnerabilities and rng.random() < 0.5:
                kid.school = rng.choice(specials)
            else:
                hood = kid.home.hood if kid.home.hood >= 0 else 0
                local = [s for s in town.by_type["school"] if s.hood == hood]
                kid.school = (
                    rng.choice(local)
                    if local and rng.random() < 0.7
                    else rng.choice(town.by_type["school"])
                )
            kid.year_group = min(13, max(7, age - 4))
            serial += 1
            kid.upn = upn(la, school_no[kid.school.lid], kid.dob.year + 4, serial)
        # School-contract drivers carry several children to the special schools each day.
        pupils = [c for c in self.children if c.school and c.school.type == "special_school"]
        drivers = self.by_role["school_contract_driver"]
        self.school_runs: dict[str, list[Person]] = {d.pid: [] for d in drivers}
        for i, kid in enumerate(pupils):
            self.school_runs[drivers[i % len(drivers)].pid].append(kid)
        extra = [
            c
            for c in self.children
            if c.school
            and "learning_disability" in c.vulnerabilities
            and c.school.type != "special_school"
        ]
        for i, kid in enumerate(extra):
            self.school_runs[drivers[(i + len(pupils)) % len(drivers)].pid].append(kid)
        self.school_run_driver: dict[str, Person] = {
            kid.pid: d for d in drivers for kid in self.school_runs[d.pid]
        }

    def _build_social_ties(self) -> None:
        rng = self.rng
        by_school: dict[str, list[Person]] = {}
        for kid in self.children:
            key = kid.school.lid if kid.school else f"hood{kid.home.hood}"
            by_school.setdefault(key, []).append(kid)
        for kid in self.children:
            mates = by_school[kid.school.lid if kid.school else f"hood{kid.home.hood}"]
            for _ in range(2 + rng.randrange(4)):
                f = mates[rng.randrange(len(mates))]
                if f is not kid and f not in kid.friends:
                    kid.friends.append(f)
        # Older boyfriends (18-20), a real and innocent pattern among 15-17s, and a
        # confounder for any rule that reads "adult found with a missing girl".
        for kid in self.children:
            age = self.start.year - kid.dob.year
            if kid.sex == "F" and age >= 15 and rng.random() < 0.06:
                origin = kid.origin if rng.random() < 0.7 else self.names.origins.pick(rng)
                hood = kid.home.hood if kid.home.hood >= 0 else 0
                bf = self.person(
                    origin=origin,
                    sex="M",
                    dob=self._dob(18, 20),
                    kind="adult",
                    role="boyfriend",
                    home=self.town.home(hood if rng.random() < 0.6 else rng.randrange(len(HOODS))),
                )
                if rng.random() < 0.5:
                    self.vehicle(bf)
                kid.boyfriend = bf

    # objects ---------------------------------------------------------------------------
    def vehicle(self, keeper: Person | None, taxi: bool = False, bias: str = "") -> Vehicle:
        rng = self.rng
        year = self.start.year - min(20, int(rng.expovariate(1 / 6)))
        while True:
            vrm = old_plate(rng) if year < 2001 else plate(rng, year)
            if vrm not in self._plates:
                self._plates.add(vrm)
                break
        if taxi:
            make, models = TAXI_MAKES[rng.randrange(len(TAXI_MAKES))]
        elif bias == "prestige" and rng.random() < 0.6:
            make, models = MAKES[rng.choice((4, 5, 6))]
        else:
            make, models = MAKES[_pick_index(rng, MAKE_WEIGHTS)]
        v = Vehicle(
            vid=f"V{len(self.vehicles) + 1:07d}",
            vrm=vrm,
            make=make,
            model=models[rng.randrange(len(models))],
            colour=COLOURS[_pick_index(rng, COLOUR_WEIGHTS)]
            if not taxi or rng.random() < 0.5
            else "Silver",
            keeper=keeper,
            is_taxi=taxi,
            school_contract=bool(taxi and keeper and keeper.school_contract),
        )
        self.vehicles.append(v)
        if keeper is not None:
            keeper.vehicles.append(v)
        return v

    def nhs(self, p: Person) -> str:
        """The person's NHS number, issued the first time a health record needs it."""
        if not p.nhs:
            p.nhs = nhs_number(self.nhs_rng, self._nhs)
        return p.nhs

    def phone(self, p: Person, extra: bool = False) -> Phone | None:
        """The person's (first) mobile, assigned on first use; `extra` adds another one."""
        if p.phones and not extra:
            return p.phones[0]
        number = self.phonebook.mobile()
        if number is None:
            return p.phones[0] if p.phones else None
        ph = Phone(phid=f"T{len(self.phones) + 1:07d}", number=number, owner=p)
        self.phones.append(ph)
        p.phones.append(ph)
        return ph

    def _landline(self, loc: Location) -> Phone | None:
        number = self.phonebook.landline()
        if number is None:
            return None
        ph = Phone(phid=f"T{len(self.phones) + 1:07d}", number=number, owner=None)
        self.phones.append(ph)
        return ph


def _pick_index(rng: random.Random, weights: tuple[int, ...]) -> int:
    r = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        r -= w
        if r < 0:
            return i
    return len(weights) - 1


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1) if d.day == 1 else d.replace(year=d.year + y, month=m + 1)
