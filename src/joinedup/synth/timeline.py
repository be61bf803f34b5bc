"""The grooming and abuse timeline of each victim, week by week.

Follows the documented pattern: first contact in shared local places, then gifts and
lifts, then parties, then missing episodes, being found with group members, in their
cars or at hotels, clinic attendances. Every step is a truth event; traces.py decides
which few of them leave a record, and when.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import numpy as np

from joinedup.synth.events import Happening
from joinedup.synth.model import Group, Location, Person, Vehicle
from joinedup.synth.population import World
from joinedup.synth.rng import np_stream, stream
from joinedup.synth.traces import Traces

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


class Timeline(Traces):
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
        self.cams_by_hood: dict[int, list[Location]] = {}
        for cam in self.cameras:
            self.cams_by_hood.setdefault(cam.hood, []).append(cam)
        self.teachers: dict[str, list[Person]] = {}
        for t in world.by_role.get("teacher", []):
            if t.workplace is not None:
                self.teachers.setdefault(t.workplace.lid, []).append(t)
        self.referred: set[str] = set()
        self.recorded_missing: dict[str, int] = {}

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
        """Weighted by age, sex, vulnerabilities and nearness; never by origin or ethnicity."""
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
                self._play(g, victim, t0)
            self.group_intelligence(g)
            if g.disrupted:
                self.disruption(g)
        self.happenings = [h for h in self.happenings if world.start <= h.when.date() <= world.end]

    def event(
        self,
        when: datetime,
        kind: str,
        g: Group,
        victim: Person | None,
        offenders: list[Person],
        location: Location | None = None,
        vehicle: Vehicle | None = None,
    ) -> str:
        """Record a true event in the timeline (and the victim-offender links); its id."""
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

    def at(self, day: date, lo: int, hi: int) -> datetime:
        return datetime(
            day.year, day.month, day.day, self.rng.randrange(lo, hi), self.rng.randrange(60)
        )

    def _play(self, g: Group, v: Person, t0: date) -> None:
        rng = self.rng
        duration = rng.randrange(120, 600)
        t_end = min(g.end, t0 + timedelta(days=duration), self.world.end)
        recruiter = (
            g.members[-1] if len(g.members) > 1 and rng.random() < 0.6 else rng.choice(g.members)
        )
        hangout = rng.choice(g.hangouts)
        # The men this child knows by (nick)name: the recruiter and one or two others.
        circle = list(dict.fromkeys([recruiter, *rng.sample(g.members, k=min(len(g.members), 2))]))
        week = 0
        day = t0
        while day <= t_end:
            if week < 3:
                self._contact(g, v, recruiter, hangout, day)
            if week >= 1:
                self._gifts_and_lifts(g, v, recruiter, day)
            if week >= 4 and rng.random() < min(0.6, 0.3 + 0.01 * week):
                self._party(g, v, day)
            if week >= 4 and rng.random() < 0.15:
                self._car(g, v, day)
            if week >= 6 and rng.random() < (0.05 if g.kind == "lone" else 0.12):
                self.hotel(g, v, day + timedelta(days=rng.randrange(7)))
            p_missing = min(0.4, 0.05 + 0.02 * week) * (1.3 if v.in_care else 1.0)
            if week >= 3 and rng.random() < p_missing:
                when = self.at(day + timedelta(days=rng.randrange(7)), 16, 24)
                tl = self.event(when, "missing", g, v, [])
                with_ = rng.sample(circle, k=1 + rng.randrange(len(circle)))
                self.missing(g, v, when, tl, with_, None)
            if week >= 8:
                self._health(g, v, recruiter, day)
            if week >= 2 and v.school and rng.random() < 0.025:
                self.school_notices(g, v, recruiter, day)
            week += 1
            day += timedelta(days=7)

    # one step each ---------------------------------------------------------------------
    def _contact(
        self, g: Group, v: Person, recruiter: Person, hangout: Location, day: date
    ) -> None:
        """First contact in a shared local place: a takeaway, a park, a station."""
        rng = self.rng
        for _ in range(1 + rng.randrange(2)):
            when = self.at(day + timedelta(days=rng.randrange(7)), 15, 22)
            tl = self.event(when, "contact", g, v, [recruiter], hangout)
            if rng.random() < 0.06 and v.school:
                self.seen_at_school(g, v, recruiter, when, tl)
            if recruiter.vehicles and rng.random() < 0.3:
                self.anpr(recruiter.vehicles[0], when, g, tl, near=hangout)

    def _gifts_and_lifts(self, g: Group, v: Person, recruiter: Person, day: date) -> None:
        rng = self.rng
        if rng.random() < 0.6:
            giver = recruiter if rng.random() < 0.7 else rng.choice(g.members)
            self.event(self.at(day, 15, 23), "gift:" + rng.choice(GIFTS), g, v, [giver])
        drivers = [m for m in g.members if m.vehicles]
        if not drivers:
            return
        for _ in range(int(rng.random() < 0.9) + int(rng.random() < 0.5)):
            driver = recruiter if recruiter.vehicles and rng.random() < 0.5 else rng.choice(drivers)
            car = rng.choice(driver.vehicles)
            when = self.at(day + timedelta(days=rng.randrange(7)), 15, 24)
            tl = self.event(when, "lift", g, v, [driver], None, car)
            self.anpr(car, when, g, tl)
            if rng.random() < 0.015:
                self.stop(g, v, driver, car, when, tl)
            if rng.random() < 0.03 and v.school:
                self.seen_at_school(g, v, driver, when, tl, car=car)

    def _party(self, g: Group, v: Person, day: date) -> None:
        """A party at a flat: several men, alcohol, abuse; sometimes she is reported missing."""
        rng = self.rng
        flat = rng.choice(g.flats)
        when = self.at(day + timedelta(days=rng.randrange(7)), 19, 24)
        present = rng.sample(g.members, k=min(len(g.members), 1 + rng.randrange(4)))
        tl = self.event(when, "party", g, v, present, flat)
        abusers = present[: 1 + rng.randrange(len(present))]
        self.event(when + timedelta(hours=2), "abuse", g, v, abusers, flat)
        for m in present:
            if m.vehicles and rng.random() < 0.4:
                self.anpr(
                    m.vehicles[0], when - timedelta(minutes=rng.randrange(10, 90)), g, tl, near=flat
                )
        if rng.random() < 0.35:
            self.missing(g, v, when - timedelta(hours=rng.randrange(1, 4)), tl, present, flat)
        if rng.random() < 0.03:
            self.flat_incident(g, v, when, flat, present, tl)

    def _car(self, g: Group, v: Person, day: date) -> None:
        rng = self.rng
        drivers = [m for m in g.members if m.vehicles]
        if drivers:
            d = rng.choice(drivers)
            when = self.at(day + timedelta(days=rng.randrange(7)), 18, 24)
            tl = self.event(when, "abuse_in_car", g, v, [d], None, d.vehicles[0])
            self.anpr(d.vehicles[0], when, g, tl)

    def _health(self, g: Group, v: Person, recruiter: Person, day: date) -> None:
        rng = self.rng
        if rng.random() < 0.03:
            self.clinic(g, v, day, "STI", recruiter)
        if rng.random() < 0.012:
            self.clinic(g, v, day, "INTOX", recruiter)
        if rng.random() < 0.008:
            self.clinic(g, v, day, "SELFHARM", None)
        if rng.random() < 0.004:
            self.clinic(g, v, day, "PREG", recruiter)
