"""The breakdowns of a profile: each population's characteristics, group sizes and events,
counted into tables from people already read from the store.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from joinedup.stats.people import (
    CONFLICTING,
    GROUPS,
    UNRECORDED,
    VULNERABILITIES,
    Mention,
    Person,
    ethnic_group,
    officer_group,
)
from joinedup.stats.queries import Scope
from joinedup.stats.tables import CountTable, TwoWayTable, one_way

VICTIM_AGES = ("under 10", "10-11", "12", "13", "14", "15", "16", "17", "18 and over")
ADULT_AGES = ("under 18", "18-24", "25-34", "35-44", "45-54", "55 and over")
GROUP_SIZES = ("2", "3-4", "5-9", "10 and over")
YES_NO = ("yes", "no")
SEX = {"F": "female", "M": "male"}
OFFENDER_ROLES = ("suspect", "offender")


def tally(
    key: str, title: str, values: list[str], categories: tuple[str, ...] | None = None, **kw: Any
) -> CountTable:
    counts = Counter(values)
    unknown = {UNRECORDED: counts.pop(UNRECORDED, 0)}
    if counts.get(CONFLICTING):
        unknown[CONFLICTING] = counts.pop(CONFLICTING)
    counts.pop(CONFLICTING, None)
    order = list(categories) if categories else [c for c, _ in counts.most_common()]
    order += sorted(c for c in counts if c not in order)
    return one_way(key, title, {c: counts.get(c, 0) for c in order}, unknown, **kw)


def _band(age: int | None, bands: tuple[str, ...]) -> str:
    if age is None:
        return UNRECORDED
    if bands is VICTIM_AGES:
        return (
            "under 10"
            if age < 10
            else "10-11"
            if age < 12
            else "18 and over"
            if age >= 18
            else str(age)
        )
    edges = ((18, "under 18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"))
    return next((label for edge, label in edges if age < edge), "55 and over")


def _age(p: Person, when: datetime | None, bands: tuple[str, ...]) -> str:
    if p.dob_value() == CONFLICTING:
        return CONFLICTING
    return _band(p.age_at(when), bands)


def _sex(p: Person) -> str:
    return SEX.get(p.sex(), p.sex())


def child_tables(pop: str, people: list[Person], scope: Scope) -> list[CountTable]:
    ages = [_age(p, p.first_concern(), VICTIM_AGES) for p in people]
    tables = [
        tally(f"{pop}.age_first_concern", "Age at first recorded concern", ages, VICTIM_AGES),
        tally(f"{pop}.sex", "Sex", [_sex(p) for p in people], tuple(SEX.values())),
        tally(f"{pop}.in_care", "Ever recorded in care", [p.in_care() for p in people], YES_NO),
    ]
    for name in VULNERABILITIES:
        tables.append(
            tally(
                f"{pop}.vulnerability.{name}",
                f"Vulnerability: {name.replace('_', ' ')}",
                [p.flag(name) for p in people],
                YES_NO,
            )
        )
    tables.append(
        tally(
            f"{pop}.vulnerability.sen",
            "Vulnerability: special educational needs",
            [p.sen() for p in people],
            YES_NO,
        )
    )
    return tables + protected_tables(pop, people)


def adult_tables(
    pop: str, people: list[Person], scope: Scope, anchors: dict[str, list[Mention]] | None = None
) -> list[CountTable]:
    def first_seen(p: Person) -> datetime | None:
        ms = (anchors or {}).get(p.key) or [m for m in p.mentions if scope.contains(m)]
        dates = [m.start_at for m in ms if m.start_at]
        return min(dates) if dates else None

    tables = []
    if anchors is not None:
        roles = [
            "offender" if any(m.role == "offender" for m in anchors[p.key]) else "suspect"
            for p in people
        ]
        tables.append(tally(f"{pop}.role", "Recorded role", roles, OFFENDER_ROLES[::-1]))
    tables += [
        tally(
            f"{pop}.age",
            "Age at first record in scope",
            [_age(p, first_seen(p), ADULT_AGES) for p in people],
            ADULT_AGES,
        ),
        tally(f"{pop}.sex", "Sex", [_sex(p) for p in people], tuple(SEX.values())),
    ]
    tables += protected_tables(pop, people)
    tables.append(
        tally(
            f"{pop}.disability",
            "Disability",
            [p.disability() for p in people],
            YES_NO,
            note="No built-in feed records the disability of adults.",
        )
    )
    return tables


def protected_tables(pop: str, people: list[Person]) -> list[CountTable]:
    detailed = [p.protected("ethnicity_self") for p in people]
    # The broad group is the group of the detailed value, so the two tables add up exactly
    # and disclosure control can protect them together.
    grouped = [
        v if v in (UNRECORDED, CONFLICTING) else ethnic_group(v) or "Other" for v in detailed
    ]
    detail = tally(f"{pop}.ethnicity_self", "Ethnicity (self-defined), as recorded", detailed)
    detail.rolls_up_to = f"{pop}.ethnicity_self_group"
    detail.roll_up = {c: ethnic_group(c) or "Other" for c in detail.counts}
    return [
        tally(
            f"{pop}.ethnicity_self_group", "Ethnicity (self-defined), broad group", grouped, GROUPS
        ),
        detail,
        tally(
            f"{pop}.ethnicity_officer_group",
            "Ethnicity (officer-observed), broad group",
            [p.protected("ethnicity_officer", officer_group) for p in people],
            GROUPS,
        ),
        tally(f"{pop}.nationality", "Nationality", [p.protected("nationality") for p in people]),
    ]


def event_tables(
    people: list[Person], scope: Scope
) -> tuple[list[CountTable], TwoWayTable, int, int]:
    """Events involving `people` in scope (each event record once): by type, police
    incidents by class, by place type, by month, and by type and month; with how many
    events and police incidents there are."""
    events: dict[int, Mention] = {}
    for p in people:
        for m in p.mentions:
            if m.event_id is not None and m.event_id not in events and scope.contains(m):
                events[m.event_id] = m
    ms = list(events.values())
    month = [m.start_at.strftime("%Y-%m") if m.start_at else UNRECORDED for m in ms]
    months = month_range(sorted({x for x in month if x != UNRECORDED}))
    kinds = [m.event_type or UNRECORDED for m in ms]
    offences = [
        (m.event_attributes or {}).get("incident_class") or UNRECORDED
        for m in ms
        if m.event_type == "police_incident"
    ]
    tables = [
        tally("events.type", "Events by type", kinds),
        tally("offences.class", "Police incidents by recorded class", offences),
        tally(
            "events.place_type", "Events by place type", [m.place_type or UNRECORDED for m in ms]
        ),
        tally("events.month", "Events by month", month, tuple(months)),
    ]
    for table in tables:
        table.population = "offences" if table.key.startswith("offences.") else "events"
    cols = months + ([UNRECORDED] if UNRECORDED in month else [])
    grid = TwoWayTable.from_cells(
        "events.type_by_month",
        "Events by type and month",
        dict(Counter(zip(kinds, month, strict=True))),
        sorted(set(kinds)),
        cols,
        row_label="event type",
        col_label="month",
    )
    return tables, grid, len(ms), len(offences)


def group_size_table(groups: list[tuple[int, list[int]]]) -> CountTable:
    sizes = [len(set(members)) for _, members in groups]
    bands = [
        "2" if s <= 2 else "3-4" if s <= 4 else "5-9" if s <= 9 else "10 and over" for s in sizes
    ]
    table = tally("groups.size", "Group size (adults and children)", bands, GROUP_SIZES)
    table.population = "groups"
    return table


def month_range(months: list[str]) -> list[str]:
    """Every month from the first to the last, so an empty month shows as 0."""
    if not months:
        return []
    y, m = map(int, months[0].split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= months[-1]:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
