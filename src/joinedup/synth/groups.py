"""Offender groups (2-13 members: a leading core and a wider circle) and lone offenders.

Group origin follows the town's adult population mix, with at least one group of
every origin: the generator assumes nothing about who offends, so nothing measured
later about ethnicity can be an artefact of it.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from joinedup.synth.model import Group, Person
from joinedup.synth.names import ALIASES_M, ORIGINS, STREET_NAMES
from joinedup.synth.population import World, _add_months
from joinedup.synth.town import HOODS

SIZES = list(range(2, 14))


def group_counts(children: int) -> tuple[int, int]:
    """Number of groups and of lone offenders for a city of this many children."""
    return max(6, round(children / 55)), max(3, round(children / 90))


def build_groups(world: World, rng: random.Random) -> list[Group]:
    n_groups, n_lone = group_counts(len(world.children))
    # The first groups cover every origin; the larger of their sizes go to the larger
    # communities, so a small community is not made up largely of offenders.
    adults = Counter(p.origin for p in world.adults)
    origins = sorted(ORIGINS, key=lambda o: -adults[o])
    sizes = SIZES[:]
    rng.shuffle(sizes)
    first = sorted(sizes[: len(origins)], reverse=True)
    groups: list[Group] = []
    for i in range(n_groups):
        if i < len(origins):
            origin, size = origins[i], first[i]
        else:
            origin = world.names.origins.pick(rng)
            # smaller groups are commoner, but the whole range occurs
            size = sizes[i] if i < len(sizes) else min(13, 2 + int(rng.expovariate(1 / 3.5)))
        groups.append(_group(world, rng, f"G{i + 1:03d}", origin, size))
    for i in range(n_lone):
        groups.append(_group(world, rng, f"L{i + 1:03d}", world.names.origins.pick(rng), 1))
    return groups


def _group(world: World, rng: random.Random, gid: str, origin: str, size: int) -> Group:
    town = world.town
    lone = size == 1
    hood = rng.randrange(len(HOODS))
    n_core = 1 if size <= 2 else max(1, round(size * rng.uniform(0.2, 0.4)))
    taxi_share = 0.0 if rng.random() < 0.5 else rng.uniform(0.25, 0.6)
    street_names = STREET_NAMES[:]
    rng.shuffle(street_names)
    members: list[Person] = []
    for k in range(size):
        core = k < n_core
        m_origin = (
            origin if rng.random() < (0.95 if core else 0.8) else world.names.origins.pick(rng)
        )
        sex = "F" if (not core and rng.random() < 0.05) else "M"
        age = (24, 50) if core else (18, 40)
        if lone:
            age = (19, 55)
        role = "lone_offender" if lone else ("offender_core" if core else "offender_wider")
        p = _recruit(world, rng, m_origin, sex, age, role, hood)
        p.group = gid
        p.group_role = "lone" if lone else ("core" if core else "wider")
        if rng.random() < (0.7 if core else 0.5):
            p.street_name = street_names[k % len(street_names)]
        if sex == "M" and rng.random() < 0.4:
            p.alias = rng.choice(ALIASES_M)
        if rng.random() < (0.35 if lone else taxi_share) and not p.is_taxi_driver:
            p.is_taxi_driver = True
            world.vehicle(p, taxi=True)
        if not p.vehicles and rng.random() < (0.95 if core or lone else 0.55):
            world.vehicle(p, bias="prestige")
        if core and rng.random() < 0.3:
            world.vehicle(p, bias="prestige")
        world.phone(p)
        for _ in range(rng.randrange(3) if core else int(rng.random() < 0.2)):
            world.phone(p, extra=True)  # burners
        members.append(p)
    flats = []
    for _ in range(1 if lone or size < 4 else 1 + rng.randrange(2)):
        flats.append(town.add("flat", "", rng.choice((hood, *town.neighbours(hood))), flat=True))
    # Some members live in a party flat themselves.
    for m in members[: max(1, len(members) // 4)]:
        if rng.random() < 0.3:
            m.home = flats[0]
    hotels = rng.sample(
        town.by_type["hotel"], k=min(len(town.by_type["hotel"]), 1 + rng.randrange(2))
    )
    hangouts = [town.near(hood, "takeaway"), town.near(hood, "park")]
    if rng.random() < 0.7:
        hangouts.append(town.busy_takeaway)
    hangouts.append(rng.choice(town.by_type["station"]))
    if rng.random() < 0.5:
        hangouts.append(town.by_type["shopping_centre"][0])
    start = world.start + timedelta(days=rng.randrange(-300, max(1, int(world.months * 30 * 0.6))))
    end = _add_months(world.end, 12)
    disrupted = None
    if not lone and rng.random() < 0.4:  # some groups are disrupted within the window
        lo = max(start + timedelta(days=120), world.start + timedelta(days=60))
        hi = world.end - timedelta(days=14)
        if lo < hi:
            disrupted = lo + timedelta(days=rng.randrange((hi - lo).days))
            end = disrupted
    vehicles = [v for m in members for v in m.vehicles]
    return Group(
        gid=gid,
        kind="lone" if lone else "group",
        origin=origin,
        members=members,
        core=members[:n_core],
        flats=flats,
        hotels=hotels,
        hangouts=hangouts,
        vehicles=vehicles,
        start=start,
        end=end,
        disrupted=disrupted,
        hood=hood,
    )


def _recruit(
    world: World,
    rng: random.Random,
    origin: str,
    sex: str,
    age: tuple[int, int],
    role: str,
    hood: int,
) -> Person:
    """An offender is often someone already in the town: a father, a driver, a neighbour."""
    if rng.random() < 0.35:
        pool = world.by_role.get("parent", []) + world.by_role.get("taxi_driver", [])
        lo = date(world.start.year - age[1], 1, 1)
        hi = date(world.start.year - age[0], 12, 31)
        for _ in range(40):
            cand = pool[rng.randrange(len(pool))]
            if (
                cand.origin == origin
                and cand.sex == sex
                and lo <= cand.dob <= hi
                and not cand.group
            ):
                world.set_role(cand, role)
                return cand
    home = world.town.home(
        rng.choice((hood, *world.town.neighbours(hood))), flat=rng.random() < 0.4
    )
    return world.person(
        origin=origin, sex=sex, dob=world._dob(*age), kind="adult", role=role, home=home
    )
