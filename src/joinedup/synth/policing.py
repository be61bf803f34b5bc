"""Ordinary police work in the town: incidents of every kind and vehicle stop-checks.

Most of it involves children and adults together for innocent reasons (youths and the
neighbour who called it in, a parent driving her children), which is what makes
"adult seen with a child" a poor lead on its own.
"""

from __future__ import annotations

import random
from datetime import date, datetime

from joinedup.synth.events import Incident, Note, Stop, nick, say
from joinedup.synth.model import Location, Person, Vehicle
from joinedup.synth.population import World
from joinedup.synth.rng import Picker

INCIDENT_CODES = Picker(
    ["ASB", "THEFT", "ASSAULT", "DOM", "DAMAGE", "RTC", "CONC", "DRUGS", "PUBORD", "INTEL"],
    [20, 15, 10, 12, 8, 8, 10, 6, 5, 6],
)
NARRATIVES = {
    "ASB": ("Youths causing a nuisance, throwing stones at buses. ",
            "Group of youths shouting at passers-by. "),
    "PUBORD": ("Disturbance outside the takeaway, words exchanged. ",
               "Fight outside shop, dispersed on arrival. "),
    "THEFT": ("Shoplifting, items recovered. ", "Bike stolen from outside address. "),
    "DAMAGE": ("Window smashed at address. ", "Graffiti on bus shelter. "),
    "ASSAULT": ("Assault following argument, minor injury. ",
                "Punched in the face in the street. "),
    "DOM": ("Verbal argument between partners, no injuries. ",
            "Domestic, DASH completed, standard risk. "),
    "RTC": ("Two-vehicle collision, no injuries. ", "Minor collision at junction. "),
    "CONC": ("Concern for welfare, found safe and well. ",
             "Child out late, returned home by officers. "),
    "DRUGS": ("Smell of cannabis, search negative. ",
              "Small quantity of cannabis seized, street warning. "),
}  # fmt: skip
INTEL = (
    " is dealing cannabis from ",
    " is storing stolen goods at ",
    " is driving while disqualified near ",
)


def at(day: date, lo: int, hi: int, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randrange(lo, hi), rng.randrange(60))


class Policing:
    world: World
    rng: random.Random
    adults: list[Person]
    kids: list[Person]
    vehicles: list[Vehicle]
    cams: list[Location]
    drivers: list[Person]
    public_places: list[Location]

    def day(self, first: date, days: int) -> date:
        raise NotImplementedError

    def incident(self, first: date, days: int) -> Incident:
        rng = self.rng
        world = self.world
        code = INCIDENT_CODES.pick(rng)
        adults, kids = self.adults, self.kids

        def anyone() -> Person:
            return rng.choice(kids if rng.random() < 0.3 else adults)

        persons: list[tuple[Person, str]] = []
        vehicles: list[Vehicle] = []
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
            persons += [(rng.choice(adults), "V"), (anyone(), "S")]
            place = rng.choice((place, world.town.by_type["shopping_centre"][0]))
        elif code == "ASSAULT":
            persons += [(anyone(), "V"), (rng.choice(adults), "S")]
            persons += [(anyone(), "W") for _ in range(rng.randrange(3))]
        elif code == "DOM":
            victim = rng.choice(world.by_role.get("parent", adults))
            home = world.households.get(victim.household, [])
            partners = [p for p in home if p.kind == "adult" and p is not victim]
            persons += [(victim, "V"), (partners[0] if partners else rng.choice(adults), "S")]
            persons += [(k, "INV") for k in home if k.kind == "child" and rng.random() < 0.3]
            place = victim.home
        elif code == "RTC":
            vehicles = [rng.choice(self.vehicles), rng.choice(self.vehicles)]
            persons += [(v.keeper, "DRV") for v in vehicles if v.keeper]
            place = rng.choice(self.cams)
        elif code == "CONC":
            kid = rng.choice(kids)
            persons += [(kid, "SUBJ"), (rng.choice(kid.carers or adults), "RP")]
            if rng.random() < 0.3:  # an adult with the child, for innocent reasons
                youth_workers = world.by_role.get("youth_worker", [])
                persons.append(
                    (rng.choice(kid.relatives + self.drivers[:3] + youth_workers), "INV")
                )
            place = rng.choice((kid.home, place))
        elif code == "DRUGS":
            persons += [(rng.choice(adults), "S") for _ in range(1 + rng.randrange(2))]
            if rng.random() < 0.3:
                persons.append((rng.choice(kids), "INV"))
        else:  # INTEL: graded intelligence about ordinary crime
            subject = rng.choice(adults)
            persons.append((subject, "S"))
            opening = rng.choice(("Information received that ", "Source reports that "))
            name = nick(subject, subject.nickname or subject.forename)
            notes = say(opening, name, rng.choice(INTEL), (place.name or place.address) + ". ")
            grading = f"{rng.choice('12233')}/{rng.choice('ABCCD')}/{rng.choice('PPPC')}"
        if rng.random() < 0.5:
            persons.append((rng.choice(world.by_role["officer"]), "OIC"))
        return Incident(
            when=at(self.day(first, days), 0, 24, rng),
            code=code,
            location=place,
            persons=persons,
            vehicles=vehicles,
            notes=notes or say(rng.choice(NARRATIVES[code])),
            grading=grading,
        )

    def stop(self, first: date, days: int) -> Stop | None:
        """Stop-checks: drivers with their own children, taxis with fares, friends."""
        rng = self.rng
        v = self.vehicles[rng.randrange(len(self.vehicles))]
        if v.keeper is None:
            return None
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
        if rng.random() < 0.05:  # a young driver with mates, or a lift home for a child
            occupants.append(rng.choice(self.kids))
        return Stop(
            when=at(self.day(first, days), 6, 24, rng),
            vehicle=v,
            driver=driver,
            occupants=occupants[:5],
            location=rng.choice(self.cams),
            reason=rng.choice(("MOT", "DRV", "SPD", "SUSP", "INS")),
            outcome=rng.choice(("NFA", "NFA", "WARN", "TOR", "FPN")),
        )
