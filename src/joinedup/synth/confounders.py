"""Innocent activity that looks like exploitation to a careless rule.

Care staff who report the same children missing every week, parents, relatives, youth
workers and officers who find missing children, older boyfriends, school-contract taxi
drivers who carry several children every day, and unfounded intelligence about them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import numpy as np

from joinedup.synth.events import (
    AnprRead,
    Happening,
    Incident,
    MissingEpisode,
    Note,
    Stop,
    nick,
    plate,
    say,
)
from joinedup.synth.model import Location, Person
from joinedup.synth.population import World

INNOCENT_RHI = (
    "Argument with staff about curfew, went to a friend's house.",
    "Went to see mum without permission.",
    "Stayed at boyfriend's house, parents were home.",
    "Lost track of time at the park with friends.",
    "Upset after contact visit; walked around town.",
    "Went to a party at a school friend's; parents present.",
    "Stayed with nan.",
    "Fell out with her sister, stayed at a friend's.",
    "Was at the Golden Chicken with friends, then walked home.",
    "Missed the last bus back from town.",
)


TIP_OPENINGS = ("Information received that ", "Member of public reports that ", "Anonymous call: ")
TIP_CLAIMS = (
    " is often seen with teenage girls in his car near ",
    " gives lifts to young people near ",
    " was seen with a girl who looked under 16 at ",
)


def at(day: date, lo: int, hi: int, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randrange(lo, hi), rng.randrange(60))


class Confounders:
    """Per month: innocent missing episodes, school runs, unfounded tips."""

    def __init__(self, world: World, rng: random.Random, np_rng: np.random.Generator):
        self.world = world
        self.rng = rng
        self.np = np_rng
        kids = world.children
        rates = np.zeros(len(kids))
        for i, k in enumerate(kids):
            if k.in_care:
                r = 3.5 if k.frequent_missing else (0.3 if k.placement == "residential" else 0.08)
            else:
                r = 0.008
                if "missing" in k.vulnerabilities:
                    r = 0.25
                if "mental_health" in k.vulnerabilities or "substance_use" in k.vulnerabilities:
                    r *= 2.5
            rates[i] = r
        self.missing_rates = rates
        self.officers = world.by_role["officer"]
        self.youth_workers = world.by_role["youth_worker"]
        self.drivers = world.by_role["school_contract_driver"]
        self.taxi_drivers = world.by_role["taxi_driver"]
        self.cams = world.town.by_type["anpr_camera"]

    def month(self, first: date, days: int) -> list[Happening]:
        out: list[Happening] = []
        counts = self.np.poisson(self.missing_rates)
        for i in np.flatnonzero(counts):
            kid = self.world.children[int(i)]
            for _ in range(int(counts[i])):
                out.append(self._missing(kid, first + timedelta(days=self.rng.randrange(days))))
        self._school_runs(first, days, out)
        self._red_herrings(first, days, out)
        return out

    def _missing(self, kid: Person, day: date) -> MissingEpisode:
        rng = self.rng
        world = self.world
        when = at(day, 15, 24, rng)
        end = when + timedelta(hours=rng.randrange(2, 40))
        # Staff on the same shifts report the same child again and again.
        if kid.carers:
            reporter = kid.carers[0] if rng.random() < 0.5 else rng.choice(kid.carers)
        else:
            reporter = None
        found_with: list[Person] = []
        found_at: Location | None = None
        located_by = None
        r = rng.random()
        town = world.town
        if r < 0.22 and kid.friends:
            f = rng.choice(kid.friends)
            found_with.append(f)
            found_at = f.home if rng.random() < 0.6 else town.busy_takeaway
        elif r < 0.3 and kid.boyfriend is not None:
            found_with.append(kid.boyfriend)
            found_at = kid.boyfriend.home
        elif r < 0.38 and kid.relatives:
            rel = rng.choice(kid.relatives)
            found_with.append(rel)
            found_at = rel.home
        elif r < 0.44:
            yw = rng.choice(self.youth_workers)
            found_with.append(yw)
            found_at = yw.workplace if rng.random() < 0.5 else town.near(kid.home.hood, "park")
        elif r < 0.5:
            o = rng.choice(self.officers)
            found_with.append(o)  # an officer's name written in the wrong box
            found_at = rng.choice(town.by_type["station"] + [town.busy_takeaway])
        elif r < 0.55 and kid.carers:
            found_with.append(rng.choice(kid.carers))
            found_at = rng.choice(town.by_type["station"] + town.by_type["shopping_centre"])
        elif r < 0.58:
            d = rng.choice(self.taxi_drivers + self.drivers)
            found_with.append(d)  # brought back by taxi
            found_at = kid.home
        elif r < 0.7:
            found_at = rng.choice(
                [
                    town.busy_takeaway,
                    town.busy_takeaway,
                    *town.by_type["station"],
                    *town.by_type["park"][:3],
                ]
            )
            if kid.friends and rng.random() < 0.5:
                found_with.extend(kid.friends[: 1 + rng.randrange(2)])
        elif r < 0.73:
            found_at = rng.choice(town.by_type["out_of_area"])
        if found_at is not None and rng.random() < 0.5:
            located_by = rng.choice(self.officers)
        notes: list[Note] = []
        late = False
        if rng.random() < 0.6:
            notes = say(rng.choice(INNOCENT_RHI))
            if found_with and rng.random() < 0.2:
                other = found_with[0]
                notes += say(" Was with ", nick(other, other.nickname or other.forename), ".")
            if rng.random() < 0.05 and found_with and found_with[0].vehicles:
                notes += say(" Dropped back in car ", plate(found_with[0].vehicles[0]), ".")
            late = rng.random() < 0.3
        return MissingEpisode(
            when=when,
            child=kid,
            reporter=reporter,
            category="care" if kid.in_care else "home",
            end=end,
            found_with=found_with,
            found_at=found_at,
            located_by=located_by,
            notes=notes,
            notes_late=late,
        )

    def _school_runs(self, first: date, days: int, out: list[Happening]) -> None:
        """School-contract taxis: daily reads near schools, and the odd stop full of children."""
        rng = self.rng
        for d in self.drivers:
            car = d.vehicles[0]
            kids = self.world.school_runs.get(d.pid, [])
            for _ in range(rng.randrange(3, 9)):
                day = first + timedelta(days=rng.randrange(days))
                if day.weekday() >= 5:
                    continue
                hour = rng.choice((7, 8, 15, 16))
                out.append(
                    AnprRead(
                        when=at(day, hour, hour + 1, rng), vehicle=car, camera=rng.choice(self.cams)
                    )
                )
            if kids and rng.random() < 0.08:
                day = first + timedelta(days=rng.randrange(days))
                out.append(
                    Stop(
                        when=at(day, 7, 9, rng),
                        vehicle=car,
                        driver=d,
                        occupants=rng.sample(kids, k=min(len(kids), 1 + rng.randrange(4))),
                        location=rng.choice(self.cams),
                        reason="DRV",
                        outcome="NFA",
                    )
                )

    def _red_herrings(self, first: date, days: int, out: list[Happening]) -> None:
        """Unfounded intelligence about innocent adults seen with children."""
        rng = self.rng
        world = self.world
        n = np.random.default_rng(rng.getrandbits(64)).poisson(len(world.children) / 400)
        pool = self.drivers + self.taxi_drivers + self.youth_workers
        pool += world.by_role.get("boyfriend", [])
        places = [world.town.busy_takeaway, *world.town.by_type["park"][:4]]
        places += world.town.by_type["station"]
        for _ in range(int(n)):
            subject = rng.choice(pool)
            when = at(first + timedelta(days=rng.randrange(days)), 8, 23, rng)
            place = rng.choice(places)
            name = nick(subject, subject.nickname or subject.forename)
            notes = say(rng.choice(TIP_OPENINGS), name, rng.choice(TIP_CLAIMS), place.name + ". ")
            if subject.vehicles and rng.random() < 0.6:
                notes += say("Vehicle ", plate(subject.vehicles[0]), ". ")
            persons = [(subject, "S")] if rng.random() < 0.5 else []
            kid = rng.choice(world.children)
            if rng.random() < 0.3:
                persons.append((kid, "V"))
            grading = f"{rng.choice('2333')}/{rng.choice('CCDDE')}/{rng.choice('PPC')}"
            tip = Incident(when=when, code="INTEL", location=place, persons=persons, notes=notes,
                           grading=grading)  # fmt: skip
            out.append(tip)
