"""Everyday records of an ordinary town, month by month: referrals, attendances, school
concerns, ANPR reads, hotel stays and taxi licences (police work is in policing.py).

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
    Licence,
    Note,
    nick,
    plate,
    say,
)
from joinedup.synth.model import Person
from joinedup.synth.policing import Policing
from joinedup.synth.population import World

# Per month: incidents, stops and hotel stays per child of the city; the rest per person.
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
EDU_TEXT = {
    "ATT": ("Persistent absence this half term. ", "Late most mornings. ",
            "Unauthorised absence, parent not answering. "),
    "BEH": ("Fight in the playground. ", "Defiant in lessons, sent out. ", "Vaping in toilets. "),
    "SG": ("Disclosed arguments at home. ", "Bruise on arm, says from football. ",
           "Says she is not eating at home. "),
    "WEL": ("Seems withdrawn and tired. ", "Upset about friendship fallout. ",
            "Worried about exams. "),
}  # fmt: skip
HOTEL_NOTES = (
    "Family room, 2 children. ",
    "Late check-out requested. ",
    "Contractor, invoice to company. ",
    "Guest had visitors in the bar. ",
    "Complaint about noise from next room. ",
    "Paid cash. ",
    "Wedding party. ",
    "Guest with teenage daughter, sports tournament. ",
)
HEALTH_NOTES = (
    "Discharged with advice. ",
    "Follow up with GP. ",
    "Safeguarding checklist completed, no concerns. ",
)


def at(day: date, lo: int, hi: int, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randrange(lo, hi), rng.randrange(60))


class Routine(Policing):
    def __init__(self, world: World, rng: random.Random, np_rng: np.random.Generator):
        self.world = world
        self.rng = rng
        self.np = np_rng
        town = world.town
        self.adults = world.adults
        self.kids = world.children
        self.schooled = [k for k in world.children if k.school]
        self.cams = town.by_type["anpr_camera"]
        self.cams_by_hood: dict[int, list] = {}
        for c in self.cams:
            self.cams_by_hood.setdefault(c.hood, []).append(c)
        self.centre_cams = self.cams_by_hood.get(0, self.cams)
        self.vehicles = world.vehicles
        lam = np.empty(len(self.vehicles))
        for i, v in enumerate(self.vehicles):
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
            if t.workplace is not None:
                self.teachers.setdefault(t.workplace.lid, []).append(t)
        self.drivers = [p for p in world.adults if p.is_taxi_driver]
        self.licence_month = {p.pid: rng.randrange(12) for p in self.drivers}
        self.licence_no = {p.pid: f"{rng.randrange(1000, 9999)}" for p in self.drivers}
        self.guests = world.by_role.get("visitor", []) or world.adults
        self.offenders = [m for g in world.groups for m in g.members]

    def month(self, index: int, first: date, days: int) -> list[Happening]:
        out: list[Happening] = []
        n = len(self.kids)
        pois = self.np.poisson
        for _ in range(int(pois(RATES["incident"] * n))):
            out.append(self.incident(first, days))
        for _ in range(int(pois(RATES["stop"] * n))):
            s = self.stop(first, days)
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

    def day(self, first: date, days: int) -> date:
        return first + timedelta(days=self.rng.randrange(days))

    def _hotel(self, first: date, days: int) -> HotelStay:
        rng = self.rng
        world = self.world
        r = rng.random()
        if r < 0.6:
            guest = rng.choice(self.guests)
        elif r < 0.97 or not self.offenders:
            guest = rng.choice(self.adults)
        else:  # offenders also stay in hotels for ordinary reasons
            guest = rng.choice(self.offenders)
        notes = say(rng.choice(HOTEL_NOTES)) if rng.random() < 0.12 else []
        return HotelStay(
            when=at(self.day(first, days), 12, 23, rng),
            hotel=rng.choice(world.town.by_type["hotel"]),
            guest=guest,
            phone=world.phone(guest) if rng.random() < 0.7 else None,
            vehicle=guest.vehicles[0] if guest.vehicles and rng.random() < 0.5 else None,
            nights=1 + int(rng.expovariate(0.8)),
            guests=1 + rng.randrange(3),
            notes=notes,
        )

    def _anpr(self, first: date, days: int, out: list[Happening]) -> None:
        rng = self.rng
        r = rng.random
        counts = self.np.poisson(self.anpr_lam)
        cams, centre = self.cams, self.centre_cams
        for i in np.flatnonzero(counts):
            v = self.vehicles[int(i)]
            local = self.cams_by_hood.get(v.keeper.home.hood if v.keeper else 0, cams)
            for _ in range(int(counts[i])):
                x = r()
                pool = local if x < 0.6 else (centre if x < 0.85 else cams)
                cam = pool[int(r() * len(pool))]
                day = first + timedelta(days=int(r() * days))
                hour = int(r() * 24) if v.is_taxi else 6 + int(r() * 18)
                when = datetime(day.year, day.month, day.day, hour, int(r() * 60), int(r() * 60))
                out.append(AnprRead(when=when, vehicle=v, camera=cam))

    def _care(self, first: date, days: int, out: list[Happening]) -> None:
        rng = self.rng
        for kid in self.kids:
            vul = kid.vulnerabilities
            if kid.in_care:
                rate = 0.3
            elif "previous_abuse" in vul or "mental_health" in vul or "substance_use" in vul:
                rate = 0.05
            else:
                rate = 0.008
            if rng.random() >= rate:
                continue
            if kid.in_care:
                work = rng.choice(("LACR", "LACR", "SD", "ASMT"))
            else:
                work = rng.choice(("REF", "REF", "ASMT"))
            concerns = {rng.choice(("DV", "NEG", "PAR", "BEH", "DV"))}
            if "mental_health" in vul:
                concerns.add("MH")
            if "substance_use" in vul:
                concerns.add("SUB")
            adult, rel = None, ""
            r = rng.random()
            if r < 0.4 and kid.relatives:
                adult = rng.choice(kid.relatives)
                rel = ("MOT" if adult.sex == "F" else "FAT") if adult.role == "parent" else "REL"
            elif r < 0.55 and kid.carers and kid.in_care:
                adult, rel = rng.choice(kid.carers), "CAR"
            elif r < 0.6 and kid.boyfriend is not None:
                adult, rel = kid.boyfriend, "BF"
            source = rng.choice(("POL", "SCH", "HLT", "FAM", "LA", "ANON"))
            when = at(self.day(first, days), 9, 17, rng)
            codes = tuple(sorted(concerns))
            out.append(
                CareEntry(when=when, child=kid, work_type=work, source=source, concerns=codes,
                          adult=adult, adult_rel=rel)
            )  # fmt: skip

    def _health(self, first: date, days: int, out: list[Happening]) -> None:
        rng = self.rng
        town = self.world.town
        ae, clinic = town.by_type["hospital"][0], town.by_type["clinic"][0]
        walk_in = town.by_type["clinic"][1]
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
                complaint, site = "ILLNESS", walk_in
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
                    parent = "MOTHER" if escort.sex == "F" else "FATHER"
                    rel = parent if escort.role == "parent" else "RELATIVE"
                if complaint == "STI" and p.boyfriend is not None and rng.random() < 0.5:
                    escort, rel = p.boyfriend, "BOYFRIEND"
            notes = say(rng.choice(HEALTH_NOTES)) if rng.random() < 0.1 else []
            safeguarding = p.kind == "child" and rng.random() < 0.1
            out.append(
                Attendance(when=at(self.day(first, days), 0, 24, rng), patient=p, site=site,
                           complaint=complaint, escort=escort, escort_rel=rel,
                           safeguarding=safeguarding, notes=notes)
            )  # fmt: skip

    def _edu(self, first: date, days: int, out: list[Happening]) -> None:
        rng = self.rng
        for _ in range(int(self.np.poisson(RATES["edu"] * len(self.schooled)))):
            kid = rng.choice(self.schooled)
            day = self.day(first, days)
            if day.weekday() >= 5 or day.month == 8 or kid.school is None:
                continue
            category = rng.choice(("ATT", "ATT", "BEH", "BEH", "SG", "WEL"))
            notes: list[Note] = say(rng.choice(EDU_TEXT[category]))
            driver = self.world.school_run_driver.get(kid.pid)
            if driver is not None and rng.random() < 0.3:
                notes += say("Taxi driver (school contract) reports she was upset on the way in, "
                             "vehicle ", plate(driver.vehicles[0]), ". ")  # fmt: skip
            elif kid.relatives and rng.random() < 0.1:
                rel = rng.choice(kid.relatives)
                notes += say(
                    "Collected by ", nick(rel, rel.nickname or rel.forename), ", family member. "
                )
            teachers = self.teachers.get(kid.school.lid, [])
            staff = rng.choice(teachers) if teachers else None
            out.append(
                EduConcern(when=at(day, 8, 16, rng), pupil=kid, school=kid.school,
                           category=category, staff=staff, notes=notes)
            )  # fmt: skip

    def _licences(self, index: int, first: date, days: int, out: list[Happening]) -> None:
        """Each driver's licence is granted or renewed once a year, in the same month."""
        rng = self.rng
        for p in self.drivers:
            if self.licence_month[p.pid] != first.month - 1:
                continue
            car = next((v for v in p.vehicles if v.is_taxi), p.vehicles[0] if p.vehicles else None)
            if car is None:
                continue
            when = at(self.day(first, days), 9, 17, rng)
            status = "RENEW" if index > 0 or rng.random() < 0.8 else "GRANT"
            out.append(
                Licence(when=when, holder=p, vehicle=car, licence_no=self.licence_no[p.pid],
                        licence_type="HCD" if rng.random() < 0.25 else "PHD", status=status,
                        expiry=when + timedelta(days=365 * (1 + rng.randrange(3))))
            )  # fmt: skip
