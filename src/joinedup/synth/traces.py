"""The records exploitation leaves behind: sparse, late, partial, and often written by others.

A mixin of Timeline: each method turns one true event into the happening an agency
might record (an ANPR read, a missing episode with its return interview, a clinic
visit, a graded intelligence report), or decides that nobody recorded it.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from joinedup.synth.events import (
    AnprRead,
    Attendance,
    CareEntry,
    EduConcern,
    HotelStay,
    Incident,
    MissingEpisode,
    Note,
    Stop,
    nick,
    part_plate,
    phone,
    plate,
    postcode,
    say,
)
from joinedup.synth.model import Group, Location, Person, Vehicle

if TYPE_CHECKING:
    from joinedup.synth.events import Happening
    from joinedup.synth.population import World

REFUSED = (
    "Refused to engage with the return interview.",
    "Would not say where she had been. Appeared tired.",
    "Said she was with friends. Would not name them.",
    "Declined RHI. Staff to re-offer.",
)
CLINIC_NOTES = (
    "Vague about partner's age. ",
    "Partner described as 'older'. ",
    "Multiple partners disclosed. ",
    "Intoxicated on arrival. ",
)
HOTEL_NOTES = (
    "Young female visitor(s), left late. ",
    "Several male visitors to room. ",
    "Guest paid cash, no ID. ",
    "Staff concerned about age of girl with guest. ",
    "Complaint about noise from room. ",
)
SCHOOL_NOTICES = (
    "Attendance has dropped sharply. ",
    "Has a new expensive phone, will not say where from. ",
    "Talks about an older boyfriend. ",
    "Arrived smelling of alcohol. ",
    "Wearing new designer clothes. Says a friend bought them. ",
    "Asleep in lessons, says she was out late. ",
)
CONCERNS = {
    "in_care": "",
    "missing": "MIS",
    "learning_disability": "LD",
    "substance_use": "SUB",
    "mental_health": "MH",
    "previous_abuse": "ABU",
}


class Traces:
    world: World
    rng: random.Random
    happenings: list[Happening]
    cameras: list[Location]
    cams_by_hood: dict[int, list[Location]]
    teachers: dict[str, list[Person]]
    referred: set[str]
    recorded_missing: dict[str, int]

    def event(self, when, kind, g, victim, offenders, location=None, vehicle=None) -> str:  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def at(self, day: date, lo: int, hi: int) -> datetime:
        raise NotImplementedError

    def _add(self, h: Happening, g: Group, tl: str) -> None:
        h.evidence, h.group, h.tl = True, g.gid, tl
        self.happenings.append(h)

    # vehicles --------------------------------------------------------------------------
    def anpr(
        self, car: Vehicle, when: datetime, g: Group, tl: str, near: Location | None = None
    ) -> None:
        """0-2 camera reads of a journey, near the place when there is one."""
        rng = self.rng
        for _ in range(rng.randrange(3)):
            if rng.random() < 0.55:
                cam = rng.choice(self.cameras)
                if near is not None and rng.random() < 0.6:
                    cam = rng.choice(self.cams_by_hood.get(near.hood) or self.cameras)
                t = when + timedelta(minutes=rng.randrange(-25, 25))
                self._add(AnprRead(when=t, vehicle=car, camera=cam), g, tl)

    def stop(
        self, g: Group, v: Person, driver: Person, car: Vehicle, when: datetime, tl: str
    ) -> None:
        """A stop-check finds her in the car, maybe with other men and other girls."""
        rng = self.rng
        others = [m for m in g.members if m is not driver]
        occupants = [v, *rng.sample(others, k=min(len(others), rng.randrange(3)))]
        occupants += [o for o in g.victims if o is not v][: rng.randrange(2)]
        rng.shuffle(occupants)
        outcome = rng.choice(("NFA", "WARN", "NFA", "CAWN" if v.in_care else "NFA"))
        reason = rng.choice(("MOT", "SUSP", "INTEL", "DRV"))
        where = rng.choice(self.cameras)
        stop = Stop(when=when, vehicle=car, driver=driver, occupants=occupants[:5], location=where,
                    reason=reason, outcome=outcome)  # fmt: skip
        self._add(stop, g, tl)

    # missing episodes ------------------------------------------------------------------
    def missing(
        self,
        g: Group,
        v: Person,
        when: datetime,
        tl: str,
        with_: list[Person],
        place: Location | None,
    ) -> None:
        rng = self.rng
        if rng.random() >= (0.95 if v.in_care else 0.6):
            return  # families report less often than care homes
        hours = rng.randrange(4, 72) if rng.random() < 0.7 else rng.randrange(72, 120)
        found_with: list[Person] = []
        found_at: Location | None = None
        found_in: Vehicle | None = None
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
            found_at = rng.choice(self.world.town.by_type["out_of_area"])
            self.event(when + timedelta(hours=2), "moved_out_of_area", g, v, with_[:1], found_at)
        elif r < 0.75:
            found_at = rng.choice(g.hangouts)
        if found_at is not None or found_in is not None:
            if rng.random() < 0.2:
                found_with.extend(m for m in with_ if m not in found_with)
            if rng.random() < 0.25:
                found_with.extend(o for o in g.victims[:3] if o is not v and o not in found_with)
            if rng.random() < 0.6:
                located_by = rng.choice(self.world.by_role["officer"])
        notes: list[Note] = []
        late = False
        if rng.random() < 0.65:
            notes = self._return_interview(g, v, with_, place, found_in)
            late = rng.random() < 0.4
        self.recorded_missing[v.pid] = self.recorded_missing.get(v.pid, 0) + 1
        end = when + timedelta(hours=hours)
        episode = MissingEpisode(
            when=when, child=v, reporter=rng.choice(v.carers) if v.carers else None,
            category="care" if v.in_care else "home", end=end, found_with=found_with[:4],
            found_at=found_at, found_in=found_in, located_by=located_by, notes=notes,
            notes_late=late,
        )  # fmt: skip
        self._add(episode, g, tl)
        if self.recorded_missing[v.pid] >= 3 and v.pid not in self.referred:
            self.referral(g, v, end + timedelta(days=rng.randrange(1, 20)), "POL", tl)

    def _return_interview(
        self, g: Group, v: Person, with_: list[Person], place: Location | None, car: Vehicle | None
    ) -> list[Note]:
        """Most children say little; some name a nickname, a flat, a car, a number."""
        rng = self.rng
        if rng.random() < 0.45:
            return say(rng.choice(REFUSED))
        notes = say(
            rng.choice(("Said she was at a party", "Says she was with friends", "Stayed at a flat"))
        )
        who = rng.choice(with_) if with_ else rng.choice(g.members)
        if rng.random() < 0.5:
            notes += say(" with ", told(who, rng))
        if place is not None and rng.random() < 0.35:
            notes += say(" at ", street_of(place), " ", postcode(place))
        notes += say(". ")
        if rng.random() < 0.35:
            notes += say(
                rng.choice(("Was given vodka. ", "Was given cannabis. ", "Was bought food. "))
            )
        cars = [c for m in (with_ or g.members) for c in m.vehicles]
        if car or (cars and rng.random() < 0.25):
            c = car or rng.choice(cars)
            if rng.random() < 0.5:
                notes += say(f"Picked up in a {c.colour.lower()} {c.make}, plate starts ",
                             part_plate(c, rng.choice((2, 3, 3, 4))), ". ")  # fmt: skip
            else:
                notes += say(f"Got into a {c.colour.lower()} car reg ", plate(c), ". ")
        if rng.random() < 0.12:
            phones = [p for m in g.members for p in m.phones]
            if phones:
                ph = rng.choice(phones)
                notes += say("Has a number saved as ", told(ph.owner, rng), ": ", phone(ph), ". ")  # type: ignore[arg-type]
        if rng.random() < 0.3:
            notes += say("Risk discussed; CSE screening to be updated.")
        return notes

    # social care, health, schools ------------------------------------------------------
    def referral(self, g: Group, v: Person, when: datetime, source: str, tl: str) -> None:
        """A referral, a CSE screening a few weeks later, and reviews every three months."""
        rng = self.rng
        self.referred.add(v.pid)
        adult, rel, known = None, "", ""
        if rng.random() < 0.4:
            adult = rng.choice(g.members)
            rel = rng.choice(("BF", "FR", "UNK"))
            known = adult.street_name if adult.street_name and rng.random() < 0.6 else ""
        concerns = tuple(sorted({"CSE", "MIS", *(CONCERNS[x] for x in v.vulnerabilities)} - {""}))

        def entry(when: datetime, work: str, src: str, risk: str, named: Person | None) -> None:
            care = CareEntry(when=when, child=v, work_type=work, source=src, concerns=concerns,
                             adult=named, adult_rel=rel, adult_known_as=known,
                             risk=risk)  # fmt: skip
            self._add(care, g, tl)

        entry(when, "REF", source, "", adult)
        screen = when + timedelta(days=rng.randrange(7, 40))
        entry(screen, "CSE", source, rng.choice(("MOD", "SIG", "MOD", "MILD")), adult)
        for k in range(1, 6):
            review = screen + timedelta(days=91 * k + rng.randrange(-10, 10))
            if review.date() > min(self.world.end, g.end):
                break
            named = adult if rng.random() < 0.6 else None
            entry(review, "CSE", "INT", rng.choice(("MOD", "SIG", "SIG")), named)

    def clinic(self, g: Group, v: Person, day: date, complaint: str, escort: Person | None) -> None:
        rng = self.rng
        town = self.world.town
        when = self.at(day + timedelta(days=rng.randrange(7)), 9, 23)
        sexual_health = complaint in ("STI", "PREG")
        site = town.by_type["clinic"][0] if sexual_health else town.by_type["hospital"][0]
        tl = self.event(when, "clinic:" + complaint, g, v, [escort] if escort else [], site)
        esc, rel = None, ""
        if escort is not None and rng.random() < 0.25:
            esc, rel = escort, rng.choice(("BOYFRIEND", "FRIEND", "COUSIN"))
        elif v.in_care and rng.random() < 0.3 and v.carers:
            esc, rel = rng.choice(v.carers), "CARER"
        notes: list[Note] = []
        if rng.random() < 0.3:
            notes = say(rng.choice(CLINIC_NOTES))
            if escort is not None and rng.random() < 0.4:
                notes += say("Partner known as ", told(escort, rng), ".")
        safeguarding = rng.random() < 0.55
        visit = Attendance(when=when, patient=v, site=site, complaint=complaint, escort=esc,
                           escort_rel=rel, safeguarding=safeguarding, notes=notes)  # fmt: skip
        self._add(visit, g, tl)
        if safeguarding and v.pid not in self.referred and rng.random() < 0.5:
            self.referral(g, v, when + timedelta(days=rng.randrange(1, 14)), "HLT", tl)

    def seen_at_school(
        self,
        g: Group,
        v: Person,
        adult: Person,
        when: datetime,
        tl: str,
        car: Vehicle | None = None,
    ) -> None:
        rng = self.rng
        car = car or (adult.vehicles[0] if adult.vehicles else None)
        notes = say(rng.choice(("Seen after school with an older male",
                                "Collected from the gates by an adult male",
                                "Seen getting into a car outside school")))  # fmt: skip
        if car is not None and rng.random() < 0.6:
            what = f", {car.colour.lower()} {car.make}"
            if rng.random() < 0.7:
                lead = rng.choice(("reg starts", "plate starting", "partial reg"))
                notes += say(f"{what}, {lead} ", part_plate(car, rng.choice((2, 3, 4))))
            else:
                notes += say(f"{what} reg ", plate(car))
        notes += say(". ")
        if rng.random() < 0.3:
            notes += say("Friends call him ", told(adult, rng), ".")
        self._school(g, v, when, "SG", notes, tl)

    def school_notices(self, g: Group, v: Person, recruiter: Person, day: date) -> None:
        rng = self.rng
        when = self.at(day + timedelta(days=rng.randrange(5)), 8, 16)
        tl = self.event(when, "school_notices", g, v, [])
        notes = say(rng.choice(SCHOOL_NOTICES))
        if rng.random() < 0.25:
            notes += say("Mentions a friend called ", told(recruiter, rng), ". ")
        self._school(g, v, when, rng.choice(("ATT", "SG", "SG", "WEL")), notes, tl)

    def _school(
        self, g: Group, v: Person, when: datetime, category: str, notes: list[Note], tl: str
    ) -> None:
        school = v.school
        assert school is not None
        teachers = self.teachers.get(school.lid, [])
        staff = self.rng.choice(teachers) if teachers else None
        self._add(EduConcern(when=when, pupil=v, school=school, category=category, staff=staff,
                             notes=notes), g, tl)  # fmt: skip

    # hotels and the police -------------------------------------------------------------
    def hotel(self, g: Group, v: Person, day: date) -> None:
        """A room booked by a member, often under an alias, with his phone and car."""
        rng = self.rng
        hotel = rng.choice(g.hotels)
        booker = rng.choice(g.core if rng.random() < 0.6 else g.members)
        when = self.at(day, 14, 23)
        others = rng.sample(g.members, k=min(len(g.members), 1 + rng.randrange(3)))
        tl = self.event(when, "hotel", g, v, list(dict.fromkeys([booker, *others])), hotel)
        self.event(when + timedelta(hours=3), "abuse", g, v, others, hotel)
        ph = booker.phones[-1] if booker.phones and rng.random() < 0.8 else None
        car = booker.vehicles[0] if booker.vehicles and rng.random() < 0.6 else None
        notes = say(rng.choice(HOTEL_NOTES)) if rng.random() < 0.2 else []
        alias = bool(booker.alias) and rng.random() < 0.5
        stay = HotelStay(when=when, hotel=hotel, guest=booker, phone=ph, vehicle=car, nights=1,
                         guests=1 + rng.randrange(2), use_alias=alias, notes=notes)  # fmt: skip
        self._add(stay, g, tl)
        if car:
            self.anpr(car, when, g, tl, near=hotel)
        if rng.random() < 0.04:
            notes = say("Hotel night manager reports a girl who looks about 14 going to a room "
                        "with adult males. ")  # fmt: skip
            if booker.vehicles:
                notes += say("Car in car park ", plate(booker.vehicles[0]), ". ")
            persons = [(booker, "S")] + ([(v, "V")] if rng.random() < 0.5 else [])
            call = Incident(when=when + timedelta(hours=4), code="CONC", location=hotel,
                            persons=persons, notes=notes)  # fmt: skip
            self._add(call, g, tl)

    def flat_incident(
        self, g: Group, v: Person, when: datetime, flat: Location, present: list[Person], tl: str
    ) -> None:
        rng = self.rng
        opening = rng.choice(("Neighbour reports loud party and young girls coming and going at ",
                              "Concern for welfare: teenage girls seen entering "))  # fmt: skip
        notes = say(opening, flat.address + " ", postcode(flat), ". ")
        persons = [(v, "V")] if rng.random() < 0.6 else []
        persons += [(m, "INV") for m in present[: rng.randrange(3)]]
        code = "ASB" if rng.random() < 0.5 else "CONC"
        call = Incident(when=when + timedelta(hours=1), code=code, location=flat, persons=persons,
                        notes=notes)  # fmt: skip
        self._add(call, g, tl)

    def group_intelligence(self, g: Group) -> None:
        """Graded intelligence about the group, about monthly: partial, late, sometimes vague."""
        rng = self.rng
        world = self.world
        if not g.victims:
            return
        day = max(g.start, world.start)
        last = min(g.end, world.end)
        while day <= last:
            if rng.random() < (0.1 if g.kind == "lone" else 0.22):
                self._intelligence(g, day)
            day += timedelta(days=30)

    def _intelligence(self, g: Group, day: date) -> None:
        rng = self.rng
        when = self.at(day + timedelta(days=rng.randrange(28)), 8, 23)
        subject = rng.choice(g.members)
        victim = rng.choice(g.victims)
        tl = self.event(when, "intelligence", g, victim, [subject])
        place = rng.choice(g.hangouts + g.flats)
        doing = rng.choice((" is picking up girls from ",
                            " is giving lifts and alcohol to teenage girls near ",
                            " hosts parties for under-age girls near "))  # fmt: skip
        opening = rng.choice(
            ("Information received that ", "Source reports that ", "Anonymous call: ")
        )
        notes = say(opening, told(subject, rng), doing, (place.name or street_of(place)) + ". ")
        if subject.vehicles and rng.random() < 0.6:
            c = subject.vehicles[0]
            if rng.random() < 0.5:
                notes += say(f"Drives a {c.colour.lower()} {c.make}, part reg ",
                             part_plate(c, rng.choice((2, 3, 3, 4))), ". ")  # fmt: skip
            else:
                notes += say(f"Vehicle {c.make} ", plate(c), ". ")
        if subject.phones and rng.random() < 0.15:
            notes += say("Uses ", phone(subject.phones[-1]), ". ")
        persons = [(subject, "S")] if rng.random() < 0.4 else []
        if rng.random() < 0.4:
            persons.append((victim, "V"))
        grading = f"{rng.choice('1223333')}/{rng.choice('BBCCCDE')}/{rng.choice('PPPC')}"
        report = Incident(when=when, code="INTEL", location=place, persons=persons, notes=notes,
                          grading=grading)  # fmt: skip
        self._add(report, g, tl)

    def disruption(self, g: Group) -> None:
        """Arrests: core members and some of the wider circle, named in full at last."""
        rng = self.rng
        assert g.disrupted is not None
        when = self.at(g.disrupted, 5, 8)
        arrested = g.core + [m for m in g.members[len(g.core) :] if rng.random() < 0.4]
        tl = self.event(when, "disruption", g, None, arrested)
        for m in arrested:
            persons = [(m, "S")] + [(v, "V") for v in g.victims if rng.random() < 0.5]
            notes = say("Arrested on suspicion of child sexual exploitation offences. ")
            if m.street_name:
                notes += say("Known as ", nick(m, m.street_name), ". ")
            arrest = Incident(when=when + timedelta(minutes=rng.randrange(120)), code="ARREST",
                              location=m.home, persons=persons, vehicles=m.vehicles[:1],
                              notes=notes)  # fmt: skip
            self._add(arrest, g, tl)


def told(p: Person, rng: random.Random) -> Note:
    """How a child or a caller names an adult: a street name, an alias or a first name."""
    r = rng.random()
    if p.street_name and r < 0.6:
        name = p.street_name
    elif p.alias and r < 0.75:
        name = p.alias
    elif p.nickname and r < 0.85:
        name = p.nickname
    else:
        name = p.forename
    return nick(p, name)


def street_of(loc: Location) -> str:
    return loc.address.split(", ")[-1]
