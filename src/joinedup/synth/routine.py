"""Everyday records of an ordinary town: incidents, stops, referrals, attendances, school
concerns, ANPR reads, hotel stays and taxi licences, generated month by month.

Rates are per person (or vehicle) per month, so volume grows linearly with
children x months.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import numpy as np

from joinedup.synth.events import (
    AnprRead,
    Attendance,
    CareEntry,
    EduConcern,
    Happening,
    HotelStay,
    Incident,
    Licence,
    Note,
    Stop,
)
from joinedup.synth.model import Person
from joinedup.synth.population import World
from joinedup.synth.rng import Picker

# Per month, per child (incidents, stops and hotel stays are counted per child of the city).
RATES = {
    "incident": 0.16,
    "stop": 0.08,
    "hotel": 0.1,
    "anpr_private": 0.3,
    "anpr_visitor": 0.15,
    "anpr_taxi": 3.0,
    "health_child": 0.05,
    "health_adult": 0.015,
    "edu": 0.06,
}
INCIDENT_CODES = Picker(
    ["ASB", "THEFT", "ASSAULT", "DOM", "DAMAGE", "RTC", "CONC", "DRUGS", "PUBORD", "INTEL"],
    [20, 15, 10, 12, 8, 8, 10, 6, 5, 6],
)
EDU_TEXT = {
    "ATT": ("Persistent absence this half term. ", "Late most mornings. ", "Unauthorised absence, parent not answering. "),
    "BEH": ("Fight in the playground. ", "Defiant in lessons, sent out. ", "Vaping in toilets. "),
    "SG": ("Disclosed arguments at home. ", "Bruise on arm, says from football. ", "Says she is not eating at home. "),
    "WEL": ("Seems withdrawn and tired. ", "Upset about friendship fallout. ", "Worried about exams. "),
}  # fmt: skip


def _at(day: date, lo: int, hi: int, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randrange(lo, hi), rng.randrange(60))


class Routine:
    def __init__(self, world: World, rng: random.Random, np_rng: np.random.Generator):
        self.world = world
        self.rng = rng
        self.np = np_rng
        town = world.town
        self.n_children = len(world.children)
        self.adults = world.adults
        self.kids = world.children
        self.schooled = [k for k in world.children if k.school]
        self.cams = town.by_type["anpr_camera"]
        self.cams_by_hood: dict[int, list] = {}
        for c in self.cams:
            self.cams_by_hood.setdefault(c.hood, []).append(c)
        self.centre_cams = self.cams_by_hood.get(0, self.cams)
        vehicles = world.vehicles
        self.vehicles = vehicles
        lam = np.empty(len(vehicles))
        for i, v in enumerate(vehicles):
            if v.school_contract:
                lam[i] = 0.0  # school runs are counted in confounders
            elif v.is_taxi:
                lam[i] = RATES["anpr_taxi"]
            elif v.keeper is not None and v.keeper.role == "visitor":
                lam[i] = RATES["anpr_visitor"]
            else:
                lam[i] = RATES["anpr_private"]
        self.anpr_lam = lam
        self.public_places = (
            town.by_type["park"] + town.by_type["takeaway"] + town.by_type["station"]
            + town.by_type["shopping_centre"] + [town.busy_takeaway] * 6
        )  # fmt: skip
        self.teachers: dict[str, list[Person]] = {}
        for t in world.by_role.get("teacher", []):
            self.teachers.setdefault(t.workplace.lid, []).append(t)
        self.drivers = [p for p in world.adults if p.is_taxi_driver]
        self.licence_month = {p.pid: rng.randrange(12) for p in self.drivers}
        self.licence_no = {p.pid: f"{rng.randrange(1000, 9999)}" for p in self.drivers}
        self._guest_pool = world.by_role.get("visitor", []) or world.adults
        self._offenders = [m for g in world.groups for m in g.members]

    def month(self, index: int, first: date, days: int) -> list[Happening]:
        out: list[Happening] = []
        n = self.n_children
        pois = self.np.poisson
        for _ in range(int(pois(RATES["incident"] * n))):
            out.append(self._incident(first, days))
        for _ in range(int(pois(RATES["stop"] * n))):
            s = self._stop(first, days)
            if s:
                out.append(s)
        for _ in range(int(pois(RATES["hotel"] * n))):
            out.append(self._hotel(first, days))
        self._anpr(first, days, out)
        self._care(first, days, out)
        self._health(first, days, out)
        self._edu(first, days, out)
        self._licences(index, first, days, out)
        return out

    def _day(self, first: date, days: int) -> date:
        return first + timedelta(days=self.rng.randrange(days))

    # police ----------------------------------------------------------------------------
    def _incident(self, first: date, days: int) -> Incident:
        rng = self.rng
        world = self.world
        code = INCIDENT_CODES.pick(rng)
        when = _at(self._day(first, days), 0, 24, rng)
        adults, kids = self.adults, self.kids
        persons: list[tuple[Person, str]] = []
        vehicles = []
        place = rng.choice(self.public_places)
        notes: list[Note] = []
        grading = ""
        if code in ("ASB", "PUBORD"):
            for _ in range(1 + rng.randrange(3)):
                persons.append((rng.choice(kids), rng.choice(("S", "INV", "INV"))))
            persons.append((rng.choice(adults), "RP"))
            if rng.random() < 0.3:
                persons.append((rng.choice(adults), "W"))
            if code == "PUBORD":
                place = world.town.busy_takeaway
        elif code in ("THEFT", "DAMAGE"):
            persons.append((rng.choice(adults), "V"))
            persons.append((rng.choice(kids if rng.random() < 0.4 else adults), "S"))
            place = rng.choice((place, world.town.by_type["shopping_centre"][0]))
        elif code == "ASSAULT":
            persons.append((rng.choice(kids if rng.random() < 0.3 else adults), "V"))
            persons.append((rng.choice(adults), "S"))
            for _ in range(rng.randrange(3)):
                persons.append((rng.choice(kids if rng.random() < 0.3 else adults), "W"))
        elif code == "DOM":
            victim = rng.choice(world.by_role.get("parent", adults))
            home = world.households.get(victim.household, [])
            partners = [p for p in home if p.kind == "adult" and p is not victim]
            persons.append((victim, "V"))
            persons.append((partners[0] if partners else rng.choice(adults), "S"))
            persons += [(k, "INV") for k in home if k.kind == "child" and rng.random() < 0.3]
            place = victim.home
        elif code == "RTC":
            v1, v2 = rng.choice(self.vehicles), rng.choice(self.vehicles)
            vehicles = [v1, v2]
            for v in vehicles:
                if v.keeper:
                    persons.append((v.keeper, "INV"))
            place = rng.choice(self.cams)
        elif code == "CONC":
            kid = rng.choice(kids)
            persons.append((kid, "SUBJ"))
            persons.append((rng.choice(kid.carers or adults), "RP"))
            if rng.random() < 0.3:  # an adult with the child, for innocent reasons
                other = rng.choice(kid.relatives + self.drivers[:3] + world.by_role.get("youth_worker", []) or adults)
                persons.append((other, "INV"))
            place = rng.choice((kid.home, place))
        elif code == "DRUGS":
            for _ in range(1 + rng.randrange(2)):
                persons.append((rng.choice(adults), "S"))
            if rng.random() < 0.3:
                persons.append((rng.choice(kids), "INV"))
        elif code == "INTEL":
            subject = rng.choice(adults)
            persons.append((subject, "S"))
            notes = [
                Note(text=rng.choice(("Information received that ", "Source reports that "))),
                Note(text=f"'{subject.nickname or subject.forename}'", kind="nickname", entity=subject),
                Note(text=rng.choice((" is dealing cannabis from ", " is storing stolen goods at ", " is driving while disqualified near "))),
                Note(text=(place.name or place.address) + ". "),
            ]  # fmt: skip
            grading = f"{rng.choice('12233')}/{rng.choice('ABCCD')}/{rng.choice('PPPC')}"
        if rng.random() < 0.5:
            persons.append((rng.choice(world.by_role["officer"]), "OIC"))
        if not notes:
            notes = [Note(text=_narrative(code, rng))]
        return Incident(when=when, code=code, location=place, persons=persons, vehicles=vehicles, notes=notes, grading=grading)

    def _stop(self, first: date, days: int) -> Stop | None:
        rng = self.rng
        v = self.vehicles[rng.randrange(len(self.vehicles))]
        if v.keeper is None:
            return None
        when = _at(self._day(first, days), 6, 24, rng)
        driver = v.keeper
        occupants: list[Person] = []
        if v.is_taxi and not v.school_contract:
            pool = self.kids if rng.random() < 0.2 else self.adults
            occupants = [rng.choice(pool) for _ in range(rng.randrange(1, 4))]
        elif driver.role == "parent" and rng.random() < 0.5:
            home = self.world.households.get(driver.household, [])
            occupants = [k for k in home if k.kind == "child"][:4]
        elif rng.random() < 0.4:
            occupants = [rng.choice(self.adults) for _ in range(rng.randrange(1, 3))]
        if rng.random() < 0.05:  # a young driver with his mates, or an adult giving a child a lift home
            occupants.append(rng.choice(self.kids))
        return Stop(
            when=when, vehicle=v, driver=driver, occupants=occupants[:5],
            location=rng.choice(self.cams), reason=rng.choice(("MOT", "DRV", "SPD", "SUSP", "INS")),
            outcome=rng.choice(("NFA", "NFA", "WARN", "TOR", "FPN")),
        )  # fmt: skip

    # other agencies --------------------------------------------------------------------
    def _hotel(self, first: date, days: int) -> HotelStay:
        rng = self.rng
        world = self.world
        r = rng.random()
        if r < 0.6:
            guest = rng.choice(self._guest_pool)
        elif r < 0.97:
            guest = rng.choice(self.adults)
        else:  # offenders also stay in hotels for ordinary reasons
            offenders = self._offenders or self.adults
            guest = rng.choice(offenders)
        when = _at(self._day(first, days), 12, 23, rng)
        notes: list[Note] = []
        if rng.random() < 0.12:
            notes = [Note(text=rng.choice((
                "Family room, 2 children. ", "Late check-out requested. ", "Contractor, invoice to company. ",
                "Guest had visitors in the bar. ", "Complaint about noise from next room. ", "Paid cash. ",
                "Wedding party. ", "Guest with teenage daughter, sports tournament. ",
            )))]  # fmt: skip
        return HotelStay(
            when=when, hotel=rng.choice(world.town.by_type["hotel"]), guest=guest,
            phone=world.phone(guest) if rng.random() < 0.7 else None,
            vehicle=guest.vehicles[0] if guest.vehicles and rng.random() < 0.5 else None,
            nights=1 + int(rng.expovariate(0.8)), guests=1 + rng.randrange(3), notes=notes,
        )  # fmt: skip

    def _anpr(self, first: date, days: int, out: list[Happening]) -> None:
        rng = self.rng
        counts = self.np.poisson(self.anpr_lam)
        cams, by_hood, centre = self.cams, self.cams_by_hood, self.centre_cams
        vehicles = self.vehicles
        for i in np.flatnonzero(counts):
            v = vehicles[int(i)]
            hood = v.keeper.home.hood if v.keeper else 0
            local = by_hood.get(hood, cams)
            for _ in range(int(counts[i])):
                r = rng.random()
                cam = local[rng.randrange(len(local))] if r < 0.6 else (centre[rng.randrange(len(centre))] if r < 0.85 else cams[rng.randrange(len(cams))])
                day = first + timedelta(days=rng.randrange(days))
                out.append(AnprRead(when=datetime(day.year, day.month, day.day, rng.randrange(6, 24) if not v.is_taxi else rng.randrange(24), rng.randrange(60), rng.randrange(60)), vehicle=v, camera=cam))

    def _care(self, first: date, days: int, out: list[Happening]) -> None:
        rng = self.rng
        for kid in self.kids:
            if kid.in_care:
                rate = 0.3
            elif "previous_abuse" in kid.vulnerabilities or "mental_health" in kid.vulnerabilities or "substance_use" in kid.vulnerabilities:
                rate = 0.05
            else:
                rate = 0.008
            if rng.random() >= rate:
                continue
            work = rng.choice(("LACR", "LACR", "SD", "ASMT")) if kid.in_care else rng.choice(("REF", "REF", "ASMT"))
            concerns = tuple(sorted({"MH" if "mental_health" in kid.vulnerabilities else "", "SUB" if "substance_use" in kid.vulnerabilities else "", rng.choice(("DV", "NEG", "PAR", "BEH", "DV"))} - {""}))
            adult, rel = None, ""
            r = rng.random()
            if r < 0.4 and kid.relatives:
                adult, rel = rng.choice(kid.relatives), rng.choice(("MOT", "FAT", "REL"))
                if adult.role == "parent":
                    rel = "MOT" if adult.sex == "F" else "FAT"
                else:
                    rel = "REL"
            elif r < 0.55 and kid.carers and kid.in_care:
                adult, rel = rng.choice(kid.carers), "CAR"
            elif r < 0.6 and kid.boyfriend is not None:
                adult, rel = kid.boyfriend, "BF"
            out.append(
                CareEntry(when=_at(self._day(first, days), 9, 17, rng), child=kid, work_type=work,
                          source=rng.choice(("POL", "SCH", "HLT", "FAM", "LA", "ANON")), concerns=concerns,
                          adult=adult, adult_rel=rel)
            )  # fmt: skip

    def _health(self, first: date, days: int, out: list[Happening]) -> None:
        rng = self.rng
        town = self.world.town
        ae, clinic = town.by_type["hospital"][0], town.by_type["clinic"][0]
        walkin = town.by_type["clinic"][1]
        n_kids = int(self.np.poisson(RATES["health_child"] * len(self.kids)))
        n_adults = int(self.np.poisson(RATES["health_adult"] * len(self.adults)))
        for k in range(n_kids + n_adults):
            p = rng.choice(self.kids) if k < n_kids else rng.choice(self.adults)
            age = (first - p.dob).days // 365
            r = rng.random()
            if age >= 16 and r < 0.2:
                complaint, site = "STI", clinic
            elif r < 0.55:
                complaint, site = rng.choice(("INJURY", "INJURY", "ILLNESS")), ae
            elif r < 0.8:
                complaint, site = "ILLNESS", walkin
            elif r < 0.9 and age >= 13:
                complaint, site = "INTOX", ae
            elif "mental_health" in p.vulnerabilities:
                complaint, site = "SELFHARM", ae
            else:
                complaint, site = "ASSAULT", ae
            escort, rel = None, ""
            if p.kind == "child" and rng.random() < 0.6:
                if p.in_care and p.carers:
                    escort, rel = rng.choice(p.carers), "CARER"
                elif p.relatives:
                    escort = rng.choice(p.relatives)
                    rel = ("MOTHER" if escort.sex == "F" else "FATHER") if escort.role == "parent" else "RELATIVE"
                if complaint == "STI" and p.boyfriend is not None and rng.random() < 0.5:
                    escort, rel = p.boyfriend, "BOYFRIEND"
            notes = []
            if rng.random() < 0.1:
                notes = [Note(text=rng.choice(("Discharged with advice. ", "Follow up with GP. ", "Safeguarding checklist completed, no concerns. ")))]
            out.append(
                Attendance(when=_at(self._day(first, days), 0, 24, rng), patient=p, site=site, complaint=complaint,
                           escort=escort, escort_rel=rel, safeguarding=p.kind == "child" and rng.random() < 0.1, notes=notes)
            )  # fmt: skip

    def _edu(self, first: date, days: int, out: list[Happening]) -> None:
        rng = self.rng
        n = int(self.np.poisson(RATES["edu"] * len(self.schooled)))
        for _ in range(n):
            kid = rng.choice(self.schooled)
            day = self._day(first, days)
            if day.weekday() >= 5 or day.month == 8:
                continue
            cat = rng.choice(("ATT", "ATT", "BEH", "BEH", "SG", "WEL"))
            notes = [Note(text=rng.choice(EDU_TEXT[cat]))]
            driver = self.world.school_run_driver.get(kid.pid)
            if driver is not None and rng.random() < 0.3:
                c = driver.vehicles[0]
                notes += [Note(text="Taxi driver (school contract) reports she was upset on the way in, vehicle "), Note(text=c.vrm, kind="plate", entity=c), Note(text=". ")]
            elif kid.relatives and rng.random() < 0.1:
                rel = rng.choice(kid.relatives)
                notes += [Note(text="Collected by "), Note(text=f"'{rel.nickname or rel.forename}'", kind="nickname", entity=rel), Note(text=", family member. ")]
            teachers = self.teachers.get(kid.school.lid, [])
            out.append(
                EduConcern(when=_at(day, 8, 16, rng), pupil=kid, school=kid.school, category=cat,
                           staff=rng.choice(teachers) if teachers else None, notes=notes)
            )  # fmt: skip

    def _licences(self, index: int, first: date, days: int, out: list[Happening]) -> None:
        rng = self.rng
        for p in self.drivers:
            if self.licence_month[p.pid] != (first.month - 1):
                continue
            car = next((v for v in p.vehicles if v.is_taxi), p.vehicles[0] if p.vehicles else None)
            if car is None:
                continue
            when = _at(self._day(first, days), 9, 17, rng)
            out.append(
                Licence(when=when, holder=p, vehicle=car, licence_no=self.licence_no[p.pid],
                        licence_type="HCD" if rng.random() < 0.25 else "PHD",
                        status="RENEW" if index > 0 or rng.random() < 0.8 else "GRANT",
                        expiry=when + timedelta(days=365 * (1 + rng.randrange(3))))
            )  # fmt: skip


def _narrative(code: str, rng: random.Random) -> str:
    return rng.choice({
        "ASB": ("Youths causing a nuisance, throwing stones at buses. ", "Group of youths shouting at passers-by. "),
        "PUBORD": ("Disturbance outside the takeaway, words exchanged. ", "Fight outside shop, dispersed on arrival. "),
        "THEFT": ("Shoplifting, items recovered. ", "Bike stolen from outside address. "),
        "DAMAGE": ("Window smashed at address. ", "Graffiti on bus shelter. "),
        "ASSAULT": ("Assault following argument, minor injury. ", "Punched in the face in the street. "),
        "DOM": ("Verbal argument between partners, no injuries. ", "Domestic, DASH completed, standard risk. "),
        "RTC": ("Two-vehicle collision, no injuries. ", "Minor collision at junction. "),
        "CONC": ("Concern for welfare, found safe and well. ", "Child out late, returned home by officers. "),
        "DRUGS": ("Smell of cannabis, search negative. ", "Small quantity of cannabis seized, street warning. "),
    }[code])  # fmt: skip
