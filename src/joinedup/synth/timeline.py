"""The grooming and abuse timeline of each victim, and the sparse, late records it leaves.

Follows the documented pattern: first contact in shared local places, then gifts and
lifts, then parties, then missing episodes, being found with group members, in their
cars or at hotels, clinic attendances. Most abuse events are never recorded.
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
    MissingEpisode,
    Note,
    Stop,
)
from joinedup.synth.model import Group, Location, Person, Vehicle
from joinedup.synth.population import World
from joinedup.synth.rng import np_stream, stream

# Relative chance of being targeted, by age (peak 14-15, Home Office 2020) and risk factor.
AGE_WEIGHT = {12: 0.35, 13: 0.75, 14: 1.0, 15: 1.0, 16: 0.7, 17: 0.45}
VULN_WEIGHT = {
    "in_care": 4.0,
    "missing": 2.0,
    "learning_disability": 2.0,
    "substance_use": 2.0,
    "mental_health": 1.5,
    "previous_abuse": 2.0,
}
GIFTS = ("a new phone", "vodka", "cigarettes", "cannabis", "trainers", "a top-up", "money")


def victims_for(group: Group, rng: random.Random) -> int:
    if group.kind == "lone":
        return 1 + int(rng.random() < 0.3)
    lam = len(group.members) * 0.25
    return max(1, min(8, 1 + int(rng.gauss(lam, 0.8))))


class Timeline:
    """Chooses victims and plays out each one's exploitation week by week."""

    def __init__(self, world: World, groups: list[Group], seed: int):
        self.world = world
        self.groups = groups
        self.rng = stream(seed, "timeline")
        self.np = np_stream(seed, "victims")
        self.happenings: list[Happening] = []
        self.events: list[tuple] = []  # truth timeline rows
        self.links: dict[tuple[str, str, str], list] = {}
        self.cameras = world.town.by_type["anpr_camera"]
        self._cams_by_hood: dict[int, list[Location]] = {}
        for cam in self.cameras:
            self._cams_by_hood.setdefault(cam.hood, []).append(cam)
        self._referred: set[str] = set()
        self._recorded_missing: dict[str, int] = {}
        self._victim_status: dict[str, list[Group]] = {}

    # choosing victims ------------------------------------------------------------------
    def _candidates(self) -> None:
        kids = self.world.children
        self._kids = kids
        self._dob = np.array([k.dob.toordinal() for k in kids], dtype=np.int64)
        base = np.array([1.0 if k.sex == "F" else 0.12 for k in kids])
        for i, k in enumerate(kids):
            for v in k.vulnerabilities:
                base[i] *= VULN_WEIGHT[v]
        self._base = base
        self._hood = np.array([k.home.hood for k in kids], dtype=np.int64)
        self._taken = np.ones(len(kids))
        self._age_lut = np.zeros(30)
        for age, w in AGE_WEIGHT.items():
            self._age_lut[age] = w

    def _choose_victim(self, group: Group, when: date) -> Person | None:
        ages = ((when.toordinal() - self._dob) / 365.25).astype(np.int64)
        w = self._base * self._age_lut[np.clip(ages, 0, 29)] * self._taken
        near = np.ones(len(self._kids))
        near[self._hood == group.hood] = 3.0
        for h in self.world.town.neighbours(group.hood):
            near[self._hood == h] = np.maximum(near[self._hood == h], 1.6)
        w = w * near
        total = w.sum()
        if total <= 0:
            return None
        i = int(self.np.choice(len(w), p=w / total))
        self._taken[i] *= 0.25  # a child can be exploited by more than one group, rarely
        return self._kids[i]

    # the whole timeline ----------------------------------------------------------------
    def build(self) -> None:
        self._candidates()
        rng = self.rng
        world = self.world
        for g in self.groups:
            last = min(g.end, world.end)
            if g.start > last:
                continue
            span = (last - g.start).days
            n = victims_for(g, rng)
            offsets = sorted([0] + [rng.randrange(max(1, span)) for _ in range(n - 1)])
            for off in offsets:
                t0 = g.start + timedelta(days=off)
                victim = self._choose_victim(g, t0)
                if victim is None:
                    continue
                g.victims.append(victim)
                if victim.role != "victim":
                    world.set_role(victim, "victim")
                self._victim_status.setdefault(victim.pid, []).append(g)
                self._play(g, victim, t0)
            self._group_intelligence(g)
            if g.disrupted:
                self._disruption(g)
        self.happenings = [h for h in self.happenings if world.start <= h.when.date() <= world.end]

    def _event(
        self,
        when: datetime,
        kind: str,
        g: Group,
        victim: Person | None,
        offenders: list[Person],
        location: Location | None = None,
        vehicle: Vehicle | None = None,
    ) -> str:
        eid = f"E{len(self.events) + 1:07d}"
        self.events.append(
            (
                eid,
                when.isoformat(timespec="minutes"),
                kind,
                g.gid,
                victim.pid if victim else "",
                ";".join(o.pid for o in offenders),
                location.lid if location else "",
                vehicle.vid if vehicle else "",
            )
        )
        if victim is not None:
            for o in offenders:
                key = (g.gid, victim.pid, o.pid)
                link = self.links.get(key)
                if link is None:
                    self.links[key] = [when, when, 1, kind]
                else:
                    link[1] = when
                    link[2] += 1
        return eid

    def _at(self, day: date, lo: int, hi: int) -> datetime:
        return datetime(day.year, day.month, day.day, self.rng.randrange(lo, hi), self.rng.randrange(60))

    def _play(self, g: Group, v: Person, t0: date) -> None:
        rng = self.rng
        world = self.world
        duration = rng.randrange(120, 600)
        t_end = min(g.end, t0 + timedelta(days=duration), world.end)
        recruiter = g.members[-1] if len(g.members) > 1 and rng.random() < 0.6 else rng.choice(g.members)
        hangout = rng.choice(g.hangouts)
        in_care = v.in_care
        week = 0
        day = t0
        while day <= t_end:
            mem = g.members
            # 1. contact in shared local places
            if week < 3:
                for _ in range(1 + rng.randrange(2)):
                    when = self._at(day + timedelta(days=rng.randrange(7)), 15, 22)
                    tl = self._event(when, "contact", g, v, [recruiter], hangout)
                    if rng.random() < 0.06 and v.school:
                        self._edu_seen(g, v, recruiter, when, tl)
                    if recruiter.vehicles and rng.random() < 0.3:
                        self._anpr(recruiter.vehicles[0], when, g, tl, near=hangout)
            # 2. gifts and lifts
            if week >= 1:
                if rng.random() < 0.6:
                    giver = recruiter if rng.random() < 0.7 else rng.choice(mem)
                    self._event(self._at(day, 15, 23), "gift:" + rng.choice(GIFTS), g, v, [giver])
                for _ in range(int(rng.random() < 0.9) + int(rng.random() < 0.5)):
                    drivers = [m for m in mem if m.vehicles]
                    if not drivers:
                        break
                    driver = recruiter if recruiter.vehicles and rng.random() < 0.5 else rng.choice(drivers)
                    car = rng.choice(driver.vehicles)
                    when = self._at(day + timedelta(days=rng.randrange(7)), 15, 24)
                    tl = self._event(when, "lift", g, v, [driver], None, car)
                    self._anpr(car, when, g, tl)
                    if rng.random() < 0.015:
                        self._stop(g, v, driver, car, when, tl)
                    if rng.random() < 0.03 and v.school:
                        self._edu_seen(g, v, driver, when, tl, car=car)
            # 3. parties at flats, abuse
            if week >= 4 and rng.random() < min(0.6, 0.3 + 0.01 * week):
                flat = rng.choice(g.flats)
                when = self._at(day + timedelta(days=rng.randrange(7)), 19, 24)
                present = rng.sample(mem, k=min(len(mem), 1 + rng.randrange(4)))
                tl = self._event(when, "party", g, v, present, flat)
                self._event(when + timedelta(hours=2), "abuse", g, v, present[: 1 + rng.randrange(len(present))], flat)
                for m in present:
                    if m.vehicles and rng.random() < 0.4:
                        self._anpr(m.vehicles[0], when - timedelta(minutes=rng.randrange(10, 90)), g, tl, near=flat)
                if rng.random() < 0.35:
                    self._missing(g, v, when - timedelta(hours=rng.randrange(1, 4)), tl, present, flat)
                if rng.random() < 0.03:
                    self._flat_incident(g, v, when, flat, present, tl)
            # 4. abuse in cars
            if week >= 4 and rng.random() < 0.15:
                drivers = [m for m in mem if m.vehicles]
                if drivers:
                    d = rng.choice(drivers)
                    car = d.vehicles[0]
                    when = self._at(day + timedelta(days=rng.randrange(7)), 18, 24)
                    tl = self._event(when, "abuse_in_car", g, v, [d], None, car)
                    self._anpr(car, when, g, tl)
            # 5. hotels
            if week >= 6 and rng.random() < (0.05 if g.kind == "lone" else 0.12):
                self._hotel(g, v, day + timedelta(days=rng.randrange(7)))
            # 6. missing episodes beyond parties, found in cars, moved out of town
            p_missing = min(0.4, 0.05 + 0.02 * week) * (1.3 if in_care else 1.0)
            if week >= 3 and rng.random() < p_missing:
                when = self._at(day + timedelta(days=rng.randrange(7)), 16, 24)
                tl = self._event(when, "missing", g, v, [])
                self._missing(g, v, when, tl, rng.sample(mem, k=min(len(mem), 1 + rng.randrange(2))), None)
            # 7. health
            if week >= 8:
                if rng.random() < 0.03:
                    self._clinic(g, v, day, "STI", recruiter)
                if rng.random() < 0.012:
                    self._clinic(g, v, day, "INTOX", recruiter)
                if rng.random() < 0.008:
                    self._clinic(g, v, day, "SELFHARM", None)
                if rng.random() < 0.004:
                    self._clinic(g, v, day, "PREG", recruiter)
            # 8. school notices
            if week >= 2 and v.school and rng.random() < 0.025:
                self._edu_change(g, v, recruiter, day)
            week += 1
            day += timedelta(days=7)

    # record makers ---------------------------------------------------------------------
    def _anpr(self, car: Vehicle, when: datetime, g: Group, tl: str, near: Location | None = None) -> None:
        rng = self.rng
        for _ in range(rng.randrange(3)):
            if rng.random() < 0.55:
                cams = self.cameras
                cam = rng.choice(cams)
                if near is not None and rng.random() < 0.6:
                    cam = rng.choice(self._cams_by_hood.get(near.hood) or cams)
                t = when + timedelta(minutes=rng.randrange(-25, 25))
                self.happenings.append(AnprRead(when=t, vehicle=car, camera=cam, evidence=True, group=g.gid, tl=tl))

    def _stop(self, g: Group, v: Person, driver: Person, car: Vehicle, when: datetime, tl: str) -> None:
        rng = self.rng
        others = [m for m in g.members if m is not driver]
        occ = [v] + rng.sample(others, k=min(len(others), rng.randrange(3)))
        occ += [o for o in g.victims if o is not v][: rng.randrange(2)]
        rng.shuffle(occ)
        self.happenings.append(
            Stop(when=when, vehicle=car, driver=driver, occupants=occ[:5],
                 location=rng.choice(self.cameras), reason=rng.choice(("MOT", "SUSP", "INTEL", "DRV")),
                 outcome=rng.choice(("NFA", "WARN", "NFA", "CAWN" if v.in_care else "NFA")),
                 evidence=True, group=g.gid, tl=tl)
        )  # fmt: skip

    def _missing(
        self, g: Group, v: Person, when: datetime, tl: str, with_: list[Person], place: Location | None
    ) -> None:
        rng = self.rng
        world = self.world
        reported = rng.random() < (0.95 if v.in_care else 0.6)
        if not reported:
            return
        hours = rng.randrange(4, 72) if rng.random() < 0.7 else rng.randrange(72, 120)
        end = when + timedelta(hours=hours)
        found_with: list[Person] = []
        found_at = None
        found_in = None
        located_by = None
        r = rng.random()
        if r < 0.3:
            found_at = place or rng.choice(g.flats)
        elif r < 0.4:
            found_at = rng.choice(g.hotels)
        elif r < 0.5:
            drivers = [m for m in with_ if m.vehicles] or [m for m in g.members if m.vehicles]
            if drivers:
                found_in = drivers[0].vehicles[0]
                found_with.append(drivers[0])
        elif r < 0.6:
            found_at = rng.choice(world.town.by_type["out_of_area"])
            self._event(when + timedelta(hours=2), "moved_out_of_area", g, v, with_[:1], found_at)
        elif r < 0.75:
            found_at = rng.choice(g.hangouts)
        if found_at is not None or found_in is not None:
            if rng.random() < 0.3:
                found_with.extend(m for m in with_ if m not in found_with)
            if rng.random() < 0.25:
                found_with.extend(o for o in g.victims[:3] if o is not v and o not in found_with)
            located_by = rng.choice(world.by_role["officer"]) if rng.random() < 0.6 else None
        notes: list[Note] = []
        late = False
        if rng.random() < 0.65:
            notes = self._rhi_notes(g, v, with_, place, found_in)
            late = rng.random() < 0.4
        self._recorded_missing[v.pid] = self._recorded_missing.get(v.pid, 0) + 1
        self.happenings.append(
            MissingEpisode(
                when=when, child=v, reporter=rng.choice(v.carers) if v.carers else None,
                category="care" if v.in_care else "home", end=end, found_with=found_with[:4],
                found_at=found_at, found_in=found_in, located_by=located_by, notes=notes,
                notes_late=late, evidence=True, group=g.gid, tl=tl,
            )
        )  # fmt: skip
        if self._recorded_missing[v.pid] >= 3 and v.pid not in self._referred:
            self._referral(g, v, end + timedelta(days=rng.randrange(1, 20)), "POL", tl)

    def _rhi_notes(
        self, g: Group, v: Person, with_: list[Person], place: Location | None, car: Vehicle | None
    ) -> list[Note]:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            return [Note(text=rng.choice((
                "Refused to engage with the return interview.",
                "Would not say where she had been. Appeared tired.",
                "Said she was with friends. Would not name them.",
                "Declined RHI. Staff to re-offer.",
            )))]  # fmt: skip
        notes = [Note(text=rng.choice(("Said she was at a party", "Says she was with friends", "Stayed at a flat")))]
        who = rng.choice(with_) if with_ else rng.choice(g.members)
        if rng.random() < 0.5:
            notes += [Note(text=" with "), _nick(who, rng)]
        if place is not None and rng.random() < 0.35:
            notes += [Note(text=" at "), Note(text=_street_of(place)), Note(text=" "), Note(text=place.postcode, kind="postcode", entity=place)]
        notes.append(Note(text=". "))
        if rng.random() < 0.35:
            notes.append(Note(text=rng.choice(("Was given vodka. ", "Was given cannabis. ", "Was bought food and cigarettes. "))))
        cars = [c for m in (with_ or g.members) for c in m.vehicles]
        if car or (cars and rng.random() < 0.25):
            c = car or rng.choice(cars)
            if rng.random() < 0.5:
                notes += [Note(text=f"Picked up in a {c.colour.lower()} {c.make}, plate starts "), Note(text=_partial(c, rng), kind="plate_partial", entity=c), Note(text=". ")]
            else:
                notes += [Note(text=f"Got into a {c.colour.lower()} car reg "), Note(text=c.vrm, kind="plate", entity=c), Note(text=". ")]
        if rng.random() < 0.12:
            ph = rng.choice([p for m in g.members for p in m.phones] or [None])
            if ph is not None:
                notes += [Note(text="Has a number saved as "), _nick(ph.owner, rng), Note(text=": "), Note(text=ph.number, kind="phone", entity=ph), Note(text=". ")]
        if rng.random() < 0.3:
            notes.append(Note(text="Risk discussed; CSE screening to be updated."))
        return notes

    def _referral(self, g: Group, v: Person, when: datetime, source: str, tl: str) -> None:
        rng = self.rng
        self._referred.add(v.pid)
        adult = None
        rel = ""
        known = ""
        if rng.random() < 0.4:
            adult = rng.choice(g.members)
            rel = rng.choice(("BF", "FR", "UNK"))
            known = adult.street_name if adult.street_name and rng.random() < 0.6 else ""
        concerns = tuple(sorted({"CSE", "MIS", *(_concern(x) for x in v.vulnerabilities)} - {""}))
        self.happenings.append(
            CareEntry(when=when, child=v, work_type="REF", source=source, concerns=concerns,
                      adult=adult, adult_rel=rel, adult_known_as=known, evidence=True, group=g.gid, tl=tl)
        )  # fmt: skip
        screen = when + timedelta(days=rng.randrange(7, 40))
        self.happenings.append(
            CareEntry(when=screen, child=v, work_type="CSE", source=source, concerns=concerns,
                      adult=adult, adult_rel=rel, adult_known_as=known,
                      risk=rng.choice(("MOD", "SIG", "MOD", "MILD")), evidence=True, group=g.gid, tl=tl)
        )  # fmt: skip
        for k in range(1, 6):
            review = screen + timedelta(days=91 * k + rng.randrange(-10, 10))
            if review.date() > min(self.world.end, g.end):
                break
            self.happenings.append(
                CareEntry(when=review, child=v, work_type="CSE", source="INT", concerns=concerns,
                          adult=adult if rng.random() < 0.6 else None, adult_rel=rel,
                          adult_known_as=known, risk=rng.choice(("MOD", "SIG", "SIG")),
                          evidence=True, group=g.gid, tl=tl)
            )  # fmt: skip

    def _clinic(self, g: Group, v: Person, day: date, complaint: str, escort: Person | None) -> None:
        rng = self.rng
        town = self.world.town
        when = self._at(day + timedelta(days=rng.randrange(7)), 9, 23)
        site = town.by_type["clinic"][0] if complaint in ("STI", "PREG") else town.by_type["hospital"][0]
        tl = self._event(when, "clinic:" + complaint, g, v, [escort] if escort else [], site)
        esc, rel = None, ""
        if escort is not None and rng.random() < 0.25:
            esc, rel = escort, rng.choice(("BOYFRIEND", "FRIEND", "COUSIN"))
        elif v.in_care and rng.random() < 0.3 and v.carers:
            esc, rel = rng.choice(v.carers), "CARER"
        notes = []
        if rng.random() < 0.3:
            notes = [Note(text=rng.choice(("Vague about partner's age. ", "Partner described as 'older'. ", "Multiple partners disclosed. ", "Intoxicated on arrival. ")))]
            if escort is not None and rng.random() < 0.4:
                notes += [Note(text="Partner known as "), _nick(escort, rng), Note(text=".")]
        safeguarding = rng.random() < 0.55
        self.happenings.append(
            Attendance(when=when, patient=v, site=site, complaint=complaint, escort=esc, escort_rel=rel,
                       safeguarding=safeguarding, notes=notes, evidence=True, group=g.gid, tl=tl)
        )  # fmt: skip
        if safeguarding and v.pid not in self._referred and rng.random() < 0.5:
            self._referral(g, v, when + timedelta(days=rng.randrange(1, 14)), "HLT", tl)

    def _edu_seen(self, g: Group, v: Person, adult: Person, when: datetime, tl: str, car: Vehicle | None = None) -> None:
        rng = self.rng
        car = car or (adult.vehicles[0] if adult.vehicles else None)
        notes = [Note(text=rng.choice(("Seen after school with an older male", "Collected from the gates by an adult male", "Seen getting into a car outside school")))]
        if car is not None and rng.random() < 0.6:
            if rng.random() < 0.7:
                notes += [Note(text=f", {car.colour.lower()} {car.make}, {rng.choice(('reg starts', 'plate starting', 'partial reg'))} "), Note(text=_partial(car, rng), kind="plate_partial", entity=car)]
            else:
                notes += [Note(text=f", {car.colour.lower()} {car.make} reg "), Note(text=car.vrm, kind="plate", entity=car)]
        notes.append(Note(text=". "))
        if rng.random() < 0.3:
            notes += [Note(text="Friends call him "), _nick(adult, rng), Note(text=".")]
        staff = self._teacher(v)
        self.happenings.append(
            EduConcern(when=when, pupil=v, school=v.school, category="SG", staff=staff, notes=notes,
                       evidence=True, group=g.gid, tl=tl)
        )  # fmt: skip

    def _edu_change(self, g: Group, v: Person, recruiter: Person, day: date) -> None:
        rng = self.rng
        when = self._at(day + timedelta(days=rng.randrange(5)), 8, 16)
        tl = self._event(when, "school_notices", g, v, [])
        text = rng.choice((
            "Attendance has dropped sharply. ", "Has a new expensive phone, will not say where from. ",
            "Talks about an older boyfriend. ", "Arrived smelling of alcohol. ",
            "Wearing new designer clothes. Says a friend bought them. ", "Asleep in lessons, says she was out late. ",
        ))  # fmt: skip
        notes = [Note(text=text)]
        if rng.random() < 0.25:
            notes += [Note(text="Mentions a friend called "), _nick(recruiter, rng), Note(text=". ")]
        self.happenings.append(
            EduConcern(when=when, pupil=v, school=v.school, category=rng.choice(("ATT", "SG", "SG", "WEL")),
                       staff=self._teacher(v), notes=notes, evidence=True, group=g.gid, tl=tl)
        )  # fmt: skip

    def _teacher(self, child: Person) -> Person | None:
        teachers = [t for t in self.world.by_role.get("teacher", []) if t.workplace is child.school]
        return self.rng.choice(teachers) if teachers else None

    def _hotel(self, g: Group, v: Person, day: date) -> None:
        rng = self.rng
        hotel = rng.choice(g.hotels)
        booker = rng.choice(g.core if rng.random() < 0.6 else g.members)
        when = self._at(day, 14, 23)
        others = rng.sample(g.members, k=min(len(g.members), 1 + rng.randrange(3)))
        tl = self._event(when, "hotel", g, v, list(dict.fromkeys([booker, *others])), hotel)
        self._event(when + timedelta(hours=3), "abuse", g, v, others, hotel)
        phone = booker.phones[-1] if booker.phones and rng.random() < 0.8 else None
        car = booker.vehicles[0] if booker.vehicles and rng.random() < 0.6 else None
        notes: list[Note] = []
        if rng.random() < 0.2:
            notes.append(Note(text=rng.choice((
                "Young female visitor(s), left late. ", "Several male visitors to room. ",
                "Guest paid cash, no ID. ", "Staff concerned about age of girl with guest. ",
                "Complaint about noise from room. ",
            ))))  # fmt: skip
        self.happenings.append(
            HotelStay(when=when, hotel=hotel, guest=booker, phone=phone, vehicle=car, nights=1,
                      guests=1 + rng.randrange(2), use_alias=bool(booker.alias) and rng.random() < 0.5,
                      notes=notes, evidence=True, group=g.gid, tl=tl)
        )  # fmt: skip
        if car:
            self._anpr(car, when, g, tl, near=hotel)
        if rng.random() < 0.04:
            self._hotel_call(g, v, when + timedelta(hours=4), hotel, booker, tl)

    def _hotel_call(self, g: Group, v: Person, when: datetime, hotel: Location, booker: Person, tl: str) -> None:
        rng = self.rng
        notes = [Note(text="Hotel night manager reports a girl who looks about 14 going to a room with adult males. ")]
        if booker.vehicles:
            notes += [Note(text="Car in car park "), Note(text=booker.vehicles[0].vrm, kind="plate", entity=booker.vehicles[0]), Note(text=". ")]
        persons = [(booker, "S")] + ([(v, "V")] if rng.random() < 0.5 else [])
        self.happenings.append(
            Incident(when=when, code="CONC", location=hotel, persons=persons, notes=notes,
                     evidence=True, group=g.gid, tl=tl)
        )  # fmt: skip

    def _flat_incident(self, g: Group, v: Person, when: datetime, flat: Location, present: list[Person], tl: str) -> None:
        rng = self.rng
        notes = [Note(text=rng.choice(("Neighbour reports loud party and young girls coming and going at ",
                                        "Concern for welfare: teenage girls seen entering ")))]  # fmt: skip
        notes += [Note(text=flat.address + " "), Note(text=flat.postcode, kind="postcode", entity=flat), Note(text=". ")]
        persons = [(v, "V")] if rng.random() < 0.6 else []
        persons += [(m, "INV") for m in present[: rng.randrange(3)]]
        self.happenings.append(
            Incident(when=when + timedelta(hours=1), code="ASB" if rng.random() < 0.5 else "CONC",
                     location=flat, persons=persons, notes=notes, evidence=True, group=g.gid, tl=tl)
        )  # fmt: skip

    def _group_intelligence(self, g: Group) -> None:
        """Graded intelligence reports about the group: partial, late, sometimes wrong."""
        rng = self.rng
        world = self.world
        if not g.victims:
            return
        day = max(g.start, world.start)
        last = min(g.end, world.end)
        while day <= last:
            if rng.random() < (0.1 if g.kind == "lone" else 0.22):
                when = self._at(day + timedelta(days=rng.randrange(28)), 8, 23)
                subject = rng.choice(g.members)
                victim = rng.choice(g.victims)
                tl = self._event(when, "intelligence", g, victim, [subject])
                notes = [Note(text=rng.choice(("Information received that ", "Source reports that ", "Anonymous call: ")))]
                notes += [_nick(subject, rng), Note(text=rng.choice((" is picking up girls from ", " is giving lifts and alcohol to teenage girls near ", " hosts parties for under-age girls near ")))]
                place = rng.choice(g.hangouts + g.flats)
                notes += [Note(text=(place.name or _street_of(place)) + ". ")]
                if subject.vehicles and rng.random() < 0.6:
                    c = subject.vehicles[0]
                    if rng.random() < 0.5:
                        notes += [Note(text=f"Drives a {c.colour.lower()} {c.make}, part reg "), Note(text=_partial(c, rng), kind="plate_partial", entity=c), Note(text=". ")]
                    else:
                        notes += [Note(text=f"Vehicle {c.make} "), Note(text=c.vrm, kind="plate", entity=c), Note(text=". ")]
                if subject.phones and rng.random() < 0.15:
                    notes += [Note(text="Uses "), Note(text=subject.phones[-1].number, kind="phone", entity=subject.phones[-1]), Note(text=". ")]
                persons = []
                if rng.random() < 0.4:
                    persons.append((subject, "S"))
                if rng.random() < 0.4:
                    persons.append((victim, "V"))
                grading = f"{rng.choice('1223333')}/{rng.choice('BBCCCDE')}/{rng.choice('PPPC')}"
                self.happenings.append(
                    Incident(when=when, code="INTEL", location=place, persons=persons, notes=notes,
                             grading=grading, evidence=True, group=g.gid, tl=tl)
                )  # fmt: skip
            day += timedelta(days=30)

    def _disruption(self, g: Group) -> None:
        rng = self.rng
        d = g.disrupted
        assert d is not None
        when = self._at(d, 5, 8)
        arrested = g.core + [m for m in g.members[len(g.core) :] if rng.random() < 0.4]
        tl = self._event(when, "disruption", g, None, arrested)
        for m in arrested:
            persons = [(m, "S")] + [(v, "V") for v in g.victims if rng.random() < 0.5]
            notes = [Note(text="Arrested on suspicion of child sexual exploitation offences. ")]
            if m.street_name:
                notes += [Note(text="Known as "), Note(text=f"'{m.street_name}'", kind="nickname", entity=m), Note(text=". ")]
            self.happenings.append(
                Incident(when=when + timedelta(minutes=rng.randrange(120)), code="ARREST",
                         location=m.home, persons=persons, vehicles=m.vehicles[:1], notes=notes,
                         evidence=True, group=g.gid, tl=tl)
            )  # fmt: skip


def _nick(p: Person, rng: random.Random) -> Note:
    """How a child or a caller names an adult: a street name, an alias or a first name, in quotes."""
    r = rng.random()
    if p.street_name and r < 0.6:
        name = p.street_name
    elif p.alias and r < 0.75:
        name = p.alias
    elif p.nickname and r < 0.85:
        name = p.nickname
    else:
        name = p.forename
    return Note(text=f"'{name}'", kind="nickname", entity=p)


def _partial(c: Vehicle, rng: random.Random) -> str:
    plain = c.vrm.replace(" ", "")
    return plain[: rng.choice((2, 3, 3, 4))]


def _street_of(loc: Location) -> str:
    parts = loc.address.split(", ")
    return parts[-1] if parts else loc.address


def _concern(v: str) -> str:
    return {
        "in_care": "",
        "missing": "MIS",
        "learning_disability": "LD",
        "substance_use": "SUB",
        "mental_health": "MH",
        "previous_abuse": "ABU",
    }[v]
